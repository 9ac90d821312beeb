"""The regional adequacy review, in the Torino Process's blocks B to E at a region's scale.

Every figure comes from a service's statistics (``/v1/stats/…``): the gateway only puts them side
by side and derives the rates. The method, the formulas and the thresholds are documented in
``docs/adequacy-method.md`` (French, Arabic, English), served with the API's docs.

- B, labour-market demand, per sector: the training supply (offers), the positions partners
  declare (network), the people placed in the sector (beneficiaries); coverage = completers ÷
  positions; a tension class from the region's thresholds; the insertion rate = people placed ÷
  exits (beneficiaries, region-wide: an exit has no sector).
- C, inclusion demand: people supported, enrolled and placed by vulnerability criterion, sex and
  age band, their share of the enrolments; the provinces where partners declare positions and
  no session is open.
- D, internal efficiency: completion, drop-out and certification rates by sector and by kind of
  provider, seat occupancy, median days from referral to enrolment.
- E, governance and partnership: events by kind, attendance, active partners, decisions, action
  items done and overdue, agreements' commitments against their progress.
- The region's totals for the year and the previous one, and the change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, Field

from gateway.views.fanout import BackendError, Gathered, Part
from gateway.views.figures import (
    NOTHING,
    Cell,
    Rate,
    YearOnYear,
    cell,
    ratio,
    totals,
    year_on_year,
)

Tension = Literal["shortage", "balanced", "surplus"]
BLOCKS = ("labour_market", "inclusion", "efficiency", "governance")


class Thresholds(BaseModel):
    """The region's data: the sectors its review shows and the bounds of its tension classes."""

    sectors: list[str]
    shortage_below: float = Field(description="Coverage under this: shortage")
    surplus_above: float = Field(description="Coverage over this: surplus")


