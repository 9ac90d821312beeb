"""The national demo data (``kafaat seed-demo --scale national``): placeholder."""

from __future__ import annotations

from shared.demo import Sizes


async def seed(database_url: str, sizes: Sizes) -> bool:
    raise SystemExit("national demo data: not yet")
