"""``/v1/stats/outcomes``: the figures of the regional views, never a name, never a cell that
could single someone out.

Who counts whom: admins and viewers everyone; coordinators and API clients granted
``beneficiaries:stats`` the people of their regions; association managers their association's.
Filters narrow that scope, never widen it (a region outside it counts nobody). People whose
decision in force about the ``statistics`` purpose is a refusal or a withdrawal are not
counted at all (law 09-08: the right to object).

Every count comes from the database (``stats.repository``); this module only withholds the small
cells (``stats.suppression``) and derives the rates from what is published.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.stats import repository, rollup
from beneficiaries.stats.repository import FiguresScope, Measures, Selection
from beneficiaries.stats.schemas import (
    Cell,
    CountRow,
    EnrolmentDelay,
    FollowUpFigures,
    OutcomeStats,
    PeopleRow,
    Rate,
    Retention,
)
from beneficiaries.stats.suppression import THRESHOLD, is_small, suppressed_in_groups
from beneficiaries.vocabulary import POSITIVE_OUTCOMES, AgeBand, OutcomeKind, Sex
from shared.principal import Principal, Role
from shared.problems import invalid, msg
from shared.reference import Sector, VulnerabilityCriterion

STATS_SCOPE = "beneficiaries:stats"
MEASURES = rollup.MEASURES
UNSPECIFIED = "unspecified"


def figures_scope(principal: Principal) -> FiguresScope:
    """Whose people the caller's figures may count (nobody unless a rule says otherwise)."""
    if principal.is_admin or (principal.kind == "user" and principal.role is Role.VIEWER):
        return FiguresScope(everything=True)
    if principal.kind == "user" and principal.role is Role.REGIONAL_COORDINATOR:
        return FiguresScope(regions=frozenset(principal.regions))
    if principal.kind == "client" and STATS_SCOPE in principal.scopes:
        return FiguresScope(regions=frozenset(principal.regions))
    if principal.kind == "user" and principal.role is Role.ASSOCIATION_MANAGER:
        return FiguresScope(association_id=principal.association_id)
    return FiguresScope()


def cell(count: int, withheld: bool) -> Cell:
    return Cell(value=None if withheld else count, suppressed=withheld)


def rate(numerator: Cell, denominator: Cell) -> Rate:
    """``numerator ÷ denominator``, withheld when either is (it would give the other away)."""
    if numerator.suppressed or denominator.suppressed:
        return Rate(value=None, suppressed=True)
    if not denominator.value or numerator.value is None:
        return Rate(value=None, suppressed=False)
    return Rate(value=round(numerator.value / denominator.value, 4), suppressed=False)


def protect(counts: Mapping[str, int], groups: Iterable[Collection[str]]) -> dict[str, Cell]:
    """The cells of one breakdown as published, given the groups whose sums are published."""
    withheld = suppressed_in_groups(counts, list(groups))
    return {key: cell(count, key in withheld) for key, count in counts.items()}


NOBODY: Measures = (0,) * len(MEASURES)


def people_rows(
    keys: Sequence[str], rows: Mapping[str, Measures], headline: Mapping[str, Cell]
) -> list[PeopleRow]:
    """One breakdown of the measures: each is a dimension whose total is the headline figure
    (a complement is needed only where that total is published)."""
    published: dict[str, dict[str, Cell]] = {}
    for index, measure in enumerate(MEASURES):
        counts = {key: rows.get(key, NOBODY)[index] for key in keys}
        groups = [] if headline[measure].suppressed else [list(keys)]
        published[measure] = protect(counts, groups)
    return [
        PeopleRow(key=key, **{measure: published[measure][key] for measure in MEASURES})
        for key in keys
    ]


def _follow_ups(by_status: Mapping[str, int]) -> FollowUpFigures:
    counts = {
        "done": by_status.get("done", 0),
        "missed": by_status.get("missed", 0),
        "overdue": by_status.get("scheduled", 0),
    }
    due_count = sum(counts.values())
    due = cell(due_count, is_small(due_count))
    cells = protect(counts, [] if due.suppressed else [list(counts)])
    return FollowUpFigures(
        due=due,
        done=cells["done"],
        missed=cells["missed"],
        overdue=cells["overdue"],
        completion_rate=rate(cells["done"], due),
    )


