"""The demand figures: positions partners declare, for the gateway's regional views.

Counts only (no partner named): every caller the route lets in reads every region's figures, as
the training supply of the offers service is public.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from network.demand.schemas import Demand, DemandBy, DemandFigures
from network.labour_needs import service as needs_service


async def demand(db: AsyncSession, region: str | None, year: int | None) -> Demand:
    by: dict[str, list[DemandBy]] = {}
    for dimension in ("sector", "isco_group", "province"):
        rows = await needs_service.declared_positions(db, dimension, region, year)
        by[dimension] = [
            DemandBy(code=code, needs=needs, positions=positions) for code, needs, positions in rows
        ]
    totals = DemandFigures(
        needs=sum(row.needs for row in by["sector"]),
        positions=sum(row.positions for row in by["sector"]),
    )
    return Demand(
        region=region,
        year=year,
        by_sector=by["sector"],
        by_isco_group=by["isco_group"],
        by_province=by["province"],
        totals=totals,
    )
