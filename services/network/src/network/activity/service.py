"""The activity figures of a region's networks for a year, for the gateway's regional views:
events by kind (series counted by their occurrences in the year), attendance and active
partners, decisions, action items and agreements with their progress.

Aggregates only, no record: as the demand figures, they are shown to those who read the
statistics of the platform.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from network.activity import repository
from network.activity.schemas import (
    ActionItemFigures,
    Activity,
    AgreementFigures,
    AttendanceFigures,
    CommitmentFigures,
    KindActivity,
)
from network.events import recurrence
from network.events import service as events_service
from network.vocabulary import ActionItemStatus, EventKind, EventStatus

# The first year the figures may be asked about (the route's lower bound).
FIRST_YEAR = 2000


def span_of(year: int | None) -> repository.Span:
    """The calendar year asked, or, without one, every year up to the current one's end."""
    first = date(year or FIRST_YEAR, 1, 1)
    last = date(year or recurrence.today().year, 12, 31)
    start, _ = recurrence.year_bounds(first.year)
    _, end = recurrence.year_bounds(last.year)
    return repository.Span(first, last, (start, end))


async def activity(db: AsyncSession, region: str | None, year: int | None) -> Activity:
    span = span_of(year)
    bounds = span.bounds
    counts: Counter[tuple[str, str]] = Counter()
    for kind, status, count in await repository.single_events(db, region, bounds):
        counts[kind, status] += count
    for event in await repository.series(db, region, bounds):
        rule = events_service.stored_rule(event)
        counts[event.kind, event.status] += len(
            recurrence.occurrences(rule, event.starts_at, *bounds)
        )
    events = [
        KindActivity(
            kind=kind,
            scheduled=counts[kind.value, EventStatus.SCHEDULED.value],
            held=counts[kind.value, EventStatus.HELD.value],
            cancelled=counts[kind.value, EventStatus.CANCELLED.value],
        )
        for kind in EventKind
    ]
    present, absent, active = await repository.attendance(db, region, bounds)
    items: Counter[str] = Counter()
    overdue = 0
    today = recurrence.today()
    for status, count, late in await repository.action_items(db, region, span, today):
        items[status] += count
        overdue += late
    by_kind = dict(await repository.agreements_by_kind(db, region, span))
    commitments = [
        CommitmentFigures(
            unit=unit,
            sector=sector,
            commitments=count,
            committed=int(committed or 0),
            achieved=int(achieved or 0),
        )
        for unit, sector, count, committed, achieved in await repository.commitments(
            db, region, span
        )
    ]
    return Activity(
        region=region,
        year=year,
        partners=await repository.active_partners(db, region),
        events=events,
        attendance=AttendanceFigures(
            present=int(present or 0), absent=int(absent or 0), active_partners=int(active or 0)
        ),
        decisions=await repository.decisions(db, region, bounds),
        action_items=ActionItemFigures(
            open=items[ActionItemStatus.OPEN.value],
            done=items[ActionItemStatus.DONE.value],
            cancelled=items[ActionItemStatus.CANCELLED.value],
            overdue=overdue,
        ),
        agreements=AgreementFigures(
            agreements=sum(by_kind.values()), by_kind=by_kind, commitments=commitments
        ),
    )