def _retention(by_holding: Mapping[bool, int]) -> Retention:
    counts = {"holding": by_holding.get(True, 0), "not_holding": by_holding.get(False, 0)}
    recorded_count = sum(counts.values())
    recorded = cell(recorded_count, is_small(recorded_count))
    cells = protect(counts, [] if recorded.suppressed else [list(counts)])
    return Retention(
        recorded=recorded,
        holding=cells["holding"],
        not_holding=cells["not_holding"],
        rate=rate(cells["holding"], recorded),
    )


def _count_rows(cells: Mapping[str, Cell]) -> list[CountRow]:
    return [CountRow(key=key, people=value) for key, value in cells.items()]


def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as ``{value: how many}`` (the mean of the two middle ones
    when their number is even)."""
    total = sum(histogram.values())
    if total == 0:
        return None

    def at(position: int) -> int:  # the value at this 0-based position in sorted order
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if position < seen:
                return value
        raise AssertionError("position beyond the histogram")

    return (at((total - 1) // 2) + at(total // 2)) / 2


def _delay(histogram: Mapping[int, int]) -> EnrolmentDelay:
    count = sum(histogram.values())
    withheld = is_small(count)
    return EnrolmentDelay(
        referrals=cell(count, withheld),
        median_days=None if withheld else median(histogram),
        suppressed=withheld,
    )


async def outcomes(
    db: AsyncSession,
    principal: Principal,
    *,
    region: str | None,
    year: int | None,
    association_id: UUID | None,
    today: date,
) -> OutcomeStats:
    if year is not None and year > today.year + rollup.YEARS_AHEAD:
        last = today.year + rollup.YEARS_AHEAD
        raise invalid([("year", msg("year_beyond_figures", last=last))], location="query")
    scope = figures_scope(principal)
    await rollup.refresh(db, today)
    selection = Selection(scope, year, region, association_id)
    groups = await repository.people(db, selection)
    totals = groups["total"].get("all", NOBODY)
    headline = {
        measure: cell(totals[index], is_small(totals[index]))
        for index, measure in enumerate(MEASURES)
    }
    placed_published = not headline["placed"].suppressed

    by_type = await repository.counts(db, selection, "outcome_type")
    type_counts = {kind.value: by_type.get(kind.value, 0) for kind in OutcomeKind}
    positives = [kind for kind in type_counts if kind in POSITIVE_OUTCOMES]
    # The whole breakdown is treated as if its sum were known (people with an outcome), and
    # the positive types add up to the published number of people placed.
    type_cells = protect(
        type_counts, [list(type_counts)] + ([positives] if placed_published else [])
    )

    by_sector = await repository.counts(db, selection, "placed_sector")
    sector_counts = {key: by_sector.get(key, 0) for key in [*Sector, UNSPECIFIED]}
    sector_cells = protect(sector_counts, [list(sector_counts)] if placed_published else [])

    associations = groups["association"]
    follow_ups = await repository.follow_up_counts(db, selection, today)
    delays = await repository.counts(db, selection, "enrolment_delay")
    return OutcomeStats(
        region=region,
        year=year,
        association_id=association_id,
        threshold=THRESHOLD,
        associations=await repository.associations(db, scope, region),
        people_supported=headline["supported"],
        exits=headline["exits"],
        placed=headline["placed"],
        placement_rate=rate(headline["placed"], headline["exits"]),
        enrolled=headline["enrolled"],
        days_to_enrolment=_delay({int(days): n for days, n in delays.items()}),
        outcomes_by_type=_count_rows(type_cells),
        placed_by_sector=_count_rows(sector_cells),
        by_sex=people_rows([sex.value for sex in Sex], groups["sex"], headline),
        by_age_band=people_rows([band.value for band in AgeBand], groups["age_band"], headline),
        by_vulnerability=people_rows(
            [criterion.value for criterion in VulnerabilityCriterion],
            groups["criterion"],
            headline,
        ),
        by_association=people_rows(sorted(associations), associations, headline),
        follow_ups=_follow_ups(follow_ups.due_by_status),
        retention_6_months=_retention(follow_ups.done_by_month.get(6, {})),
        retention_12_months=_retention(follow_ups.done_by_month.get(12, {})),
    )
