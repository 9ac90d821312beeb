from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from beneficiaries.fields import Printable
from beneficiaries.vocabulary import AssociationStatus
from shared.fields import Distinct, Email, Phone, ProvinceCode, RegionCode, text
from shared.problems import field_error
from shared.reference.vocabularies import Sector

AssociationName = Annotated[str, text(200, 2), Printable]
LegalId = Annotated[str, text(64), Printable, Field(description="ICE, RC or registration number")]
ContactName = Annotated[str, text(200), Printable]
Sectors = Annotated[list[Sector], Field(max_length=13), Distinct]


class AssociationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: AssociationName
    legal_id: LegalId | None = None
    region: RegionCode
    province: ProvinceCode | None = None
    sectors: Sectors = []
    contact_name: ContactName | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    status: AssociationStatus = AssociationStatus.ACTIVE


class AssociationUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: AssociationName | None = None
    legal_id: LegalId | None = None
    region: RegionCode | None = None
    province: ProvinceCode | None = None
    sectors: Sectors | None = None
    contact_name: ContactName | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    status: AssociationStatus | None = None

    @field_validator("name", "region", "sectors", "status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class AssociationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    legal_id: str | None
    region: str
    province: str | None
    sectors: list[Sector]
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    status: AssociationStatus
    version: int
    created_at: datetime
    updated_at: datetime


class AssociationSort(StrEnum):
    NAME = "name"
    UPDATED = "updated"


class AssociationQuery(BaseModel):
    """``GET /v1/associations``: the filters combine."""

    region: RegionCode | None = None
    province: ProvinceCode | None = None
    status: AssociationStatus | None = None
    sector: Sector | None = None
    q: str | None = Field(default=None, max_length=200, description="Words of the name")
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: AssociationSort = AssociationSort.NAME
