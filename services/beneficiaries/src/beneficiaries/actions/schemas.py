from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from beneficiaries.diagnosis.schemas import CaseDate, Notes
from beneficiaries.vocabulary import ActionKind
from shared.problems import field_error

Minutes = Annotated[int, Field(ge=1, le=24 * 60, description="How long it lasted")]


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    action_date: CaseDate
    duration_minutes: Minutes
    attended: bool = True
    notes: Notes | None = None


class ActionUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears the notes."""

    model_config = ConfigDict(extra="forbid")

    kind: ActionKind | None = None
    action_date: CaseDate | None = None
    duration_minutes: Minutes | None = None
    attended: bool | None = None
    notes: Notes | None = None

    @field_validator("kind", "action_date", "duration_minutes", "attended")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    beneficiary_id: UUID
    kind: ActionKind
    action_date: date
    duration_minutes: int
    attended: bool
    notes: str | None
    author: str
    version: int
    created_at: datetime
    updated_at: datetime


class ActionQuery(BaseModel):
    kind: ActionKind | None = None
    updated_since: AwareDatetime | None = Field(
        default=None, description="Changed at or after this time (delta sync)"
    )
