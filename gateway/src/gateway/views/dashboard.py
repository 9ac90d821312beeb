"""The programme at a glance, for a region or the whole country: its training offer, the people
its associations support and their outcomes, its partners' networks. Every year unless one is
asked (the pilot's whole history, in the demo)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gateway.views.fanout import BackendError, Gathered, Part
from gateway.views.figures import Cell, cell
from shared.reference import OutcomeType

POSITIVE = tuple(kind.value for kind in OutcomeType)


class Training(BaseModel):
    providers: int
    published_offers: int
    open_sessions: int = Field(description="Sessions planned or open that have not started")
    open_seats: int = Field(description="Their seats not reserved yet")


class Support(BaseModel):
    associations: int
    people_supported: Cell
    exits: Cell
    positive_outcomes: Cell = Field(description="People with a positive outcome")
    positive_outcomes_by_type: dict[str, Cell] = Field(
        description="employment, very_small_business (TPE), cooperative, self_employed"
    )


class Partnership(BaseModel):
    partners: int = Field(description="Partners active today")
    events_held: int
    attendance: int = Field(description="People recorded present")
    agreements: int
    committed: int = Field(description="Quantities the agreements commit to")
    achieved: int = Field(description="Achieved as of their latest progress reports")


class Dashboard(BaseModel):
    region: str | None
    year: int | None = Field(description="`null`: every year")
    completed: bool
    errors: list[BackendError]
    training: Training | None = Field(description="`null`: the offers service did not answer")
    support: Support | None
    partnership: Partnership | None


def parts(region: str | None, year: int | None) -> dict[str, Part]:
    query = "&".join(
        f"{name}={value}" for name, value in (("region", region), ("year", year)) if value
    )
    suffix = f"?{query}" if query else ""
    return {
        "supply": Part("offers", "/v1/stats/supply" + suffix),
        "outcomes": Part("beneficiaries", "/v1/stats/outcomes" + suffix),
        "activity": Part("network", "/v1/stats/activity" + suffix),
    }


def training_of(supply: dict[str, Any]) -> Training:
    catalogue = supply["catalogue"]
    return Training(
        providers=catalogue["providers"],
        published_offers=catalogue["published_offers"],
        open_sessions=catalogue["open_sessions"],
        open_seats=catalogue["free_seats"],
    )


def support_of(outcomes: dict[str, Any]) -> Support:
    by_type = {row["key"]: cell(row["people"]) for row in outcomes["outcomes_by_type"]}
    return Support(
        associations=outcomes["associations"],
        people_supported=cell(outcomes["people_supported"]),
        exits=cell(outcomes["exits"]),
        positive_outcomes=cell(outcomes["placed"]),
        positive_outcomes_by_type={kind: by_type.get(kind, cell(None)) for kind in POSITIVE},
    )


def _partnership(activity: dict[str, Any]) -> Partnership:
    commitments = activity["agreements"]["commitments"]
    return Partnership(
        partners=activity["partners"],
        events_held=sum(kind["held"] for kind in activity["events"]),
        attendance=activity["attendance"]["present"],
        agreements=activity["agreements"]["agreements"],
        committed=sum(row["committed"] for row in commitments),
        achieved=sum(row["achieved"] for row in commitments),
    )


def dashboard(region: str | None, year: int | None, gathered: Gathered) -> Dashboard:
    got = gathered.results
    return Dashboard(
        region=region,
        year=year,
        completed=gathered.completed,
        errors=gathered.errors,
        training=training_of(got["supply"]) if "supply" in got else None,
        support=support_of(got["outcomes"]) if "outcomes" in got else None,
        partnership=_partnership(got["activity"]) if "activity" in got else None,
    )
