from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from network.vocabulary import ContractType, NeedStatus
from shared.fields import Distinct, IscoCode, ProvinceCode, RegionCode, text
from shared.problems import field_error
from shared.reference import Sector

Horizon = Annotated[
    str,
    StringConstraints(pattern=r"^20\d{2}(-Q[1-4])?$"),
    Field(description="A year (`2027`) or a quarter (`2027-Q1`)"),
]
Skill = Annotated[str, text(120)]
Skills = Annotated[list[Skill], Field(max_length=30), Distinct]
Positions = Annotated[int, Field(gt=0, le=100_000)]
Notes = Annotated[str, text(2000)]


class LabourNeedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: UUID | None = Field(
        default=None, description="Left out by a partner member: its own partner"
    )
    region: RegionCode
    province: ProvinceCode
    sector: Sector
    isco_group: IscoCode
    positions: Positions
    horizon: Horizon
    contract_type: ContractType
    skills: Skills = []
    notes: Notes | None = None
    status: NeedStatus = NeedStatus.OPEN


class LabourNeedUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: RegionCode | None = None
    province: ProvinceCode | None = None
    sector: Sector | None = None
    isco_group: IscoCode | None = None
    positions: Positions | None = None
    horizon: Horizon | None = None
    contract_type: ContractType | None = None
    skills: Skills | None = None
    notes: Notes | None = None
    status: NeedStatus | None = None

    @field_validator(
        "region",
        "province",
        "sector",
        "isco_group",
        "positions",
        "horizon",
        "contract_type",
        "skills",
        "status",
    )
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class LabourNeedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    partner_id: UUID
    region: str
    province: str
    sector: Sector
    isco_group: str
    positions: int
    horizon: str
    horizon_year: int
    contract_type: ContractType
    skills: list[str]
    notes: str | None
    status: NeedStatus
    version: int
    created_at: datetime
    updated_at: datetime


class LabourNeedSort(StrEnum):
    UPDATED = "updated"
    RECENT = "-updated"
    HORIZON = "horizon"


class LabourNeedQuery(BaseModel):
    """``GET /v1/labour-needs``: the filters combine."""

    region: RegionCode | None = None
    province: ProvinceCode | None = None
    partner_id: UUID | None = None
    sector: Sector | None = None
    isco_group: IscoCode | None = None
    contract_type: ContractType | None = None
    status: NeedStatus | None = None
    horizon_year: int | None = Field(default=None, ge=2000, le=2100)
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: LabourNeedSort = LabourNeedSort.RECENT
