"""Every SQL query on offers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import quality
from offers.catalogue.models import DERIVED, Offer
from offers.catalogue.schemas import OfferQuery, OfferSort
from offers.providers.models import Provider
from offers.repository import only_visible, public_clause, search_clauses
from offers.sessions.models import TrainingSession
from offers.vocabulary import PublicationStatus, SessionStatus
from shared import bulk
from shared.pagination import PageParams, SortKey, paginate, where_equal

offer_table = cast(Table, Offer.__table__)


SORT_KEYS: dict[OfferSort, list[SortKey]] = {
    OfferSort.START_DATE: [SortKey(Offer.next_start_date), SortKey(Offer.id)],
    OfferSort.TITLE: [SortKey(Offer.title_key), SortKey(Offer.id)],
    OfferSort.UPDATED: [SortKey(Offer.updated_at), SortKey(Offer.id)],
    OfferSort.RECENT: [
        SortKey(Offer.updated_at, descending=True),
        SortKey(Offer.id, descending=True),
    ],
}


def session_clauses(
    starts_after: date | None, starts_before: date | None, has_seats: bool | None
) -> list[ColumnElement[bool]]:
    """Conditions on one session of the offer (all must hold for the same session)."""
    clauses: list[ColumnElement[bool]] = []
    if starts_after is not None or starts_before is not None:
        clauses.append(TrainingSession.status != SessionStatus.CANCELLED.value)
    if starts_after is not None:
        clauses.append(TrainingSession.start_date >= starts_after)
    if starts_before is not None:
        clauses.append(TrainingSession.start_date <= starts_before)
    if has_seats:
        clauses.append(TrainingSession.status == SessionStatus.OPEN.value)
        clauses.append(TrainingSession.seats_reserved < TrainingSession.seats_total)
    return clauses


def filtered(access: Access, filters: OfferQuery, now: datetime) -> Select[Any]:
    statement: Select[Any] = select(Offer)
    statement = only_visible(statement, access, Offer.status, Offer.region, Offer.provider_id)
    statement = where_equal(
        statement,
        {
            Offer.status: filters.status,
            Offer.region: filters.region,
            Offer.province: filters.province,
            Offer.sector: filters.sector,
            Offer.isced_field: filters.isced,
            Offer.mode: filters.mode,
            Offer.provider_id: filters.provider_id,
        },
    )
    if filters.public is not None:
        statement = statement.where(public_clause(Offer.target_publics, filters.public))
    if filters.free is not None:
        statement = statement.where(Offer.cost_mad == 0 if filters.free else Offer.cost_mad > 0)
    if filters.updated_since is not None:
        statement = statement.where(Offer.updated_at >= filters.updated_since)
    if filters.min_quality is not None:
        score = quality.score_expression(
            Offer.quality_base, Offer.last_start_date, Offer.updated_at, now
        )
        statement = statement.where(score >= filters.min_quality)
    statement = statement.where(*search_clauses(filters.q, Offer.search_text))
    one_session = session_clauses(filters.starts_after, filters.starts_before, filters.has_seats)
    if one_session:
        statement = statement.where(
            exists().where(TrainingSession.offer_id == Offer.id, *one_session)
        )
    if filters.has_seats is False:
        without_seats = session_clauses(None, None, True)
        statement = statement.where(
            ~exists().where(TrainingSession.offer_id == Offer.id, *without_seats)
        )
    return statement


async def list_page(
    db: AsyncSession, access: Access, filters: OfferQuery, page: PageParams, now: datetime
) -> tuple[list[Offer], str | None]:
    statement = filtered(access, filters, now)
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"offers{sort}")


async def get(db: AsyncSession, offer_id: UUID) -> Offer | None:
    return await db.get(Offer, offer_id)


async def exists_external_id(db: AsyncSession, source: str, external_id: str) -> bool:
    statement = select(Offer.id).where(Offer.source == source, Offer.external_id == external_id)
    return (await db.scalar(statement)) is not None


async def seats_held(db: AsyncSession, offer_id: UUID) -> int:
    statement = select(func.coalesce(func.sum(TrainingSession.seats_reserved), 0)).where(
        TrainingSession.offer_id == offer_id
    )
    return int((await db.scalar(statement)) or 0)


async def archive_published_of_provider(db: AsyncSession, provider_id: UUID, now: datetime) -> None:
    table = offer_table
    await db.execute(
        update(table)
        .where(
            and_(
                table.c.provider_id == provider_id,
                table.c.status == PublicationStatus.PUBLISHED.value,
            )
        )
        .values(
            status=PublicationStatus.ARCHIVED.value, version=table.c.version + 1, updated_at=now
        )
    )


async def count_of_provider(db: AsyncSession, provider_id: UUID) -> int:
    statement = select(func.count()).select_from(Offer).where(Offer.provider_id == provider_id)
    return int((await db.scalar(statement)) or 0)


async def ids_of_providers(db: AsyncSession, provider_ids: Collection[UUID]) -> list[UUID]:
    if not provider_ids:
        return []
    statement = select(Offer.id).where(bulk.among(db, Offer.provider_id, provider_ids))
    return list((await db.scalars(statement)).all())


async def derivation_inputs(
    db: AsyncSession, offer_ids: Sequence[UUID], *, sessions_only: bool
) -> Sequence[Any]:
    """What the derived columns of these offers are computed from, with the stored values
    (unless ``sessions_only``: then only what the session-derived columns need)."""
    selected: list[Any] = [
        Offer.id,
        func.length(Offer.description).label("description_length"),
        func.coalesce(func.length(Offer.objectives), 0).label("objectives_length"),
        Offer.duration_hours,
        Provider.phone.label("provider_phone"),
        Provider.email.label("provider_email"),
    ]
    if not sessions_only:
        selected += [
            Offer.title_fr,
            Offer.title_ar,
            *(getattr(Offer, name) for name in DERIVED),
            Provider.name_key.label("provider_name_key"),
            Provider.region.label("provider_region"),
            Provider.province.label("provider_province"),
        ]
    statement = (
        select(*selected)
        .join(Provider, Provider.id == Offer.provider_id)
        .where(bulk.among(db, Offer.id, offer_ids))
    )
    return (await db.execute(statement)).all()


async def session_dates(
    db: AsyncSession, offer_ids: Sequence[UUID]
) -> dict[UUID, list[quality.SessionDates]]:
    """The dates and status of every session of these offers."""
    rows = await db.execute(
        select(
            TrainingSession.offer_id,
            TrainingSession.start_date,
            TrainingSession.end_date,
            TrainingSession.registration_deadline,
            TrainingSession.status,
        ).where(bulk.among(db, TrainingSession.offer_id, offer_ids))
    )
    found: dict[UUID, list[quality.SessionDates]] = defaultdict(list)
    for row in rows:
        found[row.offer_id].append(
            quality.SessionDates(
                row.start_date, row.end_date, row.registration_deadline, row.status
            )
        )
    return found


async def write_derived(db: AsyncSession, changes: Sequence[dict[str, Any]]) -> None:
    """Write derived columns (each dict: ``id`` and the columns), leaving ``version`` and
    ``updated_at`` alone."""
    await bulk.update_rows(db, offer_table, changes)
