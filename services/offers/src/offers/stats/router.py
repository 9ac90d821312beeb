"""``/v1/stats/supply``: the training supply per sector, for the gateway's aggregations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from offers.dependencies import Reader
from offers.stats import service
from offers.stats.schemas import Supply
from shared.db import SessionDep, utcnow
from shared.fields import RegionCode
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("/supply", response_model=Supply, name="supply", responses=problem_responses(422))
async def supply(
    db: SessionDep,
    access: Reader,
    region: Annotated[RegionCode | None, Query(description="Where the sessions take place")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Sessions starting")] = None,
) -> Supply:
    """Per sector and per kind of provider: published offers, their sessions (not cancelled)
    placed in the region and starting in the year, seats, and the enrolled, completed and
    certified people reported; and the catalogue today: published providers and offers, the
    sessions not started yet and their free seats, per province."""
    # Counts of published records only: as public as the records themselves.
    return await service.supply(db, region, year, today=utcnow().date())
