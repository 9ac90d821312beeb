from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from network.vocabulary import MembershipRole
from shared.problems import field_error


class MembershipCreate(BaseModel):
    """A partner joining the network or working group of the path."""

    model_config = ConfigDict(extra="forbid")

    partner_id: UUID
    role: MembershipRole = MembershipRole.MEMBER
    since: date
    until: date | None = Field(default=None, description="Left out: still a member")


class MembershipUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: MembershipRole | None = None
    since: date | None = None
    until: date | None = None

    @field_validator("role", "since")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    partner_id: UUID
    network_id: UUID
    working_group_id: UUID | None = Field(description="None: a member of the network itself")
    region: str
    role: MembershipRole
    since: date
    until: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class MembershipSort(StrEnum):
    SINCE = "since"
    UPDATED = "updated"
    RECENT = "-updated"


class MembershipQuery(BaseModel):
    """The members of a network or a working group: the filters combine."""

    partner_id: UUID | None = None
    role: MembershipRole | None = None
    current_on: date | None = Field(
        default=None, description="Only memberships begun and not ended on this day"
    )
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: MembershipSort = MembershipSort.SINCE
