from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from network.events.schemas import EventTime, LocalTime
from shared.fields import text
from shared.problems import field_error

PersonName = Annotated[str, text(200)]
PersonFunction = Annotated[str, text(200)]


class AttendanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: UUID = Field(description="A member of the event's network (or working group)")
    person_name: PersonName
    person_function: PersonFunction | None = None
    present: bool = True
    occurrence_at: EventTime | None = Field(
        default=None,
        description="The start of the occurrence attended: required for a recurring event",
    )


class AttendanceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_name: PersonName | None = None
    person_function: PersonFunction | None = None
    present: bool | None = None

    @field_validator("person_name", "present")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class AttendanceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    event_id: UUID
    occurrence_at: LocalTime
    partner_id: UUID
    person_name: str
    person_function: str | None
    present: bool
    version: int
    created_at: datetime
    updated_at: datetime


class AttendanceQuery(BaseModel):
    partner_id: UUID | None = None
    present: bool | None = None
    occurrence_at: EventTime | None = Field(
        default=None, description="One occurrence of a recurring event"
    )
