"""Building the rollup (``stats.models``) from the records: the SQL of the figures.

An association's rows are rebuilt whole, for every year from its first record's (2000 at the
earliest) to the next one and for all time, in one grouped pass per figure over the records of
its people (a thousand people: a fraction of a second; all of them at once for a whole new
database). Who
objects to statistics (their decision in force about the ``statistics`` purpose is a refusal
or a withdrawal: law 09-08's right to object) is left out of every row.

:func:`refresh` runs before every read of the figures: it rebuilds the associations a write
marked (``stats.tracking``) or whose rows were built in an earlier year, under a lock on each
association (two readers never build one twice; the markers are read under the lock, so a
write committed meanwhile leaves its own for the next read).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from beneficiaries.associations.models import Association
from beneficiaries.consents.models import Consent
from beneficiaries.outcomes.models import FollowUp, Outcome
from beneficiaries.people.models import Beneficiary
from beneficiaries.referrals.models import Referral, ReferralEvent
from beneficiaries.referrals.schemas import ReferralStatus
from beneficiaries.stats.models import (
    ALL_TIME,
    DUE_WHEN_BUILT,
    StatsBuilt,
    StatsCount,
    StatsFollowUp,
    StatsPeople,
    StatsStale,
)
from beneficiaries.vocabulary import POSITIVE_OUTCOMES, AgeBand, ConsentPurpose, ConsentStatus
from shared.db import UTCDateTime

# The first birthday of each band but the youngest: ``(age, band)`` from the oldest down.
_BANDS = (
    (45, AgeBand.FROM_45),
    (35, AgeBand.FROM_35_TO_44),
    (25, AgeBand.FROM_25_TO_34),
    (18, AgeBand.FROM_18_TO_24),
)
# The bounds of the all-time period (every record's date lies between).
_EVER = (datetime(1900, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC))
# The first year with figures (records dated before count in all time only), and how many
# years after the current one have theirs (a regional review plans the next year's training:
# the people in support now are those it will count).
FIRST_YEAR = 2000
YEARS_AHEAD = 1
# Associations built per pass when many are stale (a new database, a new year).
BATCH = 200
MEASURES = ("supported", "exits", "placed", "enrolled")


def _period(year: int, reference_year: int) -> Any:
    """One row of the periods: its year, its bounds as instants and days, and the first birth
    date of each age band in it (an age is the year counted minus the birth year)."""
    starts, ends = (
        _EVER
        if year == ALL_TIME
        else (datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))
    )
    ages = reference_year if year == ALL_TIME else year
    return select(
        literal(year, Integer).label("year"),
        literal(starts, UTCDateTime).label("starts"),
        literal(ends, UTCDateTime).label("ends"),
        literal(starts.date(), Date).label("first_day"),
        literal(ends.date(), Date).label("end_day"),
        *(
            literal(date(ages - age + 1, 1, 1), Date).label(f"born_before_{age}")
            for age, _ in _BANDS
        ),
    )


def periods(years: Iterable[int], reference_year: int) -> CTE:
    """All time and each of ``years``."""
    rows = [_period(year, reference_year) for year in (ALL_TIME, *years)]
    return union_all(*rows).cte("period")


def _objected() -> ColumnElement[bool]:
    """The person's decision in force about statistics is a refusal or a withdrawal (the latest
    one, ordered as ``consents`` orders them)."""
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


Associations = Sequence[UUID] | None  # some associations, or every one (``None``)


def members(association_ids: Associations) -> list[ColumnElement[bool]]:
    """The people of these associations."""
    if association_ids is None:
        return []
    return [Beneficiary.association_id.in_(association_ids)]


def counted(association_ids: Associations) -> list[ColumnElement[bool]]:
    """The people counted: of these associations, not objecting."""
    return [*members(association_ids), ~_objected()]


def _within(column: Any, start: Any, end: Any) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def age_band(birth_date: Any, period: CTE) -> Any:
    """The age band reached in the period (its age = the year minus the birth year), by
    comparing the birth date with each band's first birth date: a cheap comparison per person
    where ``extract(year …)`` and arithmetic cost a third of a pass over a million people."""
    return case(
        *((birth_date < period.c[f"born_before_{age}"], band.value) for age, band in _BANDS),
        else_=AgeBand.UNDER_18.value,
    )


def people_statement(association_ids: Associations, period: CTE) -> Select[Any]:
    """Supported, exits, placed and enrolled per (association, region, period, sex, age band,
    criteria): one row per person and period they were in support in (taken in before its
    end, not gone before its start), grouped. The placements and enrolments joined to them
    are only narrowed to their associations (who objects is left out by the join)."""
    who, narrowed = counted(association_ids), members(association_ids)
    placements = (
        select(Outcome.beneficiary_id, period.c.year)
        .join(Beneficiary, Beneficiary.id == Outcome.beneficiary_id)
        .join(period, _within(Outcome.outcome_date, period.c.first_day, period.c.end_day))
        .where(*narrowed, Outcome.type.in_(sorted(POSITIVE_OUTCOMES)))
        .group_by(Outcome.beneficiary_id, period.c.year)
        .subquery("placements")
    )
    enrolments = (
        select(Referral.beneficiary_id, period.c.year)
        .join(Beneficiary, Beneficiary.id == Referral.beneficiary_id)
        .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .join(period, _within(ReferralEvent.occurred_at, period.c.starts, period.c.ends))
        .where(*narrowed, ReferralEvent.status == ReferralStatus.ENROLLED.value)
        .group_by(Referral.beneficiary_id, period.c.year)
        .subquery("enrolments")
    )
    exited_at = Beneficiary.exited_at
    band = age_band(Beneficiary.birth_date, period).label("age_band")
    keys = [
        Beneficiary.association_id,
        Beneficiary.region,
        period.c.year,
        Beneficiary.sex,
        band,
        Beneficiary.criteria,
    ]
    exited = case((_within(exited_at, period.c.starts, period.c.ends), 1), else_=0)
    return (
        select(
            *keys,
            func.count().label("supported"),
            func.sum(exited).label("exits"),
            func.count(placements.c.beneficiary_id).label("placed"),
            func.count(enrolments.c.beneficiary_id).label("enrolled"),
        )
        .select_from(Beneficiary)
        .join(
            period,
            and_(
                Beneficiary.created_at < period.c.ends,
                or_(exited_at.is_(None), exited_at >= period.c.starts),
            ),
        )
        .outerjoin(
            placements,
            and_(
                placements.c.beneficiary_id == Beneficiary.id,
                placements.c.year == period.c.year,
            ),
        )
        .outerjoin(
            enrolments,
            and_(
                enrolments.c.beneficiary_id == Beneficiary.id,
                enrolments.c.year == period.c.year,
            ),
        )
        .where(*who)
        .group_by(*keys)
    )


def outcomes_statement(association_ids: Associations, period: CTE) -> Select[Any]:
    """People per outcome type dated in each period (a person counts once per type), and
    people placed per sector (``placed_sector``)."""
    who = counted(association_ids)
    keys = [Beneficiary.association_id, Beneficiary.region, period.c.year]
    dated = _within(Outcome.outcome_date, period.c.first_day, period.c.end_day)
    by_type = (
        select(*keys, literal("outcome_type").label("figure"), Outcome.type.label("key"))
        .add_columns(func.count(func.distinct(Outcome.beneficiary_id)).label("count"))
        .select_from(Outcome)
        .join(Beneficiary, Beneficiary.id == Outcome.beneficiary_id)
        .join(period, dated)
        .where(*who)
        .group_by(*keys, Outcome.type)
    )
    sector = func.coalesce(Outcome.sector, "unspecified")
    by_sector = (
        select(*keys, literal("placed_sector").label("figure"), sector.label("key"))
        .add_columns(func.count(func.distinct(Outcome.beneficiary_id)).label("count"))
        .select_from(Outcome)
        .join(Beneficiary, Beneficiary.id == Outcome.beneficiary_id)
        .join(period, dated)
        .where(*who, Outcome.type.in_(sorted(POSITIVE_OUTCOMES)))
        .group_by(*keys, sector)
    )
    return by_type.union_all(by_sector)  # type: ignore[return-value]


def follow_ups_statement(association_ids: Associations, period: CTE, today: date) -> Select[Any]:
    """The follow-ups of the outcomes dated in each period, by status, month, finding and due
    date (those due by ``today`` together, dated ``DUE_WHEN_BUILT``)."""
    who = counted(association_ids)
    holds = case(
        (FollowUp.outcome_holds.is_(None), -1), (FollowUp.outcome_holds.is_(True), 1), else_=0
    )
    due_date = case(
        (FollowUp.due_date <= today, literal(DUE_WHEN_BUILT, Date)), else_=FollowUp.due_date
    )
    keys = [
        Beneficiary.association_id,
        Beneficiary.region,
        period.c.year,
        FollowUp.status,
        FollowUp.month,
        holds.label("holds"),
        due_date.label("due_date"),
    ]
    return (
        select(*keys, func.count().label("count"))
        .select_from(FollowUp)
        .join(Outcome, Outcome.id == FollowUp.outcome_id)
        .join(Beneficiary, Beneficiary.id == FollowUp.beneficiary_id)
        .join(period, _within(Outcome.outcome_date, period.c.first_day, period.c.end_day))
        .where(*who)
        .group_by(*keys)
    )


def delays_statement(association_ids: Associations, period: CTE) -> Select[Any]:
    """Referrals enrolled in each period, per day of their referral (its ``referred`` move)
    and of their enrolment."""
    who = counted(association_ids)
    referred = aliased(ReferralEvent)
    enrolled = aliased(ReferralEvent)
    days = (
        func.date(referred.occurred_at).label("referred_on"),
        func.date(enrolled.occurred_at).label("enrolled_on"),
    )
    keys = [Beneficiary.association_id, Beneficiary.region, period.c.year, *days]
    return (
        select(*keys, func.count().label("count"))
        .select_from(Referral)
        .join(Beneficiary, Beneficiary.id == Referral.beneficiary_id)
        .join(referred, referred.referral_id == Referral.id)
        .join(enrolled, enrolled.referral_id == Referral.id)
        .join(period, _within(enrolled.occurred_at, period.c.starts, period.c.ends))
        .where(
            *who,
            referred.status == ReferralStatus.REFERRED.value,
            enrolled.status == ReferralStatus.ENROLLED.value,
        )
        .group_by(*keys)
    )


async def first_year(db: AsyncSession, association_ids: Associations, reference_year: int) -> int:
    """The first year any record of these associations' people is dated in (from
    ``FIRST_YEAR``): the years before have nothing to count."""
    narrowed = members(association_ids)
    earliest = [
        select(func.min(Beneficiary.created_at)).where(*narrowed),
        select(func.min(Outcome.outcome_date))
        .join(Beneficiary, Beneficiary.id == Outcome.beneficiary_id)
        .where(*narrowed),
        select(func.min(ReferralEvent.occurred_at))
        .join(Referral, Referral.id == ReferralEvent.referral_id)
        .join(Beneficiary, Beneficiary.id == Referral.beneficiary_id)
        .where(*narrowed),
    ]
    years = [found.year for statement in earliest if (found := await db.scalar(statement))]
    return max(FIRST_YEAR, min(years, default=reference_year))


def _day(value: Any) -> date:
    """A ``date()`` of the database: a date on PostgreSQL, its ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _marginals(cube: Sequence[Any]) -> Iterator[dict[str, Any]]:
    """The rows of ``stats_people``: each breakdown summed from the fine groups."""
    sums: dict[tuple[Any, ...], list[int]] = {}

    def add(key: tuple[Any, ...], measures: Sequence[int]) -> None:
        into = sums.setdefault(key, [0] * len(MEASURES))
        for index, measure in enumerate(measures):
            into[index] += measure

    for row in cube:
        cell = (row.association_id, row.region, row.year)
        measures = [int(getattr(row, measure) or 0) for measure in MEASURES]
        add((*cell, "total", "all"), measures)
        add((*cell, "sex", str(row.sex)), measures)
        add((*cell, "age_band", str(row.age_band)), measures)
        for criterion in row.criteria or ():
            add((*cell, "criterion", criterion), measures)
    names = ("association_id", "region", "year", "dimension", "key")
    for key, measures in sums.items():
        yield dict(zip(names, key, strict=True)) | dict(zip(MEASURES, measures, strict=True))


