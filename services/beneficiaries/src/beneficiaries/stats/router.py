"""``/v1/stats/outcomes``: people supported, exits and outcomes, for the regional views."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from beneficiaries.dependencies import FiguresReader
from beneficiaries.stats import service
from beneficiaries.stats.rollup import FIRST_YEAR
from beneficiaries.stats.schemas import OutcomeStats
from shared.db import SessionDep, utcnow
from shared.fields import RegionCode
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get(
    "/outcomes",
    response_model=OutcomeStats,
    name="outcomes",
    responses=problem_responses(401, 403, 422),
)
async def outcomes(
    db: SessionDep,
    access: FiguresReader,
    region: Annotated[RegionCode | None, Query(description="Where the people live")] = None,
    year: Annotated[
        int | None, Query(ge=FIRST_YEAR, le=2100, description="The calendar year")
    ] = None,
    association: Annotated[UUID | None, Query(description="One association's people")] = None,
) -> OutcomeStats:
    """People supported, exits, outcomes by type, placement rate, breakdowns by sector, sex,
    age band, vulnerability criterion and association, follow-up completion and retention at
    6 and 12 months. Counts only, within the caller's scope; a cell of 1 to 4 people is
    `null` with `suppressed: true`, and so is a second cell wherever a published total would
    let it be recomputed."""
    return await service.outcomes(
        db,
        access.principal,
        region=region,
        year=year,
        association_id=association,
        today=utcnow().date(),
    )