@cache
def _regions_data() -> dict[str, Any]:
    text = resources.files("gateway.views").joinpath("adequacy-regions.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def thresholds(region: str | None) -> Thresholds:
    """The region's thresholds and sectors (``default`` for a region the data does not name)."""
    data = _regions_data()
    return Thresholds.model_validate(data["regions"].get(region or "", data["default"]))


def tension(coverage: Rate, completed: int, positions: int, bounds: Thresholds) -> Tension | None:
    """Shortage when the completers cover too few of the positions, surplus when far more;
    nothing to judge when there is neither supply nor demand."""
    if positions == 0:
        return "surplus" if completed else None
    assert coverage.value is not None
    if coverage.value < bounds.shortage_below:
        return "shortage"
    if coverage.value > bounds.surplus_above:
        return "surplus"
    return "balanced"


class SectorDemand(BaseModel):
    sector: str
    sessions: int
    seats: int
    enrolled: int
    completed: int
    certified: int
    positions: int = Field(description="Declared by partners for the year")
    placed: Cell | None = Field(
        description="People with a positive outcome in the sector (`null`: not known)"
    )
    coverage: Rate = Field(description="completed ÷ positions")
    tension: Tension | None = Field(description="`null`: neither supply nor demand")


class LabourMarket(BaseModel):
    sectors: list[SectorDemand]
    insertion_rate: Rate = Field(description="people placed ÷ exits, region-wide")
    coverage: Rate = Field(description="All sectors: completed ÷ positions")


class InclusionRow(BaseModel):
    key: str
    supported: Cell
    enrolled: Cell
    placed: Cell
    share_of_enrolments: Rate = Field(description="enrolled ÷ all people enrolled")
    placement_rate: Rate = Field(description="placed ÷ exits of the group")


class ProvinceGap(BaseModel):
    province: str
    positions: int


class Inclusion(BaseModel):
    by_vulnerability: list[InclusionRow]
    by_sex: list[InclusionRow]
    by_age_band: list[InclusionRow]
    provinces_without_session: list[ProvinceGap] = Field(
        description="Provinces where partners declare positions and no session is open"
    )


class EfficiencyRow(BaseModel):
    key: str
    sessions: int
    completion_rate: Rate = Field(description="completed ÷ enrolled")
    dropout_rate: Rate = Field(description="(enrolled − completed) ÷ enrolled")
    certification_rate: Rate = Field(description="certified ÷ completed")
    occupancy: Rate = Field(description="enrolled ÷ seats")


class Efficiency(BaseModel):
    by_sector: list[EfficiencyRow] = Field(description="The region's sectors, in its order")
    by_provider_kind: list[EfficiencyRow]
    occupancy: Rate = Field(description="All sessions: enrolled ÷ seats")
    median_days_to_enrolment: float | None = Field(
        description="From referral to enrolment; `null` when withheld or no one enrolled"
    )
    enrolment_delay_suppressed: bool


class Governance(BaseModel):
    partners: int = Field(description="Partners active today")
    events: list[dict[str, Any]] = Field(description="Per kind: scheduled, held, cancelled")
    attendance: dict[str, int]
    decisions: int
    action_items: dict[str, int]
    agreements: int
    commitments: list[dict[str, Any]] = Field(
        description="Per unit and sector: committed and achieved"
    )


class Adequacy(BaseModel):
    region: str | None
    year: int
    completed: bool = Field(description="Every service answered")
    errors: list[BackendError]
    thresholds: Thresholds
    labour_market: LabourMarket | None = Field(description="`null` without its services")
    inclusion: Inclusion | None
    efficiency: Efficiency | None
    governance: Governance | None
    totals: YearOnYear


def parts(region: str | None, year: int) -> dict[str, Part]:
    """The service calls of one review: the year's figures and the previous year's."""
    query = f"?year={year}" + (f"&region={region}" if region else "")
    before = f"?year={year - 1}" + (f"&region={region}" if region else "")
    calls: dict[str, Part] = {}
    for name, service, path in (
        ("supply", "offers", "/v1/stats/supply"),
        ("demand", "network", "/v1/stats/demand"),
        ("outcomes", "beneficiaries", "/v1/stats/outcomes"),
        ("activity", "network", "/v1/stats/activity"),
    ):
        calls[name] = Part(service, path + query)
        calls[f"{name}_before"] = Part(service, path + before)
    return calls


def _efficiency_row(key: str, figures: Mapping[str, Any]) -> EfficiencyRow:
    enrolled, completed = int(figures["enrolled"]), int(figures["completed"])
    return EfficiencyRow(
        key=key,
        sessions=int(figures["sessions"]),
        completion_rate=ratio(completed, enrolled),
        dropout_rate=ratio(enrolled - completed, enrolled),
        certification_rate=ratio(int(figures["certified"]), completed),
        occupancy=ratio(enrolled, int(figures["seats"])),
    )


def labour_market(
    supply: Mapping[str, Any],
    demand: Mapping[str, Any],
    outcomes: Mapping[str, Any] | None,
    bounds: Thresholds,
) -> LabourMarket:
    offered = {row["sector"]: row for row in supply["sectors"]}
    positions = {row["code"]: int(row["positions"]) for row in demand["by_sector"]}
    placed = {
        row["key"]: cell(row["people"]) for row in (outcomes or {}).get("placed_by_sector", [])
    }
    sectors = []
    for sector in bounds.sectors:
        figures = offered.get(sector, {})
        completed = int(figures.get("completed", 0))
        wanted = positions.get(sector, 0)
        coverage = ratio(completed, wanted)
        sectors.append(
            SectorDemand(
                sector=sector,
                sessions=int(figures.get("sessions", 0)),
                seats=int(figures.get("seats", 0)),
                enrolled=int(figures.get("enrolled", 0)),
                completed=completed,
                certified=int(figures.get("certified", 0)),
                positions=wanted,
                placed=placed.get(sector, NOTHING) if outcomes is not None else None,
                coverage=coverage,
                tension=tension(coverage, completed, wanted, bounds),
            )
        )
    insertion = (
        ratio(cell(outcomes["placed"]), cell(outcomes["exits"]))
        if outcomes is not None
        else Rate(value=None)
    )
    return LabourMarket(
        sectors=sectors,
        insertion_rate=insertion,
        coverage=ratio(int(supply["totals"]["completed"]), int(demand["totals"]["positions"])),
    )


def _inclusion_rows(rows: list[Mapping[str, Any]], enrolled: Cell) -> list[InclusionRow]:
    found = []
    for row in rows:
        supported, placed = cell(row["supported"]), cell(row["placed"])
        group_enrolled, exits = cell(row["enrolled"]), cell(row["exits"])
        found.append(
            InclusionRow(
                key=row["key"],
                supported=supported,
                enrolled=group_enrolled,
                placed=placed,
                share_of_enrolments=ratio(group_enrolled, enrolled),
                placement_rate=ratio(placed, exits),
            )
        )
    return found


def _inclusion(
    outcomes: Mapping[str, Any], demand: Mapping[str, Any] | None, supply: Mapping[str, Any] | None
) -> Inclusion:
    enrolled = cell(outcomes["enrolled"])
    gaps: list[ProvinceGap] = []
    if demand is not None and supply is not None:
        open_provinces = {
            row["province"] for row in supply["catalogue"]["by_province"] if row["sessions"]
        }
        gaps = [
            ProvinceGap(province=row["code"], positions=int(row["positions"]))
            for row in demand["by_province"]
            if row["code"] not in open_provinces and int(row["positions"]) > 0
        ]
    return Inclusion(
        by_vulnerability=_inclusion_rows(outcomes["by_vulnerability"], enrolled),
        by_sex=_inclusion_rows(outcomes["by_sex"], enrolled),
        by_age_band=_inclusion_rows(outcomes["by_age_band"], enrolled),
        provinces_without_session=gaps,
    )


def _efficiency(
    supply: Mapping[str, Any], outcomes: Mapping[str, Any] | None, bounds: Thresholds
) -> Efficiency:
    delay = (outcomes or {}).get("days_to_enrolment") or {}
    offered = {row["sector"]: row for row in supply["sectors"]}
    return Efficiency(
        by_sector=[
            _efficiency_row(sector, offered[sector])
            for sector in bounds.sectors
            if sector in offered
        ],
        by_provider_kind=[
            _efficiency_row(row["provider_kind"], row) for row in supply["by_provider_kind"]
        ],
        occupancy=ratio(int(supply["totals"]["enrolled"]), int(supply["totals"]["seats"])),
        median_days_to_enrolment=delay.get("median_days"),
        enrolment_delay_suppressed=bool(delay.get("suppressed", False)),
    )


def _governance(activity: Mapping[str, Any]) -> Governance:
    return Governance(
        partners=int(activity["partners"]),
        events=list(activity["events"]),
        attendance=dict(activity["attendance"]),
        decisions=int(activity["decisions"]),
        action_items=dict(activity["action_items"]),
        agreements=int(activity["agreements"]["agreements"]),
        commitments=list(activity["agreements"]["commitments"]),
    )


def review(region: str | None, year: int, gathered: Gathered) -> Adequacy:
    """The review from what the services gave; a block whose figures are missing is ``null``."""
    got = gathered.results
    supply, demand = got.get("supply"), got.get("demand")
    outcomes, activity = got.get("outcomes"), got.get("activity")
    bounds = thresholds(region)
    return Adequacy(
        region=region,
        year=year,
        completed=gathered.completed,
        errors=gathered.errors,
        thresholds=bounds,
        labour_market=(
            labour_market(supply, demand, outcomes, bounds)
            if supply is not None and demand is not None
            else None
        ),
        inclusion=_inclusion(outcomes, demand, supply) if outcomes is not None else None,
        efficiency=_efficiency(supply, outcomes, bounds) if supply is not None else None,
        governance=_governance(activity) if activity is not None else None,
        totals=year_on_year(
            totals(supply, demand, outcomes, activity),
            totals(
                got.get("supply_before"),
                got.get("demand_before"),
                got.get("outcomes_before"),
                got.get("activity_before"),
            ),
        ),
    )
