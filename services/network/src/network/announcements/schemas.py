from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from network.vocabulary import PartnerKind
from shared.fields import Distinct, Website, text
from shared.problems import field_error

Title = Annotated[str, text(300, 2)]
Body = Annotated[str, text(20_000)]
Audience = Annotated[
    list[PartnerKind],
    Field(max_length=7, description="Kinds of partners it is meant for (empty: every member)"),
    Distinct,
]


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, text(200)]
    url: Website


Links = Annotated[list[Link], Field(max_length=20)]


class AnnouncementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body
    audience: Audience = []
    links: Links = []


class AnnouncementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    audience: Audience | None = None
    links: Links | None = None

    @field_validator("title", "body", "audience", "links")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class AnnouncementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    network_id: UUID
    working_group_id: UUID | None = Field(description="None: for the whole network")
    region: str
    title: str
    body: str
    audience: list[PartnerKind]
    links: list[Link]
    author: str
    version: int
    created_at: datetime
    updated_at: datetime


class AnnouncementSort(StrEnum):
    RECENT = "-created"  # newest first: a notice board
    UPDATED = "updated"


class AnnouncementQuery(BaseModel):
    audience: PartnerKind | None = Field(
        default=None, description="Meant for this kind of partner (or for every member)"
    )
    updated_since: AwareDatetime | None = Field(
        default=None, description="Only records changed at or after this time"
    )
    sort: AnnouncementSort = AnnouncementSort.RECENT
