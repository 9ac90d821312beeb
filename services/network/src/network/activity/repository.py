"""The SQL of the activity figures: counts grouped in the database, one query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from network.agreements.models import Agreement, Commitment, ProgressReport
from network.attendance.models import Attendance
from network.decisions.models import ActionItem, Decision
from network.events.models import Event
from network.partners.models import Partner
from network.repository import has_code
from network.vocabulary import ActionItemStatus, PartnerStatus

Bounds = tuple[datetime, datetime]


@dataclass(frozen=True)
class Span:
    """The days counted: a calendar year, or all the networks' history (``first`` to ``last``
    included) when no year is asked; ``bounds`` are the same days as UTC instants [start, end)
    in the display zone."""

    first: date
    last: date
    bounds: Bounds


def _in_region(column: Any, region: str | None) -> ColumnElement[bool]:
    return true() if region is None else column == region


async def single_events(db: AsyncSession, region: str | None, bounds: Bounds) -> list[Any]:
    statement = (
        select(Event.kind, Event.status, func.count())
        .where(
            _in_region(Event.region, region),
            Event.recurrence.is_(None),
            Event.starts_at >= bounds[0],
            Event.starts_at < bounds[1],
        )
        .group_by(Event.kind, Event.status)
    )
    return list((await db.execute(statement)).all())


async def series(db: AsyncSession, region: str | None, bounds: Bounds) -> list[Event]:
    statement = select(Event).where(
        _in_region(Event.region, region),
        Event.recurrence.is_not(None),
        Event.starts_at < bounds[1],
        or_(Event.last_starts_at.is_(None), Event.last_starts_at >= bounds[0]),
    )
    return list((await db.scalars(statement)).all())


async def attendance(db: AsyncSession, region: str | None, bounds: Bounds) -> Any:
    present = Attendance.present.is_(True)
    statement = (
        select(
            func.count().filter(present),
            func.count().filter(~present),
            func.count(distinct(case((present, Attendance.partner_id)))),
        )
        .select_from(Attendance)
        .join(Event, Event.id == Attendance.event_id)
        .where(
            _in_region(Event.region, region),
            Attendance.occurrence_at >= bounds[0],
            Attendance.occurrence_at < bounds[1],
        )
    )
    return (await db.execute(statement)).one()


async def decisions(db: AsyncSession, region: str | None, bounds: Bounds) -> int:
    statement = (
        select(func.count())
        .select_from(Decision)
        .join(Event, Event.id == Decision.event_id)
        .where(
            _in_region(Event.region, region),
            Decision.created_at >= bounds[0],
            Decision.created_at < bounds[1],
        )
    )
    return int(await db.scalar(statement) or 0)


async def action_items(db: AsyncSession, region: str | None, span: Span, today: date) -> list[Any]:
    overdue = and_(ActionItem.status == ActionItemStatus.OPEN.value, ActionItem.due_date < today)
    statement = (
        select(ActionItem.status, func.count(), func.count().filter(overdue))
        .where(
            _in_region(ActionItem.region, region),
            ActionItem.due_date >= span.first,
            ActionItem.due_date <= span.last,
        )
        .group_by(ActionItem.status)
    )
    return list((await db.execute(statement)).all())


def _agreements_in_force(region: str | None, span: Span) -> Select[Any]:
    return select(Agreement.id).where(
        _in_region(Agreement.region, region),
        Agreement.start_date <= span.last,
        or_(Agreement.end_date.is_(None), Agreement.end_date >= span.first),
    )


async def agreements_by_kind(db: AsyncSession, region: str | None, span: Span) -> list[Any]:
    in_force = _agreements_in_force(region, span).subquery()
    statement = (
        select(Agreement.kind, func.count())
        .where(Agreement.id.in_(select(in_force.c.id)))
        .group_by(Agreement.kind)
    )
    return list((await db.execute(statement)).all())


async def commitments(db: AsyncSession, region: str | None, span: Span) -> list[Any]:
    """Per (unit, sector): commitments, quantities committed, and achieved as of each
    commitment's latest report up to the span's end."""
    in_force = _agreements_in_force(region, span).subquery()
    latest_day = (
        select(func.max(ProgressReport.reported_on))
        .where(
            ProgressReport.commitment_id == Commitment.id,
            ProgressReport.reported_on <= span.last,
        )
        .correlate(Commitment)
        .scalar_subquery()
    )
    achieved = (
        select(ProgressReport.achieved)
        .where(
            ProgressReport.commitment_id == Commitment.id, ProgressReport.reported_on == latest_day
        )
        .correlate(Commitment)
        .scalar_subquery()
    )
    statement = (
        select(
            Commitment.unit,
            Commitment.sector,
            func.count(),
            func.sum(Commitment.quantity),
            func.sum(func.coalesce(achieved, 0)),
        )
        .where(Commitment.agreement_id.in_(select(in_force.c.id)))
        .group_by(Commitment.unit, Commitment.sector)
        .order_by(Commitment.unit, Commitment.sector)
    )
    return list((await db.execute(statement)).all())


async def active_partners(db: AsyncSession, region: str | None) -> int:
    """Partners active today (acting in ``region`` when one is asked)."""
    statement = (
        select(func.count())
        .select_from(Partner)
        .where(Partner.status == PartnerStatus.ACTIVE.value)
    )
    if region is not None:
        statement = statement.where(has_code(Partner.regions, region))
    return int(await db.scalar(statement) or 0)
