from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from network.events.recurrence import DISPLAY_ZONE_NAME
from network.vocabulary import EventKind, EventStatus
from shared.fields import RegionCode, text
from shared.problems import field_error

# Times outside these years are typing mistakes, not meetings.
EventTime = Annotated[
    AwareDatetime,
    Field(
        ge=datetime.fromisoformat("2000-01-01T00:00:00+00:00"),
        le=datetime.fromisoformat("2100-12-31T00:00:00+00:00"),
        description="With its offset, e.g. `2027-01-12T10:00:00+01:00`; shown in "
        f"{DISPLAY_ZONE_NAME}",
    ),
]
# A time shown in the display zone keeps its offset, "+00:00" included (pydantic would write
# "Z", which reads as UTC rather than as Casablanca time).
LocalTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Title = Annotated[str, text(200)]
Place = Annotated[str, text(300)]
LongText = Annotated[str, text(20_000)]
Recurrence = Annotated[
    str,
    text(200),
    Field(
        description="An RFC 5545 RRULE: `FREQ=WEEKLY` or `FREQ=MONTHLY`, optional `INTERVAL` "
        "(1–12) and `COUNT` (1–520) or `UNTIL` (`20271231T230000Z` or `20271231`), e.g. "
        "`FREQ=MONTHLY;COUNT=10`; repeats the first occurrence's time in Africa/Casablanca",
        examples=["FREQ=MONTHLY;INTERVAL=1;COUNT=10"],
    ),
]


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    network_id: UUID | None = Field(default=None, description="Give this or `working_group_id`")
    working_group_id: UUID | None = None
    title: Title
    starts_at: EventTime
    ends_at: EventTime
    place: Place | None = None
    agenda: LongText | None = None
    recurrence: Recurrence | None = None
    status: EventStatus = EventStatus.SCHEDULED
    minutes: LongText | None = None


class EventUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional field. An
    event keeps its network or working group; cancel it rather than delete it."""

    model_config = ConfigDict(extra="forbid")

    kind: EventKind | None = None
    title: Title | None = None
    starts_at: EventTime | None = None
    ends_at: EventTime | None = None
    place: Place | None = None
    agenda: LongText | None = None
    recurrence: Recurrence | None = None
    status: EventStatus | None = None
    minutes: LongText | None = None

    @field_validator("kind", "title", "starts_at", "ends_at", "status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    network_id: UUID
    working_group_id: UUID | None
    region: str
    kind: EventKind
    title: str
    starts_at: LocalTime = Field(description=f"In {DISPLAY_ZONE_NAME}")
    ends_at: LocalTime
    time_zone: str = DISPLAY_ZONE_NAME
    place: str | None
    agenda: str | None
    recurrence: str | None
    status: EventStatus
    minutes: str | None
    sequence: int = Field(description="The iCalendar SEQUENCE: moves on with each change")
    version: int
    created_at: datetime
    updated_at: datetime


class EventSort(StrEnum):
    STARTS_AT = "starts_at"
    UPDATED = "updated"  # oldest change first: delta sync


class EventQuery(BaseModel):
    """``GET /v1/events``: the event records (a series is one record; the agenda expands it)."""

    network_id: UUID | None = None
    working_group_id: UUID | None = None
    region: RegionCode | None = None
    kind: EventKind | None = None
    status: EventStatus | None = None
    starts_after: EventTime | None = Field(
        default=None, description="First occurrence at or after this time"
    )
    starts_before: EventTime | None = Field(
        default=None, description="First occurrence before this time"
    )
    updated_since: EventTime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: EventSort = EventSort.STARTS_AT


class AgendaQuery(BaseModel):
    """``GET /v1/events/agenda`` (with ``from`` and ``to``): occurrences starting in the
    window."""

    region: RegionCode | None = None
    network_id: UUID | None = None
    working_group_id: UUID | None = None
    kind: EventKind | None = None
    include_cancelled: bool = Field(default=False, description="Show cancelled occurrences too")


class Occurrence(BaseModel):
    """One occurrence of an event in the agenda: a single event's only one, or one of a
    series'."""

    event_id: UUID
    starts_at: LocalTime = Field(description=f"In {DISPLAY_ZONE_NAME}")
    ends_at: LocalTime
    time_zone: str = DISPLAY_ZONE_NAME
    network_id: UUID
    working_group_id: UUID | None
    region: str
    kind: EventKind
    title: str
    place: str | None
    status: EventStatus
    recurring: bool
