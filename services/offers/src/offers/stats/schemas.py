from __future__ import annotations

from pydantic import BaseModel, Field

from offers.vocabulary import ProviderKind
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


class KindSupply(SupplyFigures):
    provider_kind: ProviderKind


class OpenSessions(BaseModel):
    province: str | None = Field(description="`null`: sessions not placed in a province")
    sessions: int
    free_seats: int = Field(description="Seats not reserved yet")


class Catalogue(BaseModel):
    """The catalogue as it stands today (whatever the year asked)."""

    providers: int = Field(description="Published providers (of the region when one is asked)")
    published_offers: int = Field(description="Published offers (with a session in the region)")
    open_sessions: int = Field(description="Sessions planned or open that have not started")
    free_seats: int = Field(description="Their seats not reserved yet")
    by_province: list[OpenSessions]


class Supply(BaseModel):
    region: str | None
    year: int | None
    sectors: list[SectorSupply] = Field(description="Every sector, in the vocabulary's order")
    by_provider_kind: list[KindSupply] = Field(
        description="Every kind of provider, in the vocabulary's order"
    )
    totals: SupplyFigures
    catalogue: Catalogue
