from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from network.vocabulary import NetworkStatus
from shared.fields import RegionCode, text
from shared.problems import field_error
from shared.reference import Sector

Name = Annotated[str, text(200, 2)]
Description = Annotated[str, text(4000)]
Theme = Annotated[str, text(300, 2)]
Rhythm = Annotated[str, text(200), Field(description="e.g. `first Tuesday of the month`")]
UPDATED_SINCE = Field(default=None, description="Only records changed at or after this time")


def _not_cleared(value: Any) -> Any:
    if value is None:
        raise field_error("not_clearable")
    return value


class NetworkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: RegionCode = Field(description="For good: a network never changes region")
    name: Name
    description: Description | None = None
    model_id: UUID = Field(description="Its institutionalisation model (`/v1/institution-models`)")
    founding_date: date | None = None
    status: NetworkStatus = NetworkStatus.ACTIVE


class NetworkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    model_id: UUID | None = None
    founding_date: date | None = None
    status: NetworkStatus | None = None

    _required = field_validator("name", "model_id", "status")(_not_cleared)


class NetworkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    region: str
    name: str
    description: str | None
    model_id: UUID
    founding_date: date | None
    status: NetworkStatus
    version: int
    created_at: datetime
    updated_at: datetime
    calendar_url: str | None = Field(
        default=None,
        description="The iCalendar feed to subscribe to (with its token), when reading one "
        "record while its feed is on (net-activity: `POST …/calendar-feed`); null in lists",
    )


class Sort(StrEnum):
    NAME = "name"
    UPDATED = "updated"
    RECENT = "-updated"


class NetworkQuery(BaseModel):
    """``GET /v1/networks``: the filters combine."""

    region: RegionCode | None = None
    status: NetworkStatus | None = None
    model_id: UUID | None = None
    partner_id: UUID | None = Field(default=None, description="Networks it currently belongs to")
    q: str | None = Field(default=None, max_length=200, description="Words of the name")
    updated_since: AwareDatetime | None = UPDATED_SINCE
    sort: Sort = Sort.NAME


class WorkingGroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network_id: UUID
    name: Name
    theme: Theme | None = None
    sector: Sector | None = None
    chair_partner_id: UUID | None = None
    meeting_rhythm: Rhythm | None = None
    status: NetworkStatus = NetworkStatus.ACTIVE


class WorkingGroupUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    theme: Theme | None = None
    sector: Sector | None = None
    chair_partner_id: UUID | None = None
    meeting_rhythm: Rhythm | None = None
    status: NetworkStatus | None = None

    _required = field_validator("name", "status")(_not_cleared)


class WorkingGroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    network_id: UUID
    region: str
    name: str
    theme: str | None
    sector: Sector | None
    chair_partner_id: UUID | None
    meeting_rhythm: str | None
    status: NetworkStatus
    version: int
    created_at: datetime
    updated_at: datetime
    calendar_url: str | None = Field(
        default=None,
        description="The iCalendar feed to subscribe to (with its token), when reading one "
        "record while its feed is on (net-activity: `POST …/calendar-feed`); null in lists",
    )


class WorkingGroupQuery(BaseModel):
    """``GET /v1/working-groups``: the filters combine."""

    network_id: UUID | None = None
    region: RegionCode | None = None
    sector: Sector | None = None
    status: NetworkStatus | None = None
    chair_partner_id: UUID | None = None
    updated_since: AwareDatetime | None = UPDATED_SINCE
    sort: Sort = Sort.NAME
