"""Supply statistics for the gateway's aggregated views (adequacy, regional profiles)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from offers.stats import repository
from offers.stats.schemas import SectorSupply, Supply, SupplyFigures
from shared.reference import Sector

_FIGURES = tuple(SupplyFigures.model_fields)


async def supply(db: AsyncSession, region: str | None, year: int | None) -> Supply:
    rows = {row.sector: row for row in await repository.supply_by_sector(db, region, year)}
    sectors = [
        SectorSupply(
            sector=sector,
            **{
                name: int(getattr(rows[sector], name)) if sector in rows else 0 for name in _FIGURES
            },
        )
        for sector in Sector
    ]
    totals = SupplyFigures(
        **{name: sum(getattr(sector, name) for sector in sectors) for name in _FIGURES}
    )
    return Supply(region=region, year=year, sectors=sectors, totals=totals)
