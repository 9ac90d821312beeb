from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from beneficiaries.diagnosis.schemas import CaseDate, Notes
from beneficiaries.fields import Printable
from beneficiaries.vocabulary import ContractType, FollowUpStatus, OutcomeKind
from shared.fields import IscoCode, text
from shared.problems import field_error
from shared.reference import Sector


class OutcomeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: OutcomeKind
    outcome_date: CaseDate
    evidence_note: Notes | None = Field(
        default=None, description="What shows it (a contract seen, a registration number…)"
    )
    employer: Annotated[str, text(200), Printable] | None = Field(
        default=None, description="Employment only"
    )
    contract_type: ContractType | None = Field(default=None, description="Employment only")
    sector: Sector | None = None
    isco_group: IscoCode | None = None


class OutcomeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    beneficiary_id: UUID
    type: OutcomeKind
    outcome_date: date
    evidence_note: str | None
    employer: str | None
    contract_type: ContractType | None
    sector: Sector | None
    isco_group: str | None
    recorded_by: str
    version: int
    created_at: datetime
    updated_at: datetime


class FollowUpUpdate(BaseModel):
    """Recording a follow-up: it was done (saying whether the outcome holds) or missed."""

    model_config = ConfigDict(extra="forbid")

    status: FollowUpStatus | None = None
    outcome_holds: bool | None = None
    notes: Notes | None = None

    @field_validator("status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    outcome_id: UUID
    beneficiary_id: UUID
    month: int = Field(description="Months after the outcome: 3, 6 or 12")
    due_date: date
    status: FollowUpStatus
    outcome_holds: bool | None
    notes: str | None
    recorded_by: str | None
    recorded_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class DueFollowUp(BaseModel):
    """A follow-up on a counsellor's list: who to call, about what, by when."""

    id: UUID
    outcome_id: UUID
    beneficiary_id: UUID
    first_name: str
    last_name: str
    counsellor_id: str | None
    outcome_type: OutcomeKind
    month: int
    due_date: date
    status: FollowUpStatus
    version: int


class DueQuery(BaseModel):
    """``GET /v1/beneficiaries/follow-ups``."""

    due_by: date | None = Field(
        default=None, description="Due on or before this day (default: every scheduled one)"
    )
    status: FollowUpStatus = FollowUpStatus.SCHEDULED
    mine: bool = Field(default=False, description="Only the people assigned to me")
