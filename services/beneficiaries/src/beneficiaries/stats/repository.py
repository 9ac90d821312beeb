"""Reading the figures: sums of the rollup's rows (``stats.models``, kept equal to the records
by ``stats.rollup.refresh``) over the associations and regions the caller's figures may count.

A country's figures sum some tens of thousands of rows (an association's per year) where the
records hold a million people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.associations.models import Association
from beneficiaries.stats.models import ALL_TIME, StatsCount, StatsFollowUp, StatsPeople
from beneficiaries.stats.rollup import MEASURES
from beneficiaries.vocabulary import AssociationStatus, FollowUpStatus


@dataclass(frozen=True)
class FiguresScope:
    """Whose people a caller's figures may count: everyone, some regions, one association."""

    everything: bool = False
    regions: frozenset[str] = frozenset()
    association_id: UUID | None = None


@dataclass(frozen=True)
class Selection:
    """The rows summed: the caller's scope, the filters, the year (``None``: all time)."""

    scope: FiguresScope
    year: int | None
    region: str | None
    association_id: UUID | None

    def where(self, model: Any) -> list[ColumnElement[bool]]:
        clauses = [model.year == (ALL_TIME if self.year is None else self.year)]
        if not self.scope.everything:
            allowed: list[ColumnElement[bool]] = []
            if self.scope.regions:
                allowed.append(model.region.in_(sorted(self.scope.regions)))
            if self.scope.association_id is not None:
                allowed.append(model.association_id == self.scope.association_id)
            clauses.append(or_(*allowed) if allowed else false())
        if self.region is not None:
            clauses.append(model.region == self.region)
        if self.association_id is not None:
            clauses.append(model.association_id == self.association_id)
        return clauses


Measures = tuple[int, ...]  # one count per name of rollup.MEASURES


async def people(db: AsyncSession, selection: Selection) -> dict[str, dict[str, Measures]]:
    """The totals and the breakdowns (``total``, ``sex``, ``age_band``, ``criterion``,
    ``association``), each ``{key: measures}``."""
    sums = [func.sum(getattr(StatsPeople, measure)) for measure in MEASURES]
    where = selection.where(StatsPeople)
    breakdowns = select(StatsPeople.dimension, StatsPeople.key, *sums).where(*where)
    breakdowns = breakdowns.group_by(StatsPeople.dimension, StatsPeople.key)
    found: dict[str, dict[str, Measures]] = {
        name: {} for name in ("total", "sex", "age_band", "criterion", "association")
    }
    for dimension, key, *measures in await db.execute(breakdowns):
        found[str(dimension)][str(key)] = tuple(int(m or 0) for m in measures)
    by_association = (
        select(StatsPeople.association_id, *sums)
        .where(*where, StatsPeople.dimension == "total")
        .group_by(StatsPeople.association_id)
    )
    for association_id, *measures in await db.execute(by_association):
        found["association"][str(association_id)] = tuple(int(m or 0) for m in measures)
    return found


async def counts(db: AsyncSession, selection: Selection, figure: str) -> dict[str, int]:
    """One count figure (``outcome_type``, ``placed_sector``, ``enrolment_delay``) by key."""
    statement = (
        select(StatsCount.key, func.sum(StatsCount.count))
        .where(*selection.where(StatsCount), StatsCount.figure == figure)
        .group_by(StatsCount.key)
    )
    return {str(key): int(count) for key, count in await db.execute(statement)}


@dataclass(frozen=True)
class FollowUpCounts:
    """The follow-ups of the outcomes dated in the period: those due by ``today`` per status,
    and the done ones per month (3, 6, 12) and whether the outcome held."""

    due_by_status: dict[str, int]
    done_by_month: dict[int, dict[bool, int]]


async def follow_up_counts(db: AsyncSession, selection: Selection, today: date) -> FollowUpCounts:
    due = (StatsFollowUp.due_date <= today).label("due")
    keys = [StatsFollowUp.status, StatsFollowUp.month, StatsFollowUp.holds, due]
    statement = (
        select(*keys, func.sum(StatsFollowUp.count))
        .where(*selection.where(StatsFollowUp))
        .group_by(*keys)
    )
    due_by_status: dict[str, int] = {}
    done_by_month: dict[int, dict[bool, int]] = {}
    rows: Sequence[Any] = (await db.execute(statement)).all()
    for status, month, holds, is_due, count in rows:
        if is_due:
            due_by_status[str(status)] = due_by_status.get(str(status), 0) + int(count)
        if status == FollowUpStatus.DONE.value:
            by_holding = done_by_month.setdefault(int(month), {})
            by_holding[holds == 1] = by_holding.get(holds == 1, 0) + int(count)
    return FollowUpCounts(due_by_status, done_by_month)


async def associations(db: AsyncSession, scope: FiguresScope, region: str | None) -> int:
    """Active associations whose people the caller's figures may count (of ``region``)."""
    clauses: list[ColumnElement[bool]] = [Association.status == AssociationStatus.ACTIVE.value]
    if not scope.everything:
        allowed: list[ColumnElement[bool]] = []
        if scope.regions:
            allowed.append(Association.region.in_(sorted(scope.regions)))
        if scope.association_id is not None:
            allowed.append(Association.id == scope.association_id)
        clauses.append(or_(*allowed) if allowed else false())
    if region is not None:
        clauses.append(Association.region == region)
    statement = select(func.count()).select_from(Association).where(*clauses)
    return int(await db.scalar(statement) or 0)
