"""The rules on providers, checked on the service itself (the API and the import call them)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import service as catalogue_service
from offers.providers import service
from offers.providers.schemas import ProviderCreate, ProviderQuery, ProviderUpdate
from offers.vocabulary import PublicationStatus
from shared.db import utcnow
from shared.pagination import PageParams
from shared.principal import Role
from shared.problems import ProblemError
from shared.testing import english

from ..factories import PROVIDER, Factory, access

COORDINATOR_02 = {"role": Role.REGIONAL_COORDINATOR, "regions": ("02",)}


def test_a_province_must_lie_in_the_region_and_coordinates_come_in_pairs() -> None:
    assert english(service.check({"region": "01", "province": "01.571"})) == []
    assert english(service.check({"region": "02", "province": "01.571", "latitude": 35.5})) == [
        ("province", "province '01.571' is not in region '02'"),
        ("longitude", "give latitude and longitude together"),
    ]


def test_scope_of_new_and_stored_providers() -> None:
    coordinator = access(**COORDINATOR_02)
    assert english(service.scope_issues(coordinator, "02")) == []
    assert english(service.scope_issues(coordinator, "01")) == [
        ("region", "you may not add providers in this region")
    ]

    class Stored:
        id = uuid4()
        region = "02"

    assert english(service.scope_issues(coordinator, "02", Stored())) == []
    assert english(service.scope_issues(coordinator, "01", Stored())) == [
        ("region", "you may only move providers within your regions")
    ]
    staff = access(role=Role.PROVIDER_STAFF, provider_id=Stored.id, regions=("02",))
    assert english(service.scope_issues(staff, "02", Stored())) == []
    assert service.scope_issues(
        access(role=Role.PROVIDER_STAFF, provider_id=uuid4()), "02", Stored()
    )


def test_a_provider_moves_only_between_regions_its_mover_coordinates() -> None:
    class Stored:
        id = uuid4()
        region = "01"

    staff = access(role=Role.PROVIDER_STAFF, provider_id=Stored.id, regions=("01",))
    assert english(service.scope_issues(staff, "01", Stored())) == []
    assert english(service.scope_issues(staff, "05", Stored())) == [
        ("region", "only the coordinators of both regions may move a provider")
    ]
    both = access(role=Role.REGIONAL_COORDINATOR, regions=("01", "05"))
    assert english(service.scope_issues(both, "05", Stored())) == []
    assert english(service.scope_issues(access(), "05", Stored())) == []


def test_a_new_row_is_a_folded_draft_at_version_one() -> None:
    now = utcnow()
    row = service.new_row(
        {"name": "École Hôtelière", "region": "01"},
        provider_id=uuid4(),
        source="kafaat",
        external_id="x",
        status=PublicationStatus.DRAFT.value,
        now=now,
    )
    assert row["name_key"] == "ecole hoteliere"
    assert (row["version"], row["created_at"], row["updated_at"], row["published_at"]) == (
        1,
        now,
        now,
        None,
    )


async def test_create_outside_the_callers_regions_is_refused(db: AsyncSession) -> None:
    data = ProviderCreate.model_validate(PROVIDER)
    with pytest.raises(ProblemError) as refused:
        await service.create(db, access(**COORDINATOR_02), data)
    assert refused.value.status == 422
    assert refused.value.errors is not None
    assert refused.value.errors[0].field == "body.region"


async def test_only_the_regions_coordinators_publish(factory: Factory, db: AsyncSession) -> None:
    provider = await factory.provider(publish=False)
    with pytest.raises(ProblemError) as forbidden:
        await service.publish(db, access(**COORDINATOR_02), provider, None)
    assert forbidden.value.status == 403
    coordinator = access(role=Role.REGIONAL_COORDINATOR, regions=("01",))
    published = await service.publish(db, coordinator, provider, None)
    assert published.status == PublicationStatus.PUBLISHED
    assert published.published_at is not None


async def test_archiving_takes_the_published_offers_offline(
    factory: Factory, db: AsyncSession
) -> None:
    provider = await factory.provider()
    offer = await factory.offer(provider)
    await service.archive(db, factory.admin, provider, None)
    await db.refresh(offer)
    assert offer.status == PublicationStatus.ARCHIVED


async def test_renaming_refreshes_the_offers_search_text(
    factory: Factory, db: AsyncSession
) -> None:
    provider = await factory.provider()
    offer = await factory.offer(provider)
    assert "tetouan" in offer.search_text
    changes = ProviderUpdate.model_validate({"name": "Centre Nador"})
    await service.update(db, factory.admin, provider, changes, f'"{provider.version}"')
    await db.refresh(offer)
    assert "nador" in offer.search_text
    assert "tetouan" not in offer.search_text


async def test_a_provider_with_offers_is_archived_not_deleted(
    factory: Factory, db: AsyncSession
) -> None:
    provider = await factory.provider()
    await factory.offer(provider)
    with pytest.raises(ProblemError) as refused:
        await service.delete(db, provider, None)
    assert (refused.value.status, refused.value.slug) == (409, "provider-has-offers")
    assert await catalogue_service.count_of_provider(db, provider.id) == 1


async def test_lists_hold_published_providers_and_those_in_scope(factory: Factory) -> None:
    published = await factory.provider(name="Publié")
    draft = await factory.provider(name="Brouillon", publish=False)
    other = await factory.provider(name="Oujda", region="02", province="02.411", publish=False)

    async def names(**principal: Any) -> list[str]:
        page = await service.list_providers(
            factory.db, access(**principal), ProviderQuery(), PageParams(limit=10, cursor=None)
        )
        return [item.name for item in page.items]

    assert await names(kind="anonymous", role=None) == [published.name]
    assert sorted(await names(**COORDINATOR_02)) == sorted([published.name, other.name])
    assert await names(role=Role.PROVIDER_STAFF, provider_id=draft.id, regions=("01",)) == [
        draft.name,
        published.name,
    ]
