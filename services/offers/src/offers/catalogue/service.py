"""Rules on offers: scope through the provider, coherence, publication, derived columns and the
score shown with each offer.

The checks and the row-building here serve the API (one offer through the ORM) and the bulk
import (thousands through set-based writes) alike. An offer's provider is handed in by the
caller (the providers domain sits above this one: it archives and refreshes offers).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import quality, repository, summary
from offers.catalogue.models import NO_UPCOMING_SESSION, Offer
from offers.catalogue.schemas import OfferCreate, OfferQuery, OfferRead, OfferUpdate
from offers.lifecycle import duplicate_external_id, flush_new, move, new_stamps
from offers.vocabulary import KAFAAT_SOURCE, PublicationStatus, TargetPublic
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, ProblemError, not_found, out_of_scope, raise_if_invalid
from shared.writes import apply_changes, flush_update

KIND = "offer"
# Editing these changes the derived columns (search text, quality).
_DERIVED_INPUTS = frozenset({"title_fr", "title_ar", "description", "objectives", "duration_hours"})
_PUBLISHED = PublicationStatus.PUBLISHED.value
_ARCHIVED = PublicationStatus.ARCHIVED.value


class ParentProvider(Protocol):
    """What an offer needs of its provider (an ORM object or a row read by the import)."""

    @property
    def id(self) -> UUID: ...
    @property
    def region(self) -> str: ...
    @property
    def province(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def name_key(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Problems between fields of a whole offer record."""
    issues: list[FieldIssue] = []
    publics = values.get("target_publics") or []
    if TargetPublic.ALL in publics and len(publics) > 1:
        issues.append(("target_publics", "all_includes_every_public"))
    return issues


def may_add_to(access: Access, provider: ParentProvider) -> bool:
    """Whether the caller may add offers to ``provider`` (or change those it has)."""
    return access.may_edit(provider.region, provider.id)


def provider_issues(
    provider: ParentProvider, field: str, current_provider_id: UUID | None = None
) -> list[FieldIssue]:
    """Why an offer cannot be written under ``provider`` (one already stored under
    ``current_provider_id``)."""
    issues: list[FieldIssue] = []
    if provider.status == _ARCHIVED:
        issues.append((field, "provider_archived"))
    if current_provider_id is not None and current_provider_id != provider.id:
        issues.append((field, "offer_cannot_move"))
    return issues


def publication_issue(status: str, provider: ParentProvider) -> FieldIssue | None:
    """A published offer needs a published provider."""
    if status == _PUBLISHED and provider.status != _PUBLISHED:
        return ("status", "publish_provider_first")
    return None


