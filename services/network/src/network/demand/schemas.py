from __future__ import annotations

from pydantic import BaseModel, Field


class DemandFigures(BaseModel):
    needs: int = Field(description="Labour needs declared (open or filled)")
    positions: int = Field(description="Positions those needs declare")


class DemandBy(DemandFigures):
    code: str


class Demand(BaseModel):
    region: str | None
    year: int | None = Field(
        description="The horizon year of the needs (a quarter counts in its year)"
    )
    by_sector: list[DemandBy] = Field(description="Reference sector codes")
    by_isco_group: list[DemandBy] = Field(description="ISCO-08 major groups")
    by_province: list[DemandBy]
    totals: DemandFigures
