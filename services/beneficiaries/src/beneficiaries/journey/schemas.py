from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from beneficiaries.vocabulary import ExitReason, JourneyStage


class StageMoveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: JourneyStage = Field(description="The stage to move to")
    exit_reason: ExitReason | None = Field(
        default=None, description="Required to exit when no outcome is recorded"
    )


class StageMoveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    beneficiary_id: UUID
    from_stage: JourneyStage
    to_stage: JourneyStage
    exit_reason: ExitReason | None
    moved_by: str
    moved_at: datetime


class JourneyRead(BaseModel):
    """Where a person stands and how they got there; ``version`` is the person's (the ETag a
    move's ``If-Match`` names)."""

    beneficiary_id: UUID
    stage: JourneyStage
    version: int
    history: list[StageMoveRead] = Field(description="Every move, oldest first")
