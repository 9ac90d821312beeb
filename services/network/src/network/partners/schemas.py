from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from network.vocabulary import PartnerKind, PartnerStatus, SizeBand
from shared.fields import Distinct, Email, Phone, RegionCode, Website, text
from shared.problems import field_error
from shared.reference import Sector

PartnerName = Annotated[str, text(200, 2)]
Sectors = Annotated[list[Sector], Field(max_length=13), Distinct]
Regions = Annotated[
    list[RegionCode],
    Field(min_length=1, max_length=12, description="Regions the partner acts in (one or more)"),
    Distinct,
]


class PartnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PartnerName
    kind: PartnerKind
    sectors: Sectors = []
    regions: Regions
    size_band: SizeBand | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Website | None = None
    status: PartnerStatus = PartnerStatus.ACTIVE


class PartnerUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: PartnerName | None = None
    kind: PartnerKind | None = None
    sectors: Sectors | None = None
    regions: Regions | None = None
    size_band: SizeBand | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Website | None = None
    status: PartnerStatus | None = None

    @field_validator("name", "kind", "sectors", "regions", "status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: PartnerKind
    sectors: list[Sector]
    regions: list[str]
    size_band: SizeBand | None
    email: str | None
    phone: str | None
    website: str | None
    status: PartnerStatus
    version: int
    created_at: datetime
    updated_at: datetime


class PartnerSort(StrEnum):
    NAME = "name"
    UPDATED = "updated"  # oldest change first: delta sync
    RECENT = "-updated"


class PartnerQuery(BaseModel):
    """``GET /v1/partners``: the filters combine."""

    region: RegionCode | None = None
    kind: PartnerKind | None = None
    sector: Sector | None = None
    status: PartnerStatus | None = None
    network_id: UUID | None = Field(
        default=None, description="Current members of this network (itself or a group)"
    )
    q: str | None = Field(default=None, max_length=200, description="Words of the name")
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: PartnerSort = PartnerSort.NAME
