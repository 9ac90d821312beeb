from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from beneficiaries.diagnosis.schemas import CaseDate
from beneficiaries.fields import Printable
from shared.fields import text

Objective = Annotated[str, text(500), Printable]


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, text(500), Printable]
    due_date: CaseDate | None = None
    done: bool = False


class PlanWrite(BaseModel):
    """The whole plan: writing it stores a new revision."""

    model_config = ConfigDict(extra="forbid")

    objectives: Annotated[list[Objective], Field(min_length=1, max_length=20)]
    steps: Annotated[list[PlanStep], Field(max_length=50)] = Field(default_factory=list)


class PlanRead(BaseModel):
    """One revision of a person's plan; ``version`` is its revision number (the ETag)."""

    model_config = ConfigDict(from_attributes=True)

    beneficiary_id: UUID
    revision: int
    version: int = Field(description="The revision number, sent as the ETag")
    objectives: list[str]
    steps: list[PlanStep]
    author: str
    created_at: datetime
