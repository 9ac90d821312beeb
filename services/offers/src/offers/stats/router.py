"""``/v1/stats/supply``: the training supply per sector, for the gateway's aggregations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from offers.stats import service
from offers.stats.schemas import Supply
from shared.db import SessionDep
from shared.fields import RegionCode
from shared.policy import require
from shared.principal import Principal
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/stats", tags=["stats"])

# Counts of published records only: as public as the records themselves.
Reader = Annotated[Principal, require(anonymous=True)]


@router.get("/supply", response_model=Supply, name="supply", responses=problem_responses(422))
async def supply(
    session: SessionDep,
    principal: Reader,
    region: Annotated[RegionCode | None, Query(description="Where the sessions take place")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Sessions starting")] = None,
) -> Supply:
    """Per sector: published offers, their sessions (not cancelled) placed in the region and
    starting in the year, seats, and the enrolled, completed and certified people reported."""
    return await service.supply(session, region, year)
