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
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from beneficiaries.associations.models import Association
from beneficiaries.consents.models import Consent
from beneficiaries.outcomes.models import FollowUp, Outcome
from beneficiaries.people.models import Beneficiary
from beneficiaries.referrals.models import Referral, ReferralEvent
from beneficiaries.referrals.schemas import ReferralStatus
from beneficiaries.vocabulary import (
    POSITIVE_OUTCOMES,
    AgeBand,
    AssociationStatus,
    ConsentPurpose,
    ConsentStatus,
    FollowUpStatus,
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
    filters, not objecting; with whether they left, were placed and were enrolled in a training
    session (a referral of theirs moved to ``enrolled``) in it."""
    placements = (
        select(Outcome.beneficiary_id)
        .where(Outcome.type.in_(sorted(POSITIVE_OUTCOMES)), period.days(Outcome.outcome_date))
        .group_by(Outcome.beneficiary_id)
        .subquery("placements")
    )
    enrolments = (
        select(Referral.beneficiary_id)
        .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .where(
            ReferralEvent.status == ReferralStatus.ENROLLED.value,
            period.instants(ReferralEvent.occurred_at),
        )
        .group_by(Referral.beneficiary_id)
        .subquery("enrolments")
    )
    exited_at = Beneficiary.exited_at
    exited = and_(exited_at.is_not(None), period.instants(exited_at))
    statement = (
        select(
            Beneficiary.id,
            Beneficiary.sex,
            Beneficiary.association_id,
            Beneficiary.criteria,
            Beneficiary.birth_date,
            case((exited, 1), else_=0).label("exited"),
            case((placements.c.beneficiary_id.is_not(None), 1), else_=0).label("placed"),
            case((enrolments.c.beneficiary_id.is_not(None), 1), else_=0).label("enrolled"),
        )
        .outerjoin(placements, placements.c.beneficiary_id == Beneficiary.id)
        .outerjoin(enrolments, enrolments.c.beneficiary_id == Beneficiary.id)
        .where(*counted(scope, region, association_id))
    )
    if period.year is not None:
        statement = statement.where(
            Beneficiary.created_at < period.end,
            or_(exited_at.is_(None), exited_at >= period.start),
        )
    return statement.cte("people")


# The first birthday of each band but the youngest: ``(age, band)`` from the oldest down.
_BANDS = (
    (45, AgeBand.FROM_45),
    (35, AgeBand.FROM_35_TO_44),
    (25, AgeBand.FROM_25_TO_34),
    (18, AgeBand.FROM_18_TO_24),
)


def age_band(birth_date: Any, reference_year: int) -> Any:
    """The age band reached in ``reference_year`` (age = the year minus the birth year), by
    comparing the birth date with each band's first birth year: a cheap comparison per person
    where ``extract(year …)`` and arithmetic cost a third of the whole pass on 1M people."""
    return case(
        *((birth_date < date(reference_year - age + 1, 1, 1), band.value) for age, band in _BANDS),
        else_=AgeBand.UNDER_18.value,
    )


async def people_cube(db: AsyncSession, people: CTE, reference_year: int) -> Sequence[Any]:
    """Supported, exits, placed and enrolled per (association, sex, age band, criteria) in one
    pass over
    the population: every breakdown and total is a sum of these groups (a few thousand rows
    where the population has a million)."""
    if db.get_bind().dialect.name == "postgresql":
        # For this transaction only: the groups (a few thousand) hashed in memory rather than
        # sorted on disk, and no JIT compilation, which costs more than it saves on one pass.
        await db.execute(text("SET LOCAL work_mem = '32MB'"))
        await db.execute(text("SET LOCAL jit = off"))
    band = age_band(people.c.birth_date, reference_year).label("age_band")
    keys = [people.c.association_id, people.c.sex, band, people.c.criteria]
    statement = select(
        *keys,
        func.count().label("supported"),
        func.coalesce(func.sum(people.c.exited), 0).label("exits"),
        func.coalesce(func.sum(people.c.placed), 0).label("placed"),
        func.coalesce(func.sum(people.c.enrolled), 0).label("enrolled"),
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


@dataclass(frozen=True)
class FollowUpCounts:
    """The follow-ups of the outcomes dated in the period: those due by ``today`` per status,
    and the done ones per month (3, 6, 12) and whether the outcome held."""

    due_by_status: dict[str, int]
    done_by_month: dict[int, dict[bool, int]]


async def follow_up_counts(
    db: AsyncSession, who: Sequence[ColumnElement[bool]], period: Period, today: date
) -> FollowUpCounts:
    """Every follow-up figure in one grouped pass (one join to the people counted)."""
    due = (FollowUp.due_date <= today).label("due")
    keys = [FollowUp.status, FollowUp.month, FollowUp.outcome_holds, due]
    statement = (
        select(*keys, func.count())
        .join(Outcome, Outcome.id == FollowUp.outcome_id)
        .join(Beneficiary, Beneficiary.id == FollowUp.beneficiary_id)
        .where(*who, period.days(Outcome.outcome_date))
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
            by_holding[bool(holds)] = by_holding.get(bool(holds), 0) + int(count)
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


async def enrolment_delays(
    db: AsyncSession, who: Sequence[ColumnElement[bool]], period: Period
) -> dict[int, int]:
    """Referrals of the people counted enrolled in the period, per number of days from their
    referral (its ``referred`` move) to their enrolment: a histogram, so the median is found
    without a row per referral and the same way on both databases."""
    referred = aliased(ReferralEvent)
    enrolled = aliased(ReferralEvent)
    pair = (func.date(referred.occurred_at), func.date(enrolled.occurred_at))
    statement = (
        select(*pair, func.count())
        .select_from(Referral)
        .join(Beneficiary, Beneficiary.id == Referral.beneficiary_id)
        .join(referred, referred.referral_id == Referral.id)
        .join(enrolled, enrolled.referral_id == Referral.id)
        .where(
            *who,
            referred.status == ReferralStatus.REFERRED.value,
            enrolled.status == ReferralStatus.ENROLLED.value,
            period.instants(enrolled.occurred_at),
        )
        .group_by(*pair)
    )
    histogram: dict[int, int] = {}
    for start, end, count in (await db.execute(statement)).all():
        days = (_day(end) - _day(start)).days
        histogram[days] = histogram.get(days, 0) + int(count)
    return histogram


def _day(value: Any) -> date:
    """A ``date()`` of the database: a date on PostgreSQL, its ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
