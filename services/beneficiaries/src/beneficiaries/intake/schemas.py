"""The intake resource: a spreadsheet of people taken in as a job, and its per-row report."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from shared.jobs import JobState


class RowProblem(BaseModel):
    line: int = Field(description="Line of the file (the header is line 1)")
    field: str
    reason: str


class IntakeReport(BaseModel):
    """What the file gave; a row with a problem is left out (no value of it is repeated here)."""

    rows: int
    created: int
    error_count: int
    errors: list[RowProblem]


class IntakeJob(BaseModel):
    id: UUID
    state: JobState = Field(description="`queued`, `running`, then `succeeded` or `failed`")
    association_id: UUID
    rows_read: int = 0
    created: int = 0
    error_count: int = 0
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    report: IntakeReport | None = Field(default=None, description="At the end")
