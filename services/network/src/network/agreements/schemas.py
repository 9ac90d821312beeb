from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from network.events.schemas import EventTime
from network.vocabulary import AgreementKind, AgreementStatus, CommitmentUnit
from shared.fields import Distinct, RegionCode, text
from shared.problems import field_error
from shared.reference import Sector

AgreementDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
PartyIds = Annotated[
    list[UUID],
    Field(min_length=2, max_length=50, description="The partners party to it: two or more"),
    Distinct,
]
Quantity = Annotated[int, Field(ge=1, le=1_000_000_000)]


class CommitmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, text(300)]
    quantity: Quantity
    unit: CommitmentUnit
    sector: Sector | None = None
    partner_id: UUID | None = Field(default=None, description="The party that commits")


class CommitmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, text(300)] | None = None
    quantity: Quantity | None = None
    sector: Sector | None = None

    @field_validator("description", "quantity")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class ProgressCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reported_on: AgreementDate
    achieved: Annotated[int, Field(ge=0, le=1_000_000_000, description="Achieved to date")]
    note: Annotated[str, text(1000)] | None = None


class ProgressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    reported_on: date
    achieved: int
    note: str | None
    created_at: datetime


class CommitmentRead(BaseModel):
    id: UUID
    agreement_id: UUID
    description: str
    quantity: int
    unit: CommitmentUnit
    sector: Sector | None
    partner_id: UUID | None
    achieved: int = Field(description="As of the latest report (0 before any)")
    progress_percent: float = Field(description="achieved / quantity, in percent")
    last_reported_on: date | None
    reports: list[ProgressRead] = Field(description="Oldest first")
    version: int


class AgreementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, text(300)]
    kind: AgreementKind
    region: RegionCode
    network_id: UUID | None = Field(default=None, description="A network of the same region")
    objectives: Annotated[str, text(10_000)] | None = None
    party_ids: PartyIds
    start_date: AgreementDate
    end_date: AgreementDate | None = None
    status: AgreementStatus = AgreementStatus.DRAFT
    signed_date: AgreementDate | None = None
    commitments: Annotated[list[CommitmentCreate], Field(max_length=50)] = []


class AgreementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, text(300)] | None = None
    kind: AgreementKind | None = None
    objectives: Annotated[str, text(10_000)] | None = None
    party_ids: PartyIds | None = None
    start_date: AgreementDate | None = None
    end_date: AgreementDate | None = None
    status: AgreementStatus | None = None
    signed_date: AgreementDate | None = None

    @field_validator("title", "kind", "party_ids", "start_date", "status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class AgreementRead(BaseModel):
    id: UUID
    region: str
    network_id: UUID | None
    title: str
    kind: AgreementKind
    objectives: str | None
    party_ids: list[UUID]
    start_date: date
    end_date: date | None
    status: AgreementStatus
    signed_date: date | None
    commitments: list[CommitmentRead]
    version: int
    created_at: datetime
    updated_at: datetime


class AgreementQuery(BaseModel):
    region: RegionCode | None = None
    network_id: UUID | None = None
    kind: AgreementKind | None = None
    status: AgreementStatus | None = None
    partner_id: UUID | None = Field(default=None, description="A party to the agreement")
    active_on: date | None = Field(default=None, description="Started and not ended that day")
    updated_since: EventTime | None = None
