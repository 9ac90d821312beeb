"""The supply figures count published offers and the sessions that are not cancelled."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from offers.stats import service
from shared.reference import Sector

from ..factories import Factory


async def test_supply_counts_published_offers_and_live_sessions(
    factory: Factory, db: AsyncSession
) -> None:
    provider = await factory.provider()
    offer = await factory.offer(provider)
    draft = await factory.offer(provider, publish=False)
    await factory.session(offer, seats_total=12)
    await factory.session(offer, seats_total=8, start_date="2028-02-01", end_date="2028-03-01")
    await factory.session(offer, seats_total=30, status="cancelled")
    await factory.session(draft, seats_total=50)
    supply = await service.supply(db, "01", 2027, date(2026, 12, 1))
    construction = next(s for s in supply.sectors if s.sector is Sector.CONSTRUCTION)
    assert (construction.offers, construction.sessions, construction.seats) == (1, 1, 12)
    assert supply.totals.seats == 12
    assert len(supply.sectors) == len(Sector)
    elsewhere = await service.supply(db, "02", None, date(2026, 12, 1))
    assert elsewhere.totals.sessions == 0
