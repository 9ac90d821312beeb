"""The import resource: an import run as a job, its progress, and its report at the end."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from offers.exchange.formats import FileFormat
from offers.exchange.schemas import ImportMode, ImportReport
from shared.jobs import JobState


class ImportJob(BaseModel):
    id: UUID
    state: JobState = Field(description="`queued`, `running`, then `succeeded` or `failed`")
    mode: ImportMode
    dry_run: bool
    format: FileFormat
    source: str | None = None
    rows_read: int = Field(description="Rows of the file read and checked so far")
    rows_applied: int = Field(
        description="Rows whose record is written (created, updated or unchanged): in "
        "`keep_valid` mode batch by batch, in `all_or_nothing` mode all at the end"
    )
    error_count: int = 0
    warning_count: int = 0
    attempts: int = Field(description="Runs of the job (more than one: resumed after a restart)")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = Field(default=None, description="Why the import failed")
    report: ImportReport | None = Field(
        default=None,
        description="At the end: the report the synchronous import answers (a failed "
        "`all_or_nothing` import lists the faulty rows here)",
    )
