"""The rules on offers, checked on the service itself (the API and the import call them)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import service
from offers.catalogue.models import NO_UPCOMING_SESSION
from offers.catalogue.schemas import OfferCreate, OfferQuery
from offers.providers import service as providers_service
from offers.vocabulary import PublicationStatus
from shared.pagination import PageParams
from shared.principal import Role
from shared.problems import ProblemError
from shared.testing import english, english_issue

from ..factories import OFFER, Factory, access


def test_all_publics_excludes_naming_others() -> None:
    assert english(service.check({"target_publics": ["all"]})) == []
    assert english(service.check({"target_publics": ["all", "women"]})) == [
        ("target_publics", "'all' already includes every other public")
    ]


async def test_an_archived_provider_takes_no_new_offer(factory: Factory, db: AsyncSession) -> None:
    provider = await factory.provider()
    await providers_service.archive(db, factory.admin, provider, None)
    assert english(service.provider_issues(provider, "provider_id")) == [
        ("provider_id", "the provider is archived")
    ]
    data = OfferCreate.model_validate(OFFER | {"provider_id": provider.id})
    with pytest.raises(ProblemError) as refused:
        await service.create(db, factory.admin, provider, data)
    assert refused.value.status == 422
    assert refused.value.errors is not None
    assert refused.value.errors[0].reason == "the provider is archived"


async def test_a_provider_outside_the_scope_is_like_a_missing_one(
    factory: Factory, db: AsyncSession
) -> None:
    provider = await factory.provider()
    data = OfferCreate.model_validate(OFFER | {"provider_id": provider.id})
    coordinator = access(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    for given in (provider, None):
        with pytest.raises(ProblemError) as refused:
            await service.create(db, coordinator, given, data)
        assert refused.value.errors is not None
        assert refused.value.errors[0].reason == "no provider in your scope has this id"


async def test_publish_the_provider_before_its_offers(factory: Factory, db: AsyncSession) -> None:
    provider = await factory.provider(publish=False)
    offer = await factory.offer(provider, publish=False)
    assert english_issue(
        service.publication_issue(PublicationStatus.PUBLISHED.value, provider)
    ) == (
        "status",
        "publish the provider before its offers",
    )
    with pytest.raises(ProblemError) as refused:
        await service.publish(db, factory.admin, offer, provider, None)
    assert (refused.value.status, refused.value.slug) == (409, "provider-not-published")
    await providers_service.publish(db, factory.admin, provider, None)
    published = await service.publish(db, factory.admin, offer, provider, None)
    assert published.status == PublicationStatus.PUBLISHED


async def test_a_new_offer_is_stored_with_its_derived_columns(factory: Factory) -> None:
    provider = await factory.provider(region="02", province="02.411", name="Centre d'Oujda")
    offer = await factory.offer(
        provider, title_fr="Soudure à l'arc", title_ar="اللحام", publish=False
    )
    assert (offer.region, offer.province) == ("02", "02.411")
    assert offer.title_key == "soudure a l arc"
    assert offer.search_text == "soudure a l arc اللحام centre d oujda"
    assert offer.next_start_date == NO_UPCOMING_SESSION
    assert (offer.version, offer.status) == (1, PublicationStatus.DRAFT)


async def test_a_session_moves_the_next_start_date(factory: Factory, db: AsyncSession) -> None:
    offer = await factory.offer()
    await factory.session(offer, start_date="2027-03-01", end_date="2027-05-01")
    await factory.session(offer, start_date="2027-02-01", end_date="2027-05-01")
    await db.refresh(offer)
    assert offer.next_start_date == date(2027, 2, 1)
    assert service.to_read(offer, offer.updated_at).next_session_start_date == date(2027, 2, 1)
    # Deriving columns is not an edit: the version an editor holds stays valid.
    assert offer.version == 2  # created, then published


async def test_a_published_offer_is_archived_not_deleted(
    factory: Factory, db: AsyncSession
) -> None:
    offer = await factory.offer()
    with pytest.raises(ProblemError) as refused:
        await service.delete(db, offer, None)
    assert refused.value.slug == "offer-published"


async def test_staff_see_their_drafts_and_everyone_the_published_offers(
    factory: Factory,
) -> None:
    provider = await factory.provider()
    published = await factory.offer(provider, title_fr="Publiée")
    draft = await factory.offer(provider, title_fr="Brouillon", publish=False)
    page = PageParams(limit=10, cursor=None)
    query = OfferQuery.model_validate({"sort": "title"})
    anonymous = await service.list_offers(
        factory.db, access(kind="anonymous", role=None), query, page
    )
    staff = access(role=Role.PROVIDER_STAFF, provider_id=provider.id, regions=("01",))
    own = await service.list_offers(factory.db, staff, query, page)
    assert [item.id for item in anonymous.items] == [published.id]
    assert [item.id for item in own.items] == [draft.id, published.id]
