"""The rules on labour needs, called on the service."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from network.labour_needs import service
from network.labour_needs.schemas import LabourNeedCreate, LabourNeedUpdate
from shared.principal import Role
from shared.problems import ProblemError
from shared.testing import english

from ..factories import NEED, Factory, access


def test_the_horizon_year_and_the_province_check() -> None:
    assert service.horizon_year("2027-Q3") == 2027
    assert service.horizon_year("2028") == 2028
    assert english(service.check({"region": "01", "province": "02.411"})) == [
        ("province", "province '02.411' is not in region '01'")
    ]


async def test_only_its_partner_and_the_region_managers_edit_a_need(
    db: AsyncSession, factory: Factory
) -> None:
    own = await factory.partner()
    need = await factory.need(own)
    member = access(role=Role.PARTNER_MEMBER, partner_id=own.id, regions=("01",))
    assert (await service.get_editable(db, member, need.id)).id == need.id
    for outsider in (
        access(role=Role.PARTNER_MEMBER, partner_id=(await factory.partner()).id),
        access(role=Role.REGIONAL_COORDINATOR, regions=("02",)),
        access(role=Role.VIEWER),
    ):
        with pytest.raises(ProblemError) as caught:
            await service.get_editable(db, outsider, need.id)
        assert caught.value.status == 404
    changed = await service.update(db, member, need, LabourNeedUpdate(horizon="2028-Q2"), '"1"')
    assert changed.horizon_year == 2028


async def test_a_partner_member_declares_for_its_own_partner_by_default(
    db: AsyncSession, factory: Factory
) -> None:
    own = await factory.partner()
    member = access(role=Role.PARTNER_MEMBER, partner_id=own.id, regions=("01",))
    need = await service.create(db, member, LabourNeedCreate.model_validate(NEED))
    assert need.partner_id == own.id
    with pytest.raises(ProblemError) as caught:
        await service.create(db, access(), LabourNeedCreate.model_validate(NEED))
    assert caught.value.status == 422
