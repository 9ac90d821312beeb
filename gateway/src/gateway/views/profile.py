"""One region for a front-end page: its names, training offer, associations, networks, upcoming
events and the headline of its adequacy review."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gateway.views import adequacy
from gateway.views.dashboard import Support, Training, support_of, training_of
from gateway.views.fanout import BackendError, Gathered, Part
from gateway.views.figures import Rate
from shared.reference import Region

UPCOMING_EVENTS = 5


class NetworkSummary(BaseModel):
    id: str
    name: str
    status: str
    founding_date: str | None


class UpcomingEvent(BaseModel):
    event_id: str
    title: str
    kind: str
    starts_at: str
    place: str | None


class Headline(BaseModel):
    year: int
    coverage: Rate = Field(description="Completers ÷ positions declared, all sectors")
    insertion_rate: Rate
    sectors_in_shortage: list[str]
    sectors_in_surplus: list[str]


class Profile(BaseModel):
    region: Region
    completed: bool
    errors: list[BackendError]
    training: Training | None
    support: Support | None
    networks: list[NetworkSummary] | None
    upcoming_events: list[UpcomingEvent] | None
    adequacy: Headline | None = Field(description="The year's review, in short")


def parts(region: str, year: int) -> dict[str, Part]:
    calls = {
        "catalogue": Part("offers", f"/v1/stats/supply?region={region}"),
        "people": Part("beneficiaries", f"/v1/stats/outcomes?region={region}"),
        "overview": Part(
            "network", f"/v1/stats/overview?region={region}&upcoming={UPCOMING_EVENTS}"
        ),
    }
    review = adequacy.parts(region, year)
    for name in ("supply", "demand", "outcomes"):
        calls[name] = review[name]
    return calls


def _headline(year: int, region: str, got: dict[str, Any]) -> Headline | None:
    if not {"supply", "demand", "outcomes"} <= set(got):
        return None
    bounds = adequacy.thresholds(region)
    market = adequacy.labour_market(got["supply"], got["demand"], got["outcomes"], bounds)
    return Headline(
        year=year,
        coverage=market.coverage,
        insertion_rate=market.insertion_rate,
        sectors_in_shortage=[row.sector for row in market.sectors if row.tension == "shortage"],
        sectors_in_surplus=[row.sector for row in market.sectors if row.tension == "surplus"],
    )


def profile(region: Region, year: int, gathered: Gathered) -> Profile:
    got = gathered.results
    overview = got.get("overview")
    return Profile(
        region=region,
        completed=gathered.completed,
        errors=gathered.errors,
        training=training_of(got["catalogue"]) if "catalogue" in got else None,
        support=support_of(got["people"]) if "people" in got else None,
        networks=(
            [
                NetworkSummary(
                    id=item["id"],
                    name=item["name"],
                    status=item["status"],
                    founding_date=item.get("founding_date"),
                )
                for item in overview["networks"]
            ]
            if overview is not None
            else None
        ),
        upcoming_events=(
            [
                UpcomingEvent(
                    event_id=item["event_id"],
                    title=item["title"],
                    kind=item["kind"],
                    starts_at=item["starts_at"],
                    place=item.get("place"),
                )
                for item in overview["upcoming"]
            ]
            if overview is not None
            else None
        ),
        adequacy=_headline(year, region.code, got),
    )
