from __future__ import annotations

from pydantic import BaseModel, Field

from shared.reference import Sector


class SupplyFigures(BaseModel):
    offers: int = Field(description="Published offers with at least one counted session")
    sessions: int = Field(description="Sessions that are not cancelled")
    seats: int
    enrolled: int
    completed: int
    certified: int
    sessions_reporting: int = Field(description="Sessions whose provider reported the counts")


class SectorSupply(SupplyFigures):
    sector: Sector


class Supply(BaseModel):
    region: str | None
    year: int | None
    sectors: list[SectorSupply] = Field(description="Every sector, in the vocabulary's order")
    totals: SupplyFigures
