"""``/v1/stats/demand``: positions declared by partners, for the gateway's regional views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from network.demand import service
from network.demand.schemas import Demand
from network.dependencies import StatsReader
from shared.db import SessionDep
from shared.fields import RegionCode
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get(
    "/demand", response_model=Demand, name="demand", responses=problem_responses(401, 403, 422)
)
async def demand(
    db: SessionDep,
    access: StatsReader,
    region: Annotated[RegionCode | None, Query(description="Where the jobs are")] = None,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Horizon year of the needs")
    ] = None,
) -> Demand:
    """Positions of the open and filled labour needs, by sector, ISCO-08 group and province."""
    return await service.demand(db, region, year)