@dataclass(frozen=True)
class Built:
    associations: int
    rows: int


async def build(db: AsyncSession, association_ids: Associations, today: date) -> Built:
    """Rebuild the rows of these associations (every one: ``None``) from their records as of
    ``today``, in ``db``'s transaction; the caller holds what keeps others from building them
    at once."""
    reference_year = today.year
    first = await first_year(db, association_ids, reference_year)
    period = periods(range(first, reference_year + YEARS_AHEAD + 1), reference_year)
    if db.get_bind().dialect.name == "postgresql":
        # For this transaction only: the groups hashed in memory rather than sorted on disk,
        # and no JIT compilation, which costs more than it saves on one pass.
        await db.execute(text("SET LOCAL work_mem = '64MB'"))
        await db.execute(text("SET LOCAL jit = off"))
    for model in (StatsPeople, StatsCount, StatsFollowUp):
        statement = delete(model)
        if association_ids is not None:
            statement = statement.where(model.association_id.in_(association_ids))
        await db.execute(statement)

    ids = association_ids
    people = list(_marginals((await db.execute(people_statement(ids, period))).all()))
    counts = [row._asdict() for row in await db.execute(outcomes_statement(ids, period))]
    delays: dict[tuple[Any, ...], int] = {}
    for row in await db.execute(delays_statement(ids, period)):
        days = (_day(row.enrolled_on) - _day(row.referred_on)).days
        key = (row.association_id, row.region, row.year, "enrolment_delay", str(days))
        delays[key] = delays.get(key, 0) + int(row.count)
    names = ("association_id", "region", "year", "figure", "key")
    counts += [dict(zip(names, key, strict=True)) | {"count": n} for key, n in delays.items()]
    follow_ups = [
        row._asdict()
        for row in await db.execute(follow_ups_statement(association_ids, period, today))
    ]
    for model, rows in ((StatsPeople, people), (StatsCount, counts), (StatsFollowUp, follow_ups)):
        for start in range(0, len(rows), 5000):
            await db.execute(insert(model), rows[start : start + 5000])

    built = (
        association_ids
        if association_ids is not None
        else list((await db.scalars(select(Association.id))).all())
    )
    await db.execute(delete(StatsBuilt).where(StatsBuilt.association_id.in_(built)))
    if built:
        await db.execute(
            insert(StatsBuilt),
            [{"association_id": a, "built_on": today} for a in built],
        )
    return Built(len(built), len(people) + len(counts) + len(follow_ups))


