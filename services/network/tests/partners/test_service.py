"""The rules on partners, called on the service itself."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from network.partners import service
from network.partners.schemas import PartnerQuery
from shared.pagination import PageParams
from shared.principal import Role
from shared.testing import english

from ..factories import Factory, access

COORDINATOR_01 = access(role=Role.REGIONAL_COORDINATOR, regions=("01",))


def test_regions_added_or_removed_must_be_coordinated_by_the_caller() -> None:
    assert english(service.region_issues(COORDINATOR_01, (), ["01"])) == []
    assert english(service.region_issues(COORDINATOR_01, ["01", "02"], ["01", "02"])) == []
    assert english(service.region_issues(COORDINATOR_01, ["02"], ["01", "02"])) == []
    assert english(service.region_issues(COORDINATOR_01, ["01", "02"], ["01"])) == [
        ("regions", "you may only add or remove regions you coordinate")
    ]
    assert english(service.region_issues(access(), ["02"], ["05"])) == []


async def test_a_partner_that_left_its_network_no_longer_sees_the_others(
    db: AsyncSession, factory: Factory
) -> None:
    own = await factory.partner(name="Ancien membre")
    fellow = await factory.partner(name="Membre")
    network = await factory.network()
    yesterday = date.today() - timedelta(days=1)
    await factory.membership(own, network, until=yesterday.isoformat())
    await factory.membership(fellow, network)
    member = access(role=Role.PARTNER_MEMBER, partner_id=own.id, regions=("01",))
    page = await service.list_partners(db, member, PartnerQuery(), PageParams(50, None))
    assert [p.id for p in page.items] == [own.id]
    members_now = await service.list_partners(
        db, access(), PartnerQuery(network_id=network.id), PageParams(50, None)
    )
    assert [p.id for p in members_now.items] == [fellow.id]