def warnings(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Doubtful but acceptable values (the import reports them, the quality score counts them)."""
    if len(values["description"]) < 100:
        return [("description", "description_short")]
    return []


def stored_values(
    values: Mapping[str, Any], provider: ParentProvider, status: str
) -> dict[str, Any]:
    """The editable columns an offer with these field values is stored with."""
    return {**values, "provider_id": provider.id, "status": status}


def new_row(
    values: Mapping[str, Any],
    *,
    offer_id: UUID,
    provider: ParentProvider,
    source: str,
    external_id: str,
    status: str,
    now: datetime,
    sessions: list[quality.SessionDates] | None = None,
) -> dict[str, Any]:
    """Every column of a new offer, derived ones included (its only ``sessions`` are those about
    to be written with it)."""
    derived = summary.text_part(
        title_fr=values["title_fr"],
        title_ar=values["title_ar"],
        provider_name_key=provider.name_key,
        provider_region=provider.region,
        provider_province=provider.province,
    ) | summary.session_part(
        description_length=len(values["description"]),
        objectives_length=len(values["objectives"] or ""),
        duration_hours=values["duration_hours"],
        provider_phone=provider.phone,
        provider_email=provider.email,
        sessions=sessions or [],
    )
    return {
        **stored_values(values, provider, status),
        **derived,
        "id": offer_id,
        "source": source,
        "external_id": external_id,
        **new_stamps(status, now),
    }


def read_values(offer: Offer, now: datetime) -> dict[str, Any]:
    """The fields of the offer as callers see it, with today's quality score."""
    values = {name: getattr(offer, name) for name in _READ_FROM_COLUMNS}
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


async def get(db: AsyncSession, offer_id: UUID) -> Offer | None:
    """The offer, whoever may see it (for the records that refer to it)."""
    return await repository.get(db, offer_id)


async def get_visible(db: AsyncSession, access: Access, offer_id: UUID) -> Offer:
    offer = await repository.get(db, offer_id)
    if offer is None or not access.may_see(offer.status, offer.region, offer.provider_id):
        raise not_found(KIND, offer_id)
    return offer


async def get_editable(db: AsyncSession, access: Access, offer_id: UUID) -> Offer:
    offer = await repository.get(db, offer_id)
    if offer is None or not access.may_edit(offer.region, offer.provider_id):
        raise not_found(KIND, offer_id)
    return offer


async def list_offers(
    db: AsyncSession, access: Access, filters: OfferQuery, page: PageParams
) -> Page[OfferRead]:
    now = utcnow()
    rows, next_cursor = await repository.list_page(db, access, filters, page, now)
    # One validation of the whole page, in pydantic's core.
    return Page[OfferRead].model_validate(
        {"items": [read_values(row, now) for row in rows], "next_cursor": next_cursor}
    )


async def create(
    db: AsyncSession, access: Access, provider: ParentProvider | None, data: OfferCreate
) -> Offer:
    """Add a draft offer to ``provider`` (the one ``data.provider_id`` names, None when there is
    none)."""
    if provider is None or not may_add_to(access, provider):
        raise out_of_scope("provider_id", "no_provider_in_scope")
    for issue in provider_issues(provider, "provider_id"):
        raise out_of_scope(*issue)
    values = data.model_dump(exclude={"source", "external_id"})
    raise_if_invalid(check(values))
    offer_id = uuid4()
    source = data.source or KAFAAT_SOURCE
    external_id = data.external_id or str(offer_id)
    if await repository.exists_external_id(db, source, external_id):
        raise duplicate_external_id(source, external_id)
    row = new_row(
        values,
        offer_id=offer_id,
        provider=provider,
        source=source,
        external_id=external_id,
        status=PublicationStatus.DRAFT.value,
        now=utcnow(),
    )
    offer = Offer(**row)
    db.add(offer)
    await flush_new(db, source, external_id)
    return offer


async def update(db: AsyncSession, offer: Offer, data: OfferUpdate, if_match: str | None) -> Offer:
    changes = data.model_dump(exclude_unset=True)
    merged = {name: getattr(offer, name) for name in OfferUpdate.model_fields} | changes
    raise_if_invalid(check(merged))
    if apply_changes(offer, changes, if_match):
        await flush_update(db)
        if _DERIVED_INPUTS & changes.keys():
            await summary.refresh(db, [offer.id])
            await db.refresh(offer)
    return offer


async def delete(db: AsyncSession, offer: Offer, if_match: str | None) -> None:
    """Delete an offer that is not published, with its sessions."""
    check_if_match(if_match, offer.version)
    if offer.status == PublicationStatus.PUBLISHED:
        raise ProblemError(409, "offer_published", slug="offer-published")
    if await repository.seats_held(db, offer.id):
        raise ProblemError(
            409,
            "offer_seats_reserved",
            slug="seats-reserved",
        )
    await db.delete(offer)
    await flush_update(db)


async def publish(
    db: AsyncSession,
    access: Access,
    offer: Offer,
    provider: ParentProvider | None,
    if_match: str | None,
) -> Offer:
    """Publish ``offer`` of ``provider`` (its own, as loaded by the caller)."""
    _require_publisher(access, offer)
    if provider is None or publication_issue(_PUBLISHED, provider) is not None:
        raise ProblemError(
            409,
            "provider_not_published",
            slug="provider-not-published",
        )
    move(offer, PublicationStatus.PUBLISHED, if_match, KIND)
    await flush_update(db)
    return offer


async def archive(db: AsyncSession, access: Access, offer: Offer, if_match: str | None) -> Offer:
    _require_publisher(access, offer)
    move(offer, PublicationStatus.ARCHIVED, if_match, KIND)
    await flush_update(db)
    return offer


def _require_publisher(access: Access, offer: Offer) -> None:
    if not access.may_publish(offer.region):
        raise ProblemError(
            403,
            "offer_publication_forbidden",
            slug="forbidden",
        )


# --- what the domains above (providers, sessions, the import) ask of offers -------------------


async def archive_all_of_provider(db: AsyncSession, provider_id: UUID) -> None:
    await repository.archive_published_of_provider(db, provider_id, utcnow())


async def count_of_provider(db: AsyncSession, provider_id: UUID) -> int:
    return await repository.count_of_provider(db, provider_id)


async def ids_of_providers(db: AsyncSession, provider_ids: Collection[UUID]) -> list[UUID]:
    return await repository.ids_of_providers(db, provider_ids)


async def refresh_derived(
    db: AsyncSession, offer_ids: Collection[UUID], *, sessions_only: bool = False
) -> None:
    """Recompute the derived columns of these offers (see :func:`summary.refresh`)."""
    await summary.refresh(db, offer_ids, sessions_only=sessions_only)


async def refresh_of_providers(db: AsyncSession, provider_ids: Sequence[UUID]) -> None:
    """Recompute the derived columns of every offer of these providers (renamed, moved…)."""
    await summary.refresh(db, await repository.ids_of_providers(db, provider_ids))
