from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from network.events.schemas import LocalTime
from network.vocabulary import EventKind, NetworkStatus


class NetworkSummary(BaseModel):
    id: UUID
    name: str
    model_id: UUID
    founding_date: date | None
    status: NetworkStatus


class Meeting(BaseModel):
    """An upcoming occurrence of a network's event (its public face: no attendee)."""

    event_id: UUID
    title: str
    kind: EventKind
    starts_at: LocalTime
    place: str | None


class Overview(BaseModel):
    region: str
    networks: list[NetworkSummary] = Field(description="The region's networks, by name")
    upcoming: list[Meeting] = Field(description="The next occurrences, within a year")
