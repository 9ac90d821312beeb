"""Rules on offers: scope, coherence, publication, the score shown with each offer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import quality, repository, summary
from offers.catalogue.models import NO_UPCOMING_SESSION, Offer
from offers.catalogue.schemas import OfferCreate, OfferRead, OfferSort, OfferUpdate
from offers.lifecycle import duplicate_external_id, flush_new, move
from offers.providers import repository as providers_repository
from offers.providers.models import Provider
from offers.vocabulary import KAFAAT_SOURCE, PublicationStatus, TargetPublic
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import PageParams
from shared.problems import FieldIssue, ProblemError, not_found, out_of_scope, raise_if_invalid
from shared.writes import apply_changes, flush_update

KIND = "offer"
# Editing these changes the derived columns (search text, quality).
_DERIVED_INPUTS = frozenset({"title_fr", "title_ar", "description", "objectives", "duration_hours"})


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Problems between fields of a whole offer record."""
    problems: list[FieldIssue] = []
    publics = values.get("target_publics") or []
    if TargetPublic.ALL in publics and len(publics) > 1:
        problems.append(("target_publics", "'all' already includes every other public"))
    return problems


def read_values(offer: Offer, now: datetime) -> dict[str, Any]:
    """The fields of the offer as callers see it, with today's quality score."""
    loaded = offer.__dict__
    values = {
        name: loaded[name] if name in loaded else getattr(offer, name)
        for name in _READ_FROM_COLUMNS
    }
    scored = quality.score(
        values["quality_base"],
        values["quality_gaps"],
        values["last_start_date"],
        values["updated_at"],
        now.date(),
    )
    next_start = values["next_start_date"]
    values["next_session_start_date"] = None if next_start == NO_UPCOMING_SESSION else next_start
    values["is_free"] = values["cost_mad"] == 0
    values["quality"] = {"score": scored.score, "missing": scored.missing}
    return values


def to_read(offer: Offer, now: datetime) -> OfferRead:
    return OfferRead.model_validate(read_values(offer, now))


# Columns read to build an OfferRead (the derived fields come from the last five).
_READ_FROM_COLUMNS = (
    *(
        name
        for name in OfferRead.model_fields
        if name not in {"is_free", "next_session_start_date", "quality"}
    ),
    "next_start_date",
    "last_start_date",
    "quality_base",
    "quality_gaps",
)


async def get_visible(session: AsyncSession, access: Access, offer_id: UUID) -> Offer:
    offer = await repository.get(session, offer_id)
    if offer is None or not access.may_see(offer.status, offer.region, offer.provider_id):
        raise not_found(KIND, offer_id)
    return offer


async def get_editable(session: AsyncSession, access: Access, offer_id: UUID) -> Offer:
    offer = await repository.get(session, offer_id)
    if offer is None or not access.may_edit(offer.region, offer.provider_id):
        raise not_found(KIND, offer_id)
    return offer


async def list_offers(
    session: AsyncSession,
    access: Access,
    filters: repository.OfferFilters,
    sort: OfferSort,
    page: PageParams,
    now: datetime,
) -> tuple[list[Offer], str | None]:
    visible = access.visible(Offer.status, Offer.region, Offer.provider_id)
    return await repository.list_page(session, filters, visible, sort, page, now)


async def editable_provider(
    session: AsyncSession, access: Access, provider_id: UUID, field: str = "provider_id"
) -> Provider:
    """The provider an offer is added to, when the caller may add offers to it."""
    provider = await providers_repository.get(session, provider_id)
    if provider is None or not access.may_edit(provider.region, provider.id):
        raise out_of_scope(field, "no such provider, or not one you may add offers to")
    if provider.status == PublicationStatus.ARCHIVED:
        raise out_of_scope(field, "the provider is archived")
    return provider


async def create(session: AsyncSession, access: Access, data: OfferCreate) -> Offer:
    provider = await editable_provider(session, access, data.provider_id)
    values = data.model_dump(exclude={"source", "external_id"})
    raise_if_invalid(check(values))
    offer_id = uuid4()
    source = data.source or KAFAAT_SOURCE
    external_id = data.external_id or str(offer_id)
    if await repository.exists_external_id(session, source, external_id):
        raise duplicate_external_id(source, external_id)
    now = utcnow()
    offer = Offer(
        id=offer_id,
        **values,
        region=provider.region,
        province=provider.province,
        title_key=summary.title_key(data.title_fr),
        search_text=summary.search_text(data.title_fr, data.title_ar, provider.name_key),
        status=PublicationStatus.DRAFT.value,
        source=source,
        external_id=external_id,
        created_at=now,
        updated_at=now,
    )
    session.add(offer)
    await flush_new(session, source, external_id)
    await summary.refresh(session, [offer.id])
    await session.refresh(offer)
    return offer


async def update(
    session: AsyncSession, offer: Offer, data: OfferUpdate, if_match: str | None
) -> Offer:
    changes = data.model_dump(exclude_unset=True)
    merged = {name: getattr(offer, name) for name in OfferUpdate.model_fields} | changes
    raise_if_invalid(check(merged))
    if apply_changes(offer, changes, if_match):
        await flush_update(session)
        if _DERIVED_INPUTS & changes.keys():
            await summary.refresh(session, [offer.id])
            await session.refresh(offer)
    return offer


async def delete(session: AsyncSession, offer: Offer, if_match: str | None) -> None:
    """Delete an offer that is not published, with its sessions."""
    check_if_match(if_match, offer.version)
    if offer.status == PublicationStatus.PUBLISHED:
        raise ProblemError(
            409, "A published offer is archived, not deleted.", slug="offer-published"
        )
    if await repository.seats_held(session, offer.id):
        raise ProblemError(
            409,
            "Seats are reserved in sessions of this offer; release them first.",
            slug="seats-reserved",
        )
    await session.delete(offer)
    await flush_update(session)


async def publish(
    session: AsyncSession, access: Access, offer: Offer, if_match: str | None
) -> Offer:
    _require_publisher(access, offer)
    provider = await providers_repository.get(session, offer.provider_id)
    if provider is None or provider.status != PublicationStatus.PUBLISHED:
        raise ProblemError(
            409,
            "The offer's provider is not published; publish the provider first.",
            slug="provider-not-published",
        )
    move(offer, PublicationStatus.PUBLISHED, if_match, KIND)
    await flush_update(session)
    return offer


async def archive(
    session: AsyncSession, access: Access, offer: Offer, if_match: str | None
) -> Offer:
    _require_publisher(access, offer)
    move(offer, PublicationStatus.ARCHIVED, if_match, KIND)
    await flush_update(session)
    return offer


async def archive_all_of_provider(session: AsyncSession, provider_id: UUID) -> None:
    await repository.archive_published_of_provider(session, provider_id, utcnow())


def _require_publisher(access: Access, offer: Offer) -> None:
    if not access.may_publish(offer.region):
        raise ProblemError(
            403,
            "Only the coordinators of its region may publish or archive an offer.",
            slug="forbidden",
        )
