from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from offers.vocabulary import ProviderKind, PublicationStatus
from shared.fields import (
    Commune,
    Email,
    ExternalId,
    Phone,
    ProvinceCode,
    RegionCode,
    SourceName,
    Website,
    text,
)
from shared.problems import field_error

ProviderName = Annotated[str, text(200, 2)]
LegalId = Annotated[str, text(64), Field(description="ICE, RC or other legal identifier")]
Address = Annotated[str, text(500)]
Accreditation = Annotated[str, text(200)]
# Morocco's extent: a point outside it is most often latitude and longitude swapped.
Latitude = Annotated[float, Field(ge=20.5, le=36.0, description="WGS 84, within Morocco")]
Longitude = Annotated[float, Field(ge=-17.5, le=-0.9, description="WGS 84, within Morocco")]


class ProviderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProviderName
    kind: ProviderKind
    legal_id: LegalId | None = None
    region: RegionCode
    province: ProvinceCode | None = None
    commune: Commune | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Website | None = None
    accreditation: Accreditation | None = None
    source: SourceName | None = Field(
        default=None, description="Defaults to `kafaat` with the new id as `external_id`"
    )
    external_id: ExternalId | None = None


class ProviderUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: ProviderName | None = None
    kind: ProviderKind | None = None
    legal_id: LegalId | None = None
    region: RegionCode | None = None
    province: ProvinceCode | None = None
    commune: Commune | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Website | None = None
    accreditation: Accreditation | None = None

    @field_validator("name", "kind", "region")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class ProviderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: ProviderKind
    legal_id: str | None
    region: str
    province: str | None
    commune: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    phone: str | None
    email: str | None
    website: str | None
    accreditation: str | None
    status: PublicationStatus
    source: str
    external_id: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class ProviderSort(StrEnum):
    NAME = "name"
    UPDATED = "updated"  # oldest change first: delta sync
    RECENT = "-updated"  # newest change first


class ProviderQuery(BaseModel):
    """``GET /v1/providers``: the filters combine."""

    region: RegionCode | None = None
    province: ProvinceCode | None = None
    kind: ProviderKind | None = None
    status: PublicationStatus | None = None
    q: str | None = Field(default=None, max_length=200, description="Words of the name")
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: ProviderSort = ProviderSort.NAME
