from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from network.events.schemas import EventTime
from network.vocabulary import ActionItemStatus
from shared.fields import RegionCode, text
from shared.problems import field_error

DecisionText = Annotated[str, text(5_000)]
DueDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: DecisionText


class DecisionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: DecisionText


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    event_id: UUID
    text: str
    version: int
    created_at: datetime
    updated_at: datetime


class ActionItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, text(300)]
    owner_partner_id: UUID = Field(description="A member of the event's network")
    due_date: DueDate
    decision_id: UUID | None = Field(default=None, description="A decision of the same event")
    status: ActionItemStatus = ActionItemStatus.OPEN


class ActionItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, text(300)] | None = None
    due_date: DueDate | None = None
    status: ActionItemStatus | None = None

    @field_validator("title", "due_date", "status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class ActionItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    event_id: UUID
    decision_id: UUID | None
    network_id: UUID
    region: str
    title: str
    owner_partner_id: UUID
    due_date: date
    status: ActionItemStatus
    overdue: bool = Field(description="Open and due before today (Africa/Casablanca)")
    version: int
    created_at: datetime
    updated_at: datetime


class ActionItemQuery(BaseModel):
    """``GET /v1/action-items``: filters combine."""

    region: RegionCode | None = None
    network_id: UUID | None = None
    event_id: UUID | None = None
    owner_partner_id: UUID | None = None
    status: ActionItemStatus | None = None
    overdue: bool | None = Field(
        default=None, description="Open and due before today (or, with false, not overdue)"
    )
    updated_since: EventTime | None = None
