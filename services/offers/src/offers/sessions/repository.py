"""Every SQL query on sessions and seat reservations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Select, Table, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from offers.access import Access
from offers.catalogue import quality
from offers.catalogue.models import Offer
from offers.repository import only_visible, public_clause, search_clauses
from offers.sessions.models import SeatReservation, TrainingSession
from offers.sessions.schemas import SessionQuery, SessionSort
from offers.vocabulary import ReservationStatus, SessionStatus
from shared.pagination import PageParams, SortKey, paginate, where_equal

_session_table = cast(Table, TrainingSession.__table__)
_reservation_table = cast(Table, SeatReservation.__table__)


@dataclass(frozen=True)
class _OfferTitle(SortKey):
    """Sessions sorted by their offer's title: the value sits on the eagerly joined offer."""

    def value_of(self, row: Any) -> Any:
        return row.offer.title_key


SORT_KEYS: dict[SessionSort, list[SortKey]] = {
    SessionSort.START_DATE: [SortKey(TrainingSession.start_date), SortKey(TrainingSession.id)],
    SessionSort.TITLE: [_OfferTitle(Offer.title_key), SortKey(TrainingSession.id)],
    SessionSort.UPDATED: [SortKey(TrainingSession.updated_at), SortKey(TrainingSession.id)],
    SessionSort.RECENT: [
        SortKey(TrainingSession.updated_at, descending=True),
        SortKey(TrainingSession.id, descending=True),
    ],
}


def _with_offer() -> Select[Any]:
    return (
        select(TrainingSession)
        .join(Offer, Offer.id == TrainingSession.offer_id)
        .options(contains_eager(TrainingSession.offer))
    )


async def get(db: AsyncSession, session_id: UUID) -> TrainingSession | None:
    statement = _with_offer().where(TrainingSession.id == session_id)
    return (await db.scalars(statement)).one_or_none()


async def list_page(
    db: AsyncSession, access: Access, filters: SessionQuery, page: PageParams, now: datetime
) -> tuple[list[TrainingSession], str | None]:
    statement = _with_offer()
    statement = only_visible(statement, access, Offer.status, Offer.region, Offer.provider_id)
    statement = where_equal(
        statement,
        {
            TrainingSession.offer_id: filters.offer_id,
            Offer.provider_id: filters.provider_id,
            TrainingSession.region: filters.region,
            TrainingSession.province: filters.province,
            Offer.sector: filters.sector,
            Offer.isced_field: filters.isced,
            Offer.mode: filters.mode,
            TrainingSession.status: filters.status,
        },
    )
    if filters.public is not None:
        statement = statement.where(public_clause(Offer.target_publics, filters.public))
    if filters.free is not None:
        statement = statement.where(Offer.cost_mad == 0 if filters.free else Offer.cost_mad > 0)
    if filters.starts_after is not None:
        statement = statement.where(TrainingSession.start_date >= filters.starts_after)
    if filters.starts_before is not None:
        statement = statement.where(TrainingSession.start_date <= filters.starts_before)
    if filters.has_seats is not None:
        open_with_seats = (TrainingSession.status == SessionStatus.OPEN.value) & (
            TrainingSession.seats_reserved < TrainingSession.seats_total
        )
        statement = statement.where(open_with_seats if filters.has_seats else ~open_with_seats)
    if filters.min_quality is not None:
        score = quality.score_expression(
            Offer.quality_base, Offer.last_start_date, Offer.updated_at, now
        )
        statement = statement.where(score >= filters.min_quality)
    if filters.updated_since is not None:
        statement = statement.where(TrainingSession.updated_at >= filters.updated_since)
    statement = statement.where(*search_clauses(filters.q, Offer.search_text))
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"sessions{sort}")


async def exists_external_id(db: AsyncSession, source: str, external_id: str) -> bool:
    statement = select(TrainingSession.id).where(
        TrainingSession.source == source, TrainingSession.external_id == external_id
    )
    return (await db.scalar(statement)) is not None


async def seat_counts(db: AsyncSession, session_id: UUID) -> Any:
    statement = select(
        _session_table.c.seats_total,
        _session_table.c.seats_reserved,
        _session_table.c.status,
        _session_table.c.registration_deadline,
    ).where(_session_table.c.id == session_id)
    return (await db.execute(statement)).one_or_none()


async def take_seats(
    db: AsyncSession, session_id: UUID, seats: int, today: date, now: datetime
) -> bool:
    """Reserve ``seats`` in one conditional UPDATE: it succeeds only while the session is open,
    before its registration deadline, with enough seats left. Concurrent reservations queue on
    the row and each re-checks the condition, so the seats are never oversold."""
    table = _session_table
    after = table.c.seats_reserved + seats
    result = await db.execute(
        update(table)
        .where(
            table.c.id == session_id,
            table.c.status == SessionStatus.OPEN.value,
            after <= table.c.seats_total,
            or_(
                table.c.registration_deadline.is_(None),
                table.c.registration_deadline >= today,
            ),
        )
        .values(
            seats_reserved=after,
            status=case(
                (after >= table.c.seats_total, SessionStatus.FULL.value), else_=table.c.status
            ),
            version=table.c.version + 1,
            updated_at=now,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def give_back_seats(db: AsyncSession, session_id: UUID, seats: int, now: datetime) -> None:
    table = _session_table
    await db.execute(
        update(table)
        .where(table.c.id == session_id)
        .values(
            seats_reserved=table.c.seats_reserved - seats,
            status=case(
                (table.c.status == SessionStatus.FULL.value, SessionStatus.OPEN.value),
                else_=table.c.status,
            ),
            version=table.c.version + 1,
            updated_at=now,
        )
    )


async def reservation(
    db: AsyncSession, session_id: UUID, reservation_id: UUID
) -> SeatReservation | None:
    statement = select(SeatReservation).where(
        SeatReservation.id == reservation_id, SeatReservation.session_id == session_id
    )
    return (await db.scalars(statement)).one_or_none()


async def reservation_by_key(
    db: AsyncSession, session_id: UUID, reserved_by: str, key: str
) -> SeatReservation | None:
    statement = select(SeatReservation).where(
        SeatReservation.session_id == session_id,
        SeatReservation.reserved_by == reserved_by,
        SeatReservation.key == key,
    )
    return (await db.scalars(statement)).one_or_none()


async def mark_released(db: AsyncSession, reservation_id: UUID, now: datetime) -> bool:
    """Release a held reservation once: concurrent releases find it released already."""
    table = _reservation_table
    result = await db.execute(
        update(table)
        .where(table.c.id == reservation_id, table.c.status == ReservationStatus.HELD.value)
        .values(status=ReservationStatus.RELEASED.value, released_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def of_offer(db: AsyncSession, offer_id: UUID) -> list[TrainingSession]:
    statement = (
        select(TrainingSession)
        .where(TrainingSession.offer_id == offer_id)
        .order_by(TrainingSession.start_date, TrainingSession.id)
    )
    return list((await db.scalars(statement)).all())


async def add_reservation(db: AsyncSession, reservation: SeatReservation) -> bool:
    """Insert the reservation; False when a concurrent twin (same session, caller and key)
    committed first.

    The failed INSERT aborted the transaction, which had written nothing else: it is rolled back
    here so the twin can be read in a new one. (No SAVEPOINT: on SQLite one opened outside a
    transaction would commit the row on release.)
    """
    db.add(reservation)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        return False
    return True