async def stale(db: AsyncSession, today: date) -> list[UUID]:
    """The associations whose rows are not the records' as of ``today``: marked, built in
    another year or on a later day."""
    marked = select(StatsStale.association_id).distinct()
    dated = select(StatsBuilt.association_id).where(
        or_(StatsBuilt.built_on < date(today.year, 1, 1), StatsBuilt.built_on > today)
    )
    found = (await db.scalars(marked.union(dated))).all()
    return sorted(found)


async def refresh(db: AsyncSession, today: date) -> int:
    """Bring every stale association's rows up to date before the figures are read; the number
    of associations built. The building is a transaction of its own, committed (as is the
    transaction ``db`` was in, which has only read): the figures are then read in a new one."""
    pending = await stale(db, today)
    if not pending:
        return 0
    await db.commit()
    if db.get_bind().dialect.name == "sqlite":
        # A write first: SQLite in WAL mode refuses a transaction that read and then writes if
        # another wrote meanwhile, where one that starts by writing waits for its turn.
        await db.execute(delete(StatsStale).where(false()))
    rebuilt = 0
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        # Under the lock: who else built them meanwhile is seen, and so is each marker
        # committed before it (a later one stays for the next read).
        await db.execute(
            select(Association.id)
            .where(Association.id.in_(batch))
            .order_by(Association.id)
            .with_for_update(key_share=True)
        )
        still = [a for a in await stale(db, today) if a in set(batch)]
        if not still:
            continue
        last = await db.scalar(
            select(func.max(StatsStale.id)).where(StatsStale.association_id.in_(still))
        )
        await build(db, still, today)
        if last is not None:
            await db.execute(
                delete(StatsStale).where(
                    StatsStale.association_id.in_(still), StatsStale.id <= last
                )
            )
        rebuilt += len(still)
    await db.commit()
    return rebuilt


async def rebuild_everything(db: AsyncSession, today: date) -> Built:
    """Build every association's rows at once (after a bulk load that wrote by SQL, or to
    check the rollup against the records), every marker seen removed."""
    last = await db.scalar(select(func.max(StatsStale.id)))
    built = await build(db, None, today)
    if last is not None:
        await db.execute(delete(StatsStale).where(StatsStale.id <= last))
    return built


def every_statement() -> list[Select[Any]]:
    """The statements that read the records (for the test that every column they read is
    tracked by ``stats.tracking``)."""
    some = [UUID(int=0)]
    period = periods([2020], 2020)
    return [
        people_statement(some, period),
        outcomes_statement(some, period),
        follow_ups_statement(some, period, date(2020, 6, 1)),
        delays_statement(some, period),
    ]
