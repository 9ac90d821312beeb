"""An institutionalisation model's governance rules, as data a group can be checked against."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.fields import text
from shared.problems import field_error

ModelName = Annotated[str, text(200, 3)]
Description = Annotated[str, text(4000, 10)]


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    AS_NEEDED = "as_needed"


class DecisionKind(StrEnum):
    CONSENSUS = "consensus"
    SIMPLE_MAJORITY = "simple_majority"
    TWO_THIRDS_MAJORITY = "two_thirds_majority"
    CHAIR_DECIDES = "chair_decides"


class Chair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    who: Annotated[str, text(300)] = Field(description="Who chairs, and how they are chosen")
    term_months: int | None = Field(default=None, ge=1, le=120, description="None: no term")
    rotating: bool = False


class Quorum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share_of_members: float = Field(gt=0, le=1, description="Members present for a valid meeting")


class DecisionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DecisionKind
    chair_casting_vote: bool = False
    fallback: DecisionKind | None = Field(
        default=None, description="When the first rule reaches no decision"
    )


class Reporting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Annotated[str, text(300)]
    frequency: Frequency


class Governance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chair: Chair
    meeting_frequency: Frequency
    quorum: Quorum
    decision_rule: DecisionRule
    decision_record: Annotated[str, text(1000)] = Field(
        description="How decisions are recorded and shared"
    )
    reporting: Reporting


class InstitutionModelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ModelName
    description: Description
    governance: Governance


class InstitutionModelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ModelName | None = None
    description: Description | None = None
    governance: Governance | None = None

    @field_validator("name", "description", "governance")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise field_error("not_clearable")
        return value


class InstitutionModelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    description: str
    governance: Governance
    version: int
    created_at: datetime
    updated_at: datetime
