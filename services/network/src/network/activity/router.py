"""``/v1/stats/activity``: what the networks of a region did in a year, for the gateway's
regional views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from network.activity import service
from network.activity.schemas import Activity
from network.dependencies import StatsReader
from shared.db import SessionDep
from shared.fields import RegionCode
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get(
    "/activity",
    response_model=Activity,
    name="activity",
    responses=problem_responses(401, 403, 422),
)
async def activity(
    db: SessionDep,
    access: StatsReader,
    region: Annotated[RegionCode | None, Query(description="The networks' region")] = None,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Default: every year up to this one")
    ] = None,
) -> Activity:
    """Events by kind (a series by its occurrences in the year), attendance and active
    partners, decisions, action items done or overdue, agreements in force and their
    commitments against the progress reported."""
    return await service.activity(db, region, year)
