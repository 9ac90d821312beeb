from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from beneficiaries.fields import Printable
from shared.fields import text
from shared.problems import field_error

# Notes may run over several lines; no other control character (PostgreSQL cannot store NUL).
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _lines_only(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise field_error("control_characters_in_text")
    return value


# Dates outside these years are typing mistakes, not a person's support.
CaseDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Item = Annotated[str, text(300), Printable]
Items = Annotated[list[Item], Field(max_length=30)]
Notes = Annotated[str, text(5000), AfterValidator(_lines_only)]


class DiagnosisWrite(BaseModel):
    """The whole diagnosis (``PUT`` replaces it)."""

    model_config = ConfigDict(extra="forbid")

    diagnosis_date: CaseDate
    skills: Items = Field(default_factory=list, description="What the person can already do")
    constraints: Items = Field(
        default_factory=list, description="What stands in the way (childcare, transport…)"
    )
    needs: Items = Field(default_factory=list, description="What the support should bring")
    notes: Notes | None = None


class DiagnosisRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    beneficiary_id: UUID
    diagnosis_date: date
    skills: list[str]
    constraints: list[str]
    needs: list[str]
    notes: str | None
    author: str
    version: int
    created_at: datetime
    updated_at: datetime
