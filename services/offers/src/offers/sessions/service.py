"""Rules on sessions: coherent dates and counts, scope through the offer, atomic seats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import repository as catalogue_repository
from offers.catalogue import summary
from offers.catalogue.models import Offer
from offers.catalogue.quality import MAX_HOURS_A_DAY
from offers.lifecycle import duplicate_external_id, flush_new
from offers.sessions import repository
from offers.sessions.models import SeatReservation, TrainingSession
from offers.sessions.schemas import (
    OfferBrief,
    ReservationRead,
    SessionCreate,
    SessionRead,
    SessionSort,
    SessionUpdate,
)
from offers.vocabulary import (
    KAFAAT_SOURCE,
    PublicationStatus,
    ReservationStatus,
    SessionStatus,
)
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.fields import province_problem
from shared.pagination import PageParams
from shared.problems import (
    FieldIssue,
    FieldProblem,
    ProblemError,
    not_found,
    out_of_scope,
    raise_if_invalid,
)
from shared.writes import apply_changes, flush_update

KIND = "session"
_REPORTING_STATUSES = frozenset({SessionStatus.RUNNING.value, SessionStatus.COMPLETED.value})
_NOT_STARTED = frozenset({SessionStatus.PLANNED.value, SessionStatus.OPEN.value})


def check(values: Mapping[str, Any], seats_reserved: int = 0) -> list[FieldIssue]:
    """Problems between fields of a whole session record."""
    problems: list[FieldIssue] = []
    start, end = values["start_date"], values["end_date"]
    if end < start:
        problems.append(("end_date", f"the session ends ({end}) before it starts ({start})"))
    deadline = values.get("registration_deadline")
    if deadline is not None and deadline > end:
        problems.append(
            ("registration_deadline", f"registrations close ({deadline}) after the end ({end})")
        )
    reason = province_problem(values["region"], values.get("province"))
    if reason:
        problems.append(("province", reason))
    if values["seats_total"] < seats_reserved:
        problems.append(
            ("seats_total", f"{seats_reserved} seats are already reserved; release some first")
        )
    enrolled, completed, certified = (
        values.get("enrolled"),
        values.get("completed"),
        values.get("certified"),
    )
    if values["status"] not in _REPORTING_STATUSES:
        for name, value in (
            ("enrolled", enrolled),
            ("completed", completed),
            ("certified", certified),
        ):
            if value is not None:
                problems.append((name, "reported once the session is running or completed"))
    if completed is not None and enrolled is not None and completed > enrolled:
        problems.append(("completed", "more people completed than enrolled"))
    if certified is not None and completed is not None and certified > completed:
        problems.append(("certified", "more people certified than completed"))
    return problems


def check_status_input(status: str | None, previous: str | None = None) -> list[FieldIssue]:
    if status == SessionStatus.FULL and previous != SessionStatus.FULL:
        return [("status", "'full' is set by reservations; use 'open' or 'planned'")]
    return []


def warnings(
    values: Mapping[str, Any], duration_hours: int | None, today: date
) -> list[FieldIssue]:
    """Doubtful but acceptable values: the import reports them and the quality score counts
    them."""
    found: list[FieldIssue] = []
    start, end = values["start_date"], values["end_date"]
    deadline = values.get("registration_deadline")
    if deadline is not None and deadline > start:
        found.append(("registration_deadline", "registrations close after the session starts"))
    status = str(values["status"])
    if status in _NOT_STARTED and end < today:
        found.append(("status", f"the session ended on {end} but is still '{status}'"))
    days = (end - start).days + 1
    if duration_hours is not None and duration_hours > days * MAX_HOURS_A_DAY and end >= start:
        found.append(("end_date", f"{days} day(s) are too short for {duration_hours} hours"))
    return found


def read_values(training: TrainingSession) -> dict[str, Any]:
    loaded = training.__dict__
    values = {
        name: loaded[name] if name in loaded else getattr(training, name)
        for name in _READ_FROM_COLUMNS
    }
    offer = training.offer.__dict__
    values["offer"] = {name: offer[name] for name in OfferBrief.model_fields}
    values["seats_remaining"] = values["seats_total"] - values["seats_reserved"]
    return values


def to_read(training: TrainingSession) -> SessionRead:
    return SessionRead.model_validate(read_values(training))


_READ_FROM_COLUMNS = tuple(
    name for name in SessionRead.model_fields if name not in {"offer", "seats_remaining"}
)


async def get_visible(session: AsyncSession, access: Access, session_id: UUID) -> TrainingSession:
    training = await repository.get(session, session_id)
    if training is None:
        raise not_found(KIND, session_id)
    offer = training.offer
    if not access.may_see(offer.status, offer.region, offer.provider_id):
        raise not_found(KIND, session_id)
    return training


async def get_editable(session: AsyncSession, access: Access, session_id: UUID) -> TrainingSession:
    training = await repository.get(session, session_id)
    if training is None or not access.may_edit(training.offer.region, training.offer.provider_id):
        raise not_found(KIND, session_id)
    return training


async def list_sessions(
    session: AsyncSession,
    access: Access,
    filters: repository.SessionFilters,
    sort: SessionSort,
    page: PageParams,
    now: datetime,
) -> tuple[list[TrainingSession], str | None]:
    visible = access.visible(Offer.status, Offer.region, Offer.provider_id)
    return await repository.list_page(session, filters, visible, sort, page, now)


async def editable_offer(
    session: AsyncSession, access: Access, offer_id: UUID, field: str = "offer_id"
) -> Offer:
    """The offer a session is added to, when the caller may edit it."""
    offer = await catalogue_repository.get(session, offer_id)
    if offer is None or not access.may_edit(offer.region, offer.provider_id):
        raise out_of_scope(field, "no such offer, or not one you may add sessions to")
    if offer.status == PublicationStatus.ARCHIVED:
        raise out_of_scope(field, "the offer is archived")
    return offer


async def create(session: AsyncSession, access: Access, data: SessionCreate) -> TrainingSession:
    await editable_offer(session, access, data.offer_id)
    values = data.model_dump(exclude={"source", "external_id"})
    raise_if_invalid(check_status_input(data.status) + check(values))
    session_id = uuid4()
    source = data.source or KAFAAT_SOURCE
    external_id = data.external_id or str(session_id)
    if await repository.exists_external_id(session, source, external_id):
        raise duplicate_external_id(source, external_id)
    now = utcnow()
    training = TrainingSession(
        id=session_id,
        **values,
        seats_reserved=0,
        source=source,
        external_id=external_id,
        created_at=now,
        updated_at=now,
    )
    session.add(training)
    await flush_new(session, source, external_id)
    await summary.refresh(session, [data.offer_id], sessions_only=True)
    created = await repository.get(session, session_id)
    assert created is not None
    return created


async def update(
    session: AsyncSession, training: TrainingSession, data: SessionUpdate, if_match: str | None
) -> TrainingSession:
    changes = data.model_dump(exclude_unset=True)
    merged = {name: getattr(training, name) for name in SessionUpdate.model_fields} | changes
    problems = check_status_input(data.status, training.status) if "status" in changes else []
    raise_if_invalid(problems + check(merged, training.seats_reserved))
    if apply_changes(training, changes, if_match):
        await flush_update(session)
        await summary.refresh(session, [training.offer_id], sessions_only=True)
    return training


async def delete(session: AsyncSession, training: TrainingSession, if_match: str | None) -> None:
    check_if_match(if_match, training.version)
    if training.seats_reserved:
        raise ProblemError(
            409,
            f"{training.seats_reserved} seats are reserved; release them or cancel the session.",
            slug="seats-reserved",
        )
    offer_id = training.offer_id
    await session.delete(training)
    await flush_update(session)
    await summary.refresh(session, [offer_id], sessions_only=True)


def _reservation_read(reservation: SeatReservation, seats_remaining: int) -> ReservationRead:
    return ReservationRead(
        id=reservation.id,
        session_id=reservation.session_id,
        seats=reservation.seats,
        status=ReservationStatus(reservation.status),
        created_at=reservation.created_at,
        released_at=reservation.released_at,
        session_seats_remaining=seats_remaining,
    )


def _key_reused() -> ProblemError:
    return ProblemError(
        422,
        "This Idempotency-Key already reserved a different number of seats in this session.",
        slug="idempotency-key-reused",
        title="Idempotency key reused",
        errors=[FieldProblem(field="header.idempotency-key", reason="used with another body")],
    )


async def _seats_remaining(session: AsyncSession, session_id: UUID) -> int:
    counts = await repository.seat_counts(session, session_id)
    return int(counts.seats_total - counts.seats_reserved) if counts else 0


async def _replay(session: AsyncSession, existing: SeatReservation, seats: int) -> ReservationRead:
    if existing.seats != seats:
        raise _key_reused()
    return _reservation_read(existing, await _seats_remaining(session, existing.session_id))


async def reserve(
    session: AsyncSession,
    training: TrainingSession,
    key: str,
    seats: int,
    reserved_by: str,
) -> ReservationRead:
    """Reserve seats once per key.

    The reservation row is written first: its unique (session, key) makes a concurrent twin wait
    for the first to commit, fail, and replay it. Then one conditional UPDATE takes the seats;
    when it cannot, the caller gets 409 and the transaction, reservation row included, rolls
    back.
    """
    session_id = training.id
    existing = await repository.reservation_by_key(session, session_id, key)
    if existing is not None:
        return await _replay(session, existing, seats)
    now = utcnow()
    reservation = SeatReservation(
        id=uuid4(),
        session_id=session_id,
        key=key,
        seats=seats,
        status=ReservationStatus.HELD.value,
        reserved_by=reserved_by,
        created_at=now,
    )
    session.add(reservation)
    try:
        await session.flush()
    except IntegrityError:
        # The twin committed first. The failed INSERT aborted this transaction, which had
        # written nothing else: roll it back and answer what the twin answered. (No SAVEPOINT:
        # on SQLite one opened outside a transaction would commit the row on release.)
        await session.rollback()
        twin = await repository.reservation_by_key(session, session_id, key)
        if twin is None:
            raise
        return await _replay(session, twin, seats)
    if not await repository.take_seats(session, session_id, seats, now.date(), now):
        raise await _no_seats(session, session_id, seats, now.date())
    return _reservation_read(reservation, await _seats_remaining(session, session_id))


async def _no_seats(
    session: AsyncSession, session_id: UUID, seats: int, today: date
) -> ProblemError:
    counts = await repository.seat_counts(session, session_id)
    if counts is None:
        return not_found(KIND, session_id)
    if counts.status != SessionStatus.OPEN and counts.status != SessionStatus.FULL:
        return ProblemError(
            409,
            f"Registrations are not open for this session (it is '{counts.status}').",
            slug="session-not-open",
        )
    if counts.registration_deadline is not None and counts.registration_deadline < today:
        return ProblemError(
            409,
            f"Registrations closed on {counts.registration_deadline}.",
            slug="registration-closed",
        )
    remaining = counts.seats_total - counts.seats_reserved
    return ProblemError(
        409,
        f"Not enough seats left: {seats} asked, {remaining} of {counts.seats_total} left.",
        slug="no-seats-left",
        extra={"seats_remaining": remaining, "seats_total": counts.seats_total},
    )


async def get_reservation(
    session: AsyncSession, training: TrainingSession, reservation_id: UUID
) -> ReservationRead:
    reservation = await repository.reservation(session, training.id, reservation_id)
    if reservation is None:
        raise not_found("reservation", reservation_id)
    return _reservation_read(reservation, await _seats_remaining(session, training.id))


async def release(session: AsyncSession, training: TrainingSession, reservation_id: UUID) -> None:
    """Give the seats back, once: releasing a released reservation changes nothing."""
    reservation = await repository.reservation(session, training.id, reservation_id)
    if reservation is None:
        raise not_found("reservation", reservation_id)
    now = utcnow()
    if await repository.mark_released(session, reservation_id, now):
        await repository.give_back_seats(session, training.id, reservation.seats, now)
