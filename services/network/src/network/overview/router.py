"""``/v1/stats/overview``: a region's networks and their next meetings, for the gateway's region
page. Those who read the region's figures (viewers, its coordinators and clients) get the
networks' names and the titles, dates and places of their upcoming events: the networks' public
face, never a partner's record or an attendee."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from network.access import Access
from network.dependencies import StatsReader
from network.events import service as events_service
from network.events.schemas import AgendaQuery
from network.networks import service as networks_service
from network.networks.schemas import NetworkQuery
from network.overview.schemas import Meeting, NetworkSummary, Overview
from shared.db import SessionDep, utcnow
from shared.fields import RegionCode
from shared.pagination import PageParams
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/stats", tags=["stats"])
UPCOMING = 5
NETWORKS = 50


@router.get(
    "/overview",
    response_model=Overview,
    name="overview",
    responses=problem_responses(401, 403, 422),
)
async def overview(
    db: SessionDep,
    access: StatsReader,
    region: Annotated[RegionCode, Query(description="The networks' region")],
    upcoming: Annotated[int, Query(ge=1, le=20, description="How many next meetings")] = UPCOMING,
) -> Overview:
    """The region's networks and their next meetings (within a year), series expanded."""
    scope = Access.figures_of(access.principal, region)
    networks = await networks_service.list_networks(
        db, scope, NetworkQuery(region=region), PageParams(limit=NETWORKS, cursor=None)
    )
    now = utcnow()
    agenda = await events_service.agenda(
        db,
        scope,
        AgendaQuery(region=region),
        (now, now + timedelta(days=366)),
        PageParams(limit=upcoming, cursor=None),
    )
    return Overview(
        region=region,
        networks=[NetworkSummary.model_validate(n, from_attributes=True) for n in networks.items],
        upcoming=[Meeting.model_validate(o, from_attributes=True) for o in agenda.items],
    )
