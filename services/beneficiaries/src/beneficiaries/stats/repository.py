"""The SQL of the outcome statistics: every figure a COUNT or SUM grouped in the database, over
the people the caller's figures may count (the scope is a WHERE clause of the population).

The population is a CTE of one row per person in support during the period, with two flags
(left in the period, placed in the period); every breakdown groups it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    exists,
    extract,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from beneficiaries.consents.models import Consent
from beneficiaries.journey.models import StageMove
from beneficiaries.outcomes.models import FollowUp, Outcome
from beneficiaries.people.models import Beneficiary
from beneficiaries.vocabulary import (
    POSITIVE_OUTCOMES,
    AgeBand,
    ConsentPurpose,
    ConsentStatus,
    FollowUpStatus,
    JourneyStage,
)


@dataclass(frozen=True)
class FiguresScope:
    """Whose people a caller's figures may count: everyone, some regions, one association."""

    everything: bool = False
    regions: frozenset[str] = frozenset()
    association_id: UUID | None = None


@dataclass(frozen=True)
class Period:
    """The calendar year counted, or all time."""

    year: int | None

    @property
    def start(self) -> datetime | None:
        return None if self.year is None else datetime(self.year, 1, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime | None:
        return None if self.year is None else datetime(self.year + 1, 1, 1, tzinfo=UTC)

    def days(self, column: Any) -> ColumnElement[bool]:
        if self.year is None:
            return true()
        return and_(column >= date(self.year, 1, 1), column < date(self.year + 1, 1, 1))

    def instants(self, column: Any) -> ColumnElement[bool]:
        if self.year is None:
            return true()
        return and_(column >= self.start, column < self.end)


def _scope(scope: FiguresScope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if scope.regions:
        clauses.append(Beneficiary.region.in_(sorted(scope.regions)))
    if scope.association_id is not None:
        clauses.append(Beneficiary.association_id == scope.association_id)
    return or_(*clauses) if clauses else false()


def _objected() -> ColumnElement[bool]:
    """The person's decision in force about statistics is a refusal or a withdrawal (the latest
    one, ordered as ``consents`` orders them): they are left out of every figure."""
    later = aliased(Consent)
    newer = exists().where(
        later.beneficiary_id == Consent.beneficiary_id,
        later.purpose == Consent.purpose,
        tuple_(later.decision_date, later.recorded_at, later.id)
        > tuple_(Consent.decision_date, Consent.recorded_at, Consent.id),
    )
    return exists().where(
        Consent.beneficiary_id == Beneficiary.id,
        Consent.purpose == ConsentPurpose.STATISTICS.value,
        Consent.status.in_([ConsentStatus.REFUSED.value, ConsentStatus.WITHDRAWN.value]),
        ~newer,
    )


def counted(
    scope: FiguresScope, region: str | None, association_id: UUID | None
) -> list[ColumnElement[bool]]:
    """The people the figures may count: in the caller's scope and the filters, not objecting."""
    clauses = [_scope(scope), ~_objected()]
    if region is not None:
        clauses.append(Beneficiary.region == region)
    if association_id is not None:
        clauses.append(Beneficiary.association_id == association_id)
    return clauses


def population(
    scope: FiguresScope, period: Period, region: str | None, association_id: UUID | None
) -> CTE:
    """One row per person counted: in support during the period, in the caller's scope and the
    filters, not objecting; with whether they left and whether they were placed in it."""
    exits = (
        select(StageMove.beneficiary_id, func.min(StageMove.moved_at).label("exited_at"))
        .where(StageMove.to_stage == JourneyStage.EXITED.value)
        .group_by(StageMove.beneficiary_id)
        .subquery("exits")
    )
    placements = (
        select(Outcome.beneficiary_id)
        .where(Outcome.type.in_(sorted(POSITIVE_OUTCOMES)), period.days(Outcome.outcome_date))
        .group_by(Outcome.beneficiary_id)
        .subquery("placements")
    )
    exited = and_(exits.c.exited_at.is_not(None), period.instants(exits.c.exited_at))
    statement = (
        select(
            Beneficiary.id,
            Beneficiary.sex,
            Beneficiary.association_id,
            Beneficiary.criteria,
            cast(extract("year", Beneficiary.birth_date), Integer).label("birth_year"),
            case((exited, 1), else_=0).label("exited"),
            case((placements.c.beneficiary_id.is_not(None), 1), else_=0).label("placed"),
        )
        .outerjoin(exits, exits.c.beneficiary_id == Beneficiary.id)
        .outerjoin(placements, placements.c.beneficiary_id == Beneficiary.id)
        .where(*counted(scope, region, association_id))
    )
    if period.year is not None:
        statement = statement.where(
            Beneficiary.created_at < period.end,
            or_(exits.c.exited_at.is_(None), exits.c.exited_at >= period.start),
        )
    return statement.cte("people")


def age_band(birth_year: Any, reference_year: int) -> Any:
    age = literal(reference_year) - birth_year
    return case(
        (age < 18, AgeBand.UNDER_18.value),
        (age < 25, AgeBand.FROM_18_TO_24.value),
        (age < 35, AgeBand.FROM_25_TO_34.value),
        (age < 45, AgeBand.FROM_35_TO_44.value),
        else_=AgeBand.FROM_45.value,
    )


async def people_cube(db: AsyncSession, people: CTE, reference_year: int) -> Sequence[Any]:
    """Supported, exits and placed per (association, sex, age band, criteria) in one pass over
    the population: every breakdown and total is a sum of these groups (a few thousand rows
    where the population has a million)."""
    band = age_band(people.c.birth_year, reference_year).label("age_band")
    keys = [people.c.association_id, people.c.sex, band, people.c.criteria]
    statement = select(
        *keys,
        func.count().label("supported"),
        func.coalesce(func.sum(people.c.exited), 0).label("exits"),
        func.coalesce(func.sum(people.c.placed), 0).label("placed"),
    ).group_by(*keys)
    return (await db.execute(statement)).all()


async def outcomes_by_type(
    db: AsyncSession, who: Sequence[ColumnElement[bool]], period: Period
) -> Sequence[Any]:
    """People per outcome type dated in the period (a person counts once per type)."""
    statement = (
        select(Outcome.type.label("key"), func.count(func.distinct(Outcome.beneficiary_id)))
        .join(Beneficiary, Beneficiary.id == Outcome.beneficiary_id)
        .where(*who, period.days(Outcome.outcome_date))
        .group_by(Outcome.type)
    )
    return (await db.execute(statement)).all()


async def placed_by_sector(
    db: AsyncSession, who: Sequence[ColumnElement[bool]], period: Period
) -> Sequence[Any]:
    sector = func.coalesce(Outcome.sector, "unspecified").label("key")
    statement = (
        select(sector, func.count(func.distinct(Outcome.beneficiary_id)))
        .join(Beneficiary, Beneficiary.id == Outcome.beneficiary_id)
        .where(
            *who,
            Outcome.type.in_(sorted(POSITIVE_OUTCOMES)),
            period.days(Outcome.outcome_date),
        )
        .group_by(sector)
    )
    return (await db.execute(statement)).all()


async def follow_ups_due(
    db: AsyncSession, who: Sequence[ColumnElement[bool]], period: Period, today: date
) -> dict[str, int]:
    """Follow-ups due by ``today`` of the outcomes dated in the period, per status."""
    statement = (
        select(FollowUp.status, func.count())
        .join(Outcome, Outcome.id == FollowUp.outcome_id)
        .join(Beneficiary, Beneficiary.id == FollowUp.beneficiary_id)
        .where(*who, period.days(Outcome.outcome_date), FollowUp.due_date <= today)
        .group_by(FollowUp.status)
    )
    return {str(row[0]): int(row[1]) for row in (await db.execute(statement)).all()}


async def retention(
    db: AsyncSession, who: Sequence[ColumnElement[bool]], period: Period, month: int
) -> dict[bool, int]:
    """Follow-ups done at ``month`` of the outcomes dated in the period: holding or not."""
    statement = (
        select(FollowUp.outcome_holds, func.count())
        .join(Outcome, Outcome.id == FollowUp.outcome_id)
        .join(Beneficiary, Beneficiary.id == FollowUp.beneficiary_id)
        .where(
            *who,
            period.days(Outcome.outcome_date),
            FollowUp.month == month,
            FollowUp.status == FollowUpStatus.DONE.value,
        )
        .group_by(FollowUp.outcome_holds)
    )
    return {bool(row[0]): int(row[1]) for row in (await db.execute(statement)).all()}
