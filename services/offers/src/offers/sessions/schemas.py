from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from offers.catalogue.schemas import RegisterQuery
from offers.vocabulary import ReservationStatus, SessionStatus
from shared.fields import Commune, ExternalId, ProvinceCode, RegionCode, SourceName, text
from shared.problems import field_error
from shared.reference import Sector

# Dates outside these years are typing mistakes (0202, 2206), not training sessions.
SessionDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Schedule = Annotated[str, text(500), Field(description="e.g. `Lun–Ven 9h–13h`")]
SeatsTotal = Annotated[int, Field(ge=1, le=10_000)]
Count = Annotated[int, Field(ge=0, le=10_000)]


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offer_id: UUID
    start_date: SessionDate
    end_date: SessionDate
    registration_deadline: SessionDate | None = None
    schedule: Schedule | None = None
    region: RegionCode
    province: ProvinceCode | None = None
    commune: Commune | None = None
    seats_total: SeatsTotal
    status: SessionStatus = SessionStatus.PLANNED
    enrolled: Count | None = Field(default=None, description="Reported once the session runs")
    completed: Count | None = None
    certified: Count | None = None
    source: SourceName | None = Field(
        default=None, description="Defaults to `kafaat` with the new id as `external_id`"
    )
    external_id: ExternalId | None = None


class SessionUpdate(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    start_date: SessionDate | None = None
    end_date: SessionDate | None = None
    registration_deadline: SessionDate | None = None
    schedule: Schedule | None = None
    region: RegionCode | None = None
    province: ProvinceCode | None = None
    commune: Commune | None = None
    seats_total: SeatsTotal | None = None
    status: SessionStatus | None = None
    enrolled: Count | None = None
    completed: Count | None = None
    certified: Count | None = None

    @field_validator("start_date", "end_date", "region", "seats_total", "status")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class OfferBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    provider_id: UUID
    title_fr: str
    title_ar: str | None
    sector: Sector


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    offer_id: UUID
    offer: OfferBrief
    start_date: date
    end_date: date
    registration_deadline: date | None
    schedule: str | None
    region: str
    province: str | None
    commune: str | None
    seats_total: int
    seats_reserved: int
    seats_remaining: int
    status: SessionStatus
    enrolled: int | None
    completed: int | None
    certified: int | None
    source: str
    external_id: str
    version: int
    created_at: datetime
    updated_at: datetime


class SessionSort(StrEnum):
    START_DATE = "start_date"
    TITLE = "title"
    UPDATED = "updated"  # oldest change first: delta sync
    RECENT = "-updated"  # newest change first


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seats: Annotated[int, Field(ge=1, le=100)] = 1


class ReservationRead(BaseModel):
    id: UUID
    session_id: UUID
    seats: int
    status: ReservationStatus
    created_at: datetime
    released_at: datetime | None
    session_seats_remaining: int = Field(description="Seats left in the session now")


class SessionQuery(RegisterQuery):
    """``GET /v1/sessions``."""

    q: str | None = Field(
        default=None, max_length=200, description="Words of the offer's titles or provider's name"
    )
    offer_id: UUID | None = None
    region: RegionCode | None = Field(default=None, description="Where the session takes place")
    starts_after: date | None = Field(default=None, description="Starts on or after this day")
    starts_before: date | None = Field(default=None, description="Starts on or before this day")
    has_seats: bool | None = Field(default=None, description="Open with seats left (or not)")
    status: SessionStatus | None = None
    sort: SessionSort = SessionSort.START_DATE
