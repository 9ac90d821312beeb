"""Rules on sessions: coherent dates and counts, scope through the offer, atomic seats.

A training session is a ``session`` here; the database session is ``db``. The checks and the
row-building serve the API (one session through the ORM) and the bulk import alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.catalogue.quality import MAX_HOURS_A_DAY
from offers.lifecycle import creation_stamps, duplicate_external_id, flush_new
from offers.sessions import repository
from offers.sessions.models import SeatReservation, TrainingSession
from offers.sessions.schemas import (
    OfferBrief,
    ReservationRead,
    SessionCreate,
    SessionQuery,
    SessionRead,
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
from shared.idempotency import reused_key
from shared.pagination import Page, PageParams
from shared.problems import (
    FieldIssue,
    ProblemError,
    msg,
    not_found,
    out_of_scope,
    raise_if_invalid,
)
from shared.writes import apply_changes, flush_update

KIND = "session"
_REPORTING_STATUSES = frozenset({SessionStatus.RUNNING.value, SessionStatus.COMPLETED.value})
_NOT_STARTED = frozenset({SessionStatus.PLANNED.value, SessionStatus.OPEN.value})
_ARCHIVED = PublicationStatus.ARCHIVED.value


class ParentOffer(Protocol):
    """What a session needs of its offer (an ORM object or a row read by the import)."""

    @property
    def id(self) -> UUID: ...
    @property
    def region(self) -> str: ...
    @property
    def provider_id(self) -> UUID: ...
    @property
    def status(self) -> str: ...


def check(values: Mapping[str, Any], seats_reserved: int = 0) -> list[FieldIssue]:
    """Problems between fields of a whole session record."""
    problems: list[FieldIssue] = []
    start, end = values["start_date"], values["end_date"]
    if end < start:
        problems.append(("end_date", msg("session_ends_before_start", end=end, start=start)))
    deadline = values.get("registration_deadline")
    if deadline is not None and deadline > end:
        problems.append(
            ("registration_deadline", msg("deadline_after_end", deadline=deadline, end=end))
        )
    reason = province_problem(values["region"], values.get("province"))
    if reason:
        problems.append(("province", reason))
    if values["seats_total"] < seats_reserved:
        problems.append(("seats_total", msg("seats_already_reserved", seats=seats_reserved)))
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
                problems.append((name, "reported_once_running"))
    if completed is not None and enrolled is not None and completed > enrolled:
        problems.append(("completed", "more_completed_than_enrolled"))
    if certified is not None and completed is not None and certified > completed:
        problems.append(("certified", "more_certified_than_completed"))
    return problems


def check_status_input(status: str | None, previous: str | None = None) -> list[FieldIssue]:
    if status == SessionStatus.FULL and previous != SessionStatus.FULL:
        return [("status", "full_set_by_reservations")]
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
        found.append(("registration_deadline", "deadline_after_start"))
    status = str(values["status"])
    if status in _NOT_STARTED and end < today:
        found.append(("status", msg("ended_but_not_closed", end=end, status=status)))
    days = (end - start).days + 1
    if duration_hours is not None and duration_hours > days * MAX_HOURS_A_DAY and end >= start:
        found.append(("end_date", msg("too_short_for_hours", days=days, hours=duration_hours)))
    return found


def may_add_to(access: Access, offer: ParentOffer) -> bool:
    """Whether the caller may add sessions to ``offer`` (or change those it has)."""
    return access.may_edit(offer.region, offer.provider_id)


def offer_issues(
    offer: ParentOffer, field: str, current_offer_id: UUID | None = None
) -> list[FieldIssue]:
    """Why a session cannot be written under ``offer`` (one already stored under
    ``current_offer_id``)."""
    issues: list[FieldIssue] = []
    if offer.status == _ARCHIVED:
        issues.append((field, "offer_archived"))
    if current_offer_id is not None and current_offer_id != offer.id:
        issues.append((field, "session_cannot_move"))
    return issues


def new_row(
    values: Mapping[str, Any],
    *,
    session_id: UUID,
    offer_id: UUID,
    source: str,
    external_id: str,
    now: datetime,
) -> dict[str, Any]:
    """Every column of a new session: no seat reserved yet."""
    return {
        **values,
        "offer_id": offer_id,
        "id": session_id,
        "source": source,
        "external_id": external_id,
        "seats_reserved": 0,
        **creation_stamps(now),
    }


def read_values(session: TrainingSession) -> dict[str, Any]:
    values = {name: getattr(session, name) for name in _READ_FROM_COLUMNS}
    offer = session.offer
    values["offer"] = {name: getattr(offer, name) for name in OfferBrief.model_fields}
    values["seats_remaining"] = values["seats_total"] - values["seats_reserved"]
    return values


def to_read(session: TrainingSession) -> SessionRead:
    return SessionRead.model_validate(read_values(session))


_READ_FROM_COLUMNS = tuple(
    name for name in SessionRead.model_fields if name not in {"offer", "seats_remaining"}
)


async def get_visible(db: AsyncSession, access: Access, session_id: UUID) -> TrainingSession:
    session = await repository.get(db, session_id)
    if session is None:
        raise not_found(KIND, session_id)
    offer = session.offer
    if not access.may_see(offer.status, offer.region, offer.provider_id):
        raise not_found(KIND, session_id)
    return session


async def get_editable(db: AsyncSession, access: Access, session_id: UUID) -> TrainingSession:
    session = await repository.get(db, session_id)
    if session is None or not may_add_to(access, session.offer):
        raise not_found(KIND, session_id)
    return session


async def list_sessions(
    db: AsyncSession, access: Access, filters: SessionQuery, page: PageParams
) -> Page[SessionRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page, utcnow())
    return Page[SessionRead].model_validate(
        {"items": [read_values(row) for row in rows], "next_cursor": next_cursor}
    )


async def of_offer(db: AsyncSession, offer_id: UUID) -> list[TrainingSession]:
    """Every session of the offer, by start date."""
    return await repository.of_offer(db, offer_id)


async def create(db: AsyncSession, access: Access, data: SessionCreate) -> TrainingSession:
    offer = await catalogue_service.get(db, data.offer_id)
    if offer is None or not may_add_to(access, offer):
        raise out_of_scope("offer_id", "no_offer_in_scope")
    for issue in offer_issues(offer, "offer_id"):
        raise out_of_scope(*issue)
    values = data.model_dump(exclude={"source", "external_id", "offer_id"})
    raise_if_invalid(check_status_input(data.status) + check(values))
    session_id = uuid4()
    source = data.source or KAFAAT_SOURCE
    external_id = data.external_id or str(session_id)
    if await repository.exists_external_id(db, source, external_id):
        raise duplicate_external_id(source, external_id)
    row = new_row(
        values,
        session_id=session_id,
        offer_id=offer.id,
        source=source,
        external_id=external_id,
        now=utcnow(),
    )
    db.add(TrainingSession(**row))
    await flush_new(db, source, external_id)
    await catalogue_service.refresh_derived(db, [offer.id], sessions_only=True)
    created = await repository.get(db, session_id)
    if created is None:  # deleted by a concurrent request in between
        raise not_found(KIND, session_id)
    return created


async def update(
    db: AsyncSession, session: TrainingSession, data: SessionUpdate, if_match: str | None
) -> TrainingSession:
    changes = data.model_dump(exclude_unset=True)
    merged = {name: getattr(session, name) for name in SessionUpdate.model_fields} | changes
    issues = check_status_input(data.status, session.status) if "status" in changes else []
    raise_if_invalid(issues + check(merged, session.seats_reserved))
    if apply_changes(session, changes, if_match):
        await flush_update(db)
        await catalogue_service.refresh_derived(db, [session.offer_id], sessions_only=True)
    return session


async def delete(db: AsyncSession, session: TrainingSession, if_match: str | None) -> None:
    check_if_match(if_match, session.version)
    if session.seats_reserved:
        raise ProblemError(
            409,
            "session_seats_reserved",
            params={"seats": session.seats_reserved},
            slug="seats-reserved",
        )
    offer_id = session.offer_id
    await db.delete(session)
    await flush_update(db)
    await catalogue_service.refresh_derived(db, [offer_id], sessions_only=True)


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


async def _seats_remaining(db: AsyncSession, session_id: UUID) -> int:
    counts = await repository.seat_counts(db, session_id)
    return int(counts.seats_total - counts.seats_reserved) if counts else 0


async def _replay(db: AsyncSession, existing: SeatReservation, seats: int) -> ReservationRead:
    if existing.seats != seats:
        raise reused_key("reservation_key_reused")
    return _reservation_read(existing, await _seats_remaining(db, existing.session_id))


async def reserve(
    db: AsyncSession,
    access: Access,
    session: TrainingSession,
    key: str,
    seats: int,
) -> ReservationRead:
    """Reserve seats once per caller and key.

    The reservation row is written first: its unique (session, caller, key) makes a concurrent
    twin wait for the first to commit, fail, and replay it. Then one conditional UPDATE takes
    the seats; when it cannot, the caller gets 409 and the transaction, reservation row
    included, rolls back.
    """
    if not access.may_reserve_in(session.region):
        raise not_found(KIND, session.id)
    session_id = session.id
    principal = access.principal
    reserved_by = principal.subject
    existing = await repository.reservation_by_key(db, session_id, reserved_by, key)
    if existing is not None:
        return await _replay(db, existing, seats)
    now = utcnow()
    reservation = SeatReservation(
        id=uuid4(),
        session_id=session_id,
        key=key,
        seats=seats,
        status=ReservationStatus.HELD.value,
        reserved_by=reserved_by,
        association_id=principal.association_id,
        created_at=now,
    )
    if not await repository.add_reservation(db, reservation):
        # The twin committed first: answer what the twin answered.
        twin = await repository.reservation_by_key(db, session_id, reserved_by, key)
        if twin is None:
            raise ProblemError(
                409,
                "reservation_in_progress",
                slug="idempotency-key-in-use",
            )
        return await _replay(db, twin, seats)
    if not await repository.take_seats(db, session_id, seats, now.date(), now):
        raise await _no_seats(db, session_id, seats, now.date())
    return _reservation_read(reservation, await _seats_remaining(db, session_id))


async def _no_seats(db: AsyncSession, session_id: UUID, seats: int, today: date) -> ProblemError:
    counts = await repository.seat_counts(db, session_id)
    if counts is None:
        return not_found(KIND, session_id)
    if counts.status != SessionStatus.OPEN and counts.status != SessionStatus.FULL:
        return ProblemError(
            409,
            "session_not_open",
            params={"status": counts.status},
            slug="session-not-open",
        )
    if counts.registration_deadline is not None and counts.registration_deadline < today:
        return ProblemError(
            409,
            "registration_closed",
            params={"deadline": counts.registration_deadline},
            slug="registration-closed",
        )
    remaining = counts.seats_total - counts.seats_reserved
    return ProblemError(
        409,
        "no_seats_left",
        params={"seats": seats, "remaining": remaining, "total": counts.seats_total},
        slug="no-seats-left",
        extra={"seats_remaining": remaining, "seats_total": counts.seats_total},
    )


async def _own_reservation(
    db: AsyncSession, access: Access, session: TrainingSession, reservation_id: UUID
) -> SeatReservation:
    """The reservation, when the caller may handle it; 404 otherwise, like a missing one."""
    reservation = await repository.reservation(db, session.id, reservation_id)
    if reservation is None or not access.may_handle_reservation(
        reservation.reserved_by, reservation.association_id, session.region
    ):
        raise not_found("reservation", reservation_id)
    return reservation


async def get_reservation(
    db: AsyncSession, access: Access, session: TrainingSession, reservation_id: UUID
) -> ReservationRead:
    reservation = await _own_reservation(db, access, session, reservation_id)
    return _reservation_read(reservation, await _seats_remaining(db, session.id))


async def release(
    db: AsyncSession, access: Access, session: TrainingSession, reservation_id: UUID
) -> None:
    """Give the seats back, once: releasing a released reservation changes nothing."""
    reservation = await _own_reservation(db, access, session, reservation_id)
    now = utcnow()
    if await repository.mark_released(db, reservation_id, now):
        await repository.give_back_seats(db, session.id, reservation.seats, now)
