"""The age band is the age reached in the year (the year minus the birth year), at each edge."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from beneficiaries.stats.rollup import age_band, periods

YEAR = 2026


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2009, 1, 1), "under_18"),  # 17 in 2026
        (date(2008, 12, 31), "18_24"),  # 18
        (date(2008, 1, 1), "18_24"),
        (date(2002, 1, 1), "18_24"),  # 24
        (date(2001, 12, 31), "25_34"),  # 25
        (date(1992, 6, 1), "25_34"),  # 34
        (date(1991, 12, 31), "35_44"),  # 35
        (date(1982, 1, 1), "35_44"),  # 44
        (date(1981, 12, 31), "45_plus"),  # 45
        (date(1950, 1, 1), "45_plus"),
    ],
)
async def test_the_band_of_a_birth_date(engine: AsyncEngine, born: date, band: str) -> None:
    async with engine.connect() as connection:
        period = periods([YEAR], YEAR)
        band_of = select(age_band(literal(born), period)).where(period.c.year == YEAR)
        found = await connection.scalar(band_of)
    assert found == band
