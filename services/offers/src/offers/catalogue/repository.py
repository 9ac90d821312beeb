"""Every SQL query on offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    Table,
    and_,
    exists,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue import quality
from offers.catalogue.models import Offer
from offers.catalogue.schemas import OfferSort
from offers.sessions.models import TrainingSession
from offers.vocabulary import PublicationStatus, SessionStatus, TargetPublic
from shared.columns import contains_code
from shared.pagination import PageParams, SortKey, paginate
from shared.text import contains_pattern, search_terms


@dataclass(frozen=True)
class OfferFilters:
    q: str | None = None
    region: str | None = None
    province: str | None = None
    sector: str | None = None
    isced: str | None = None
    mode: str | None = None
    public: str | None = None
    free: bool | None = None
    starts_after: date | None = None
    starts_before: date | None = None
    has_seats: bool | None = None
    provider_id: UUID | None = None
    min_quality: int | None = None
    updated_since: datetime | None = None
    status: str | None = None


SORT_KEYS: dict[OfferSort, list[SortKey]] = {
    OfferSort.START_DATE: [SortKey(Offer.next_start_date), SortKey(Offer.id)],
    OfferSort.TITLE: [SortKey(Offer.title_key), SortKey(Offer.id)],
    OfferSort.UPDATED: [SortKey(Offer.updated_at), SortKey(Offer.id)],
    OfferSort.RECENT: [
        SortKey(Offer.updated_at, descending=True),
        SortKey(Offer.id, descending=True),
    ],
}


def search_clauses(q: str | None, column: SQLColumnExpression[str]) -> list[ColumnElement[bool]]:
    """Every folded word of ``q`` appears in the folded ``column``."""
    return [column.like(contains_pattern(term)) for term in search_terms(q or "")]


def public_clause(column: Any, public: str) -> ColumnElement[bool]:
    """Offers meant for ``public``, or for everyone."""
    # Compared as the stored text (``,a,b,``), not as a list of codes.
    text = type_coerce(column, String)
    if public == TargetPublic.ALL:
        return text.like(contains_code(TargetPublic.ALL.value))
    return or_(text.like(contains_code(public)), text.like(contains_code(TargetPublic.ALL.value)))


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


def filtered(
    filters: OfferFilters, visible: ColumnElement[bool] | None, now: datetime
) -> Select[Any]:
    statement: Select[Any] = select(Offer)
    if visible is not None:
        statement = statement.where(visible)
    equal = {
        Offer.status: filters.status,
        Offer.region: filters.region,
        Offer.province: filters.province,
        Offer.sector: filters.sector,
        Offer.isced_field: filters.isced,
        Offer.mode: filters.mode,
        Offer.provider_id: filters.provider_id,
    }
    for column, value in equal.items():
        if value is not None:
            statement = statement.where(column == value)
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
    session: AsyncSession,
    filters: OfferFilters,
    visible: ColumnElement[bool] | None,
    sort: OfferSort,
    page: PageParams,
    now: datetime,
) -> tuple[list[Offer], str | None]:
    statement = filtered(filters, visible, now)
    return await paginate(session, statement, SORT_KEYS[sort], page, order_name=f"offers{sort}")


async def get(session: AsyncSession, offer_id: UUID) -> Offer | None:
    return await session.get(Offer, offer_id)


async def exists_external_id(session: AsyncSession, source: str, external_id: str) -> bool:
    statement = select(Offer.id).where(Offer.source == source, Offer.external_id == external_id)
    return (await session.scalar(statement)) is not None


async def seats_held(session: AsyncSession, offer_id: UUID) -> int:
    statement = select(func.coalesce(func.sum(TrainingSession.seats_reserved), 0)).where(
        TrainingSession.offer_id == offer_id
    )
    return int((await session.scalar(statement)) or 0)


async def archive_published_of_provider(
    session: AsyncSession, provider_id: UUID, now: datetime
) -> None:
    table = cast(Table, Offer.__table__)
    await session.execute(
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
