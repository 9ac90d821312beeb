from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.fields import text


class ReferralStatus(StrEnum):
    """referred → accepted / rejected → enrolled → completed / dropped. ``pending`` while its
    seat is being reserved in offers; ``failed`` when it could not be (no seat, session gone,
    offers away too long): nothing is held then."""

    PENDING = "pending"
    REFERRED = "referred"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DROPPED = "dropped"
    FAILED = "failed"


# Moves a person may ask for (``pending`` and ``failed`` are the service's own).
class ReferralMove(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DROPPED = "dropped"


Reason = Annotated[str, text(500)]


class ReferralCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    beneficiary_id: UUID
    session_id: UUID = Field(description="An open session of the offers service")


class ReferralTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ReferralMove
    reason: Reason | None = Field(default=None, description="Required when rejecting or dropping")


class ReferralEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: ReferralStatus
    reason: str | None
    author: str
    author_role: str | None
    occurred_at: datetime


class ReferredPerson(BaseModel):
    """The minimum a training provider needs to reach the person."""

    first_name: str
    last_name: str
    phone: str | None
    email: str | None


class ReferralRead(BaseModel):
    id: UUID
    beneficiary_id: UUID
    association_id: UUID
    session_id: UUID
    provider_id: UUID
    status: ReferralStatus
    reason: str | None
    reservation_id: UUID | None
    referred_by: str
    person: ReferredPerson
    history: list[ReferralEventRead]
    version: int
    created_at: datetime
    updated_at: datetime


class ReferralQuery(BaseModel):
    """``GET /v1/referrals``: the filters combine."""

    status: ReferralStatus | None = None
    beneficiary_id: UUID | None = None
    session_id: UUID | None = None
    updated_since: datetime | None = Field(
        default=None, description="Changed at or after this time (delta sync)"
    )
