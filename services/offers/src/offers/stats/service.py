"""Supply statistics for the gateway's aggregated views (adequacy, regional profiles)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from offers.stats import repository
from offers.stats.schemas import (
    Catalogue,
    KindSupply,
    OpenSessions,
    SectorSupply,
    Supply,
    SupplyFigures,
)
from offers.vocabulary import ProviderKind
from shared.reference import Sector

_FIGURES = tuple(SupplyFigures.model_fields)


def _figures(rows: Sequence[Any], keys: Iterable[str]) -> dict[str, dict[str, int]]:
    """Every key's figures (zeros where the database grouped nothing)."""
    found = {str(row[0]): row for row in rows}
    return {
        key: {name: int(getattr(found[key], name)) if key in found else 0 for name in _FIGURES}
        for key in keys
    }


async def supply(db: AsyncSession, region: str | None, year: int | None, today: date) -> Supply:
    by_sector = _figures(await repository.supply_by_sector(db, region, year), Sector)
    sectors = [SectorSupply(sector=Sector(key), **row) for key, row in by_sector.items()]
    by_kind = _figures(await repository.supply_by_provider_kind(db, region, year), ProviderKind)
    kinds = [KindSupply(provider_kind=ProviderKind(key), **row) for key, row in by_kind.items()]
    totals = SupplyFigures(
        **{name: sum(getattr(sector, name) for sector in sectors) for name in _FIGURES}
    )
    provinces = [
        OpenSessions(province=province, sessions=int(sessions), free_seats=int(free))
        for province, sessions, free in await repository.open_sessions_by_province(
            db, region, today
        )
    ]
    provinces.sort(key=lambda row: (row.province is None, row.province or ""))
    catalogue = Catalogue(
        providers=await repository.published_providers(db, region),
        published_offers=await repository.published_offers(db, region),
        open_sessions=sum(row.sessions for row in provinces),
        free_seats=sum(row.free_seats for row in provinces),
        by_province=provinces,
    )
    return Supply(
        region=region,
        year=year,
        sectors=sectors,
        by_provider_kind=kinds,
        totals=totals,
        catalogue=catalogue,
    )
