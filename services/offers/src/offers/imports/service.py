"""Imports run as jobs: the upload stored in the database, run by any replica's worker.

An import larger than a request's deadline is queued here (:func:`start`) and run by the
worker of :func:`worker` — in this process or another replica — with the very pipeline of the
synchronous import. ``all_or_nothing``: one transaction, whose commit also marks the job done, so
a crash leaves nothing written and the job is run again from the start. ``keep_valid``: each
batch commits with the job's checkpoint (rows written, report so far), so a resumed job goes on
after the last committed batch and its report covers the whole file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from offers.access import Access
from offers.exchange import pipeline
from offers.exchange.formats import FileFormat
from offers.exchange.pipeline import ImportCheckpoint
from offers.exchange.schemas import ImportMode, ImportReport
from offers.imports.repository import store
from offers.imports.schemas import ImportJob
from offers.settings import Settings
from shared.jobs import Job, JobContext, JobFailed, JobKind, Worker
from shared.principal import Principal, Role
from shared.problems import ProblemError

KIND = "offers-import"
# The import resource's public path, through the gateway (``/api/v1/imports`` is routed here).
PUBLIC_PATH = "/api/v1/imports/{}"
INPUT_CHUNK_BYTES = 1024 * 1024


def location(job_id: UUID) -> str:
    return PUBLIC_PATH.format(job_id)


async def start(
    db: AsyncSession,
    principal: Principal,
    chunks: AsyncIterator[bytes],
    *,
    file_format: FileFormat,
    mode: ImportMode,
    dry_run: bool,
    source: str | None,
) -> UUID:
    """Queue an import of the file ``chunks`` as ``principal``: the file is stored in pieces of
    a megabyte in the caller's transaction, so any replica can run it once that commits."""
    payload = {
        "principal": principal.model_dump(mode="json"),
        "format": file_format.value,
        "mode": mode.value,
        "dry_run": dry_run,
        "source": source,
    }
    job_id = await store.enqueue(db, kind=KIND, owner=principal.subject, payload=payload)
    pending = bytearray()
    seq = 0
    async for chunk in chunks:
        pending += chunk
        while len(pending) >= INPUT_CHUNK_BYTES:
            await store.add_input(db, job_id, seq, bytes(pending[:INPUT_CHUNK_BYTES]))
            del pending[:INPUT_CHUNK_BYTES]
            seq += 1
    if pending:
        await store.add_input(db, job_id, seq, bytes(pending))
    return job_id


def _applied(report: dict[str, Any]) -> int:
    return sum(
        report[name][count]
        for name in ("providers", "offers", "sessions")
        for count in ("created", "updated", "unchanged")
    )


def _written(job: Job) -> str:
    """What an interrupted or failed job left written, from its checkpoint."""
    if job.payload["mode"] == ImportMode.ALL_OR_NOTHING.value or job.payload["dry_run"]:
        return "Nothing was written (all or nothing)."
    rows = ImportCheckpoint.of(job.checkpoint).rows if job.checkpoint else 0
    if not rows:
        return "Nothing was written."
    return (
        f"The first {rows:,} rows of the file were imported (lines up to {rows + 1} with the "
        "CSV header); import the file again to finish: rows already imported are unchanged."
    )


def interrupted(job: Job) -> str:
    return (
        f"The import was interrupted {job.attempts - 1} times (the service stopped while "
        f"running it) and was given up. {_written(job)}"
    )


async def run(context: JobContext) -> Any:
    """The job's handler: the synchronous import's pipeline, on the stored file."""
    job = context.job
    payload = job.payload
    mode = ImportMode(payload["mode"])
    resume = None
    if job.checkpoint and mode is ImportMode.KEEP_VALID:
        resume = ImportCheckpoint.of(job.checkpoint)

    def progress(rows: int) -> None:
        context.progress.update(
            rows_read=rows,
            error_count=importer.error_count,
            warning_count=importer.warning_count,
            regions=sorted(importer.regions),
        )

    async def before_commit(db: AsyncSession, checkpoint: ImportCheckpoint) -> None:
        context.progress.update(
            rows_read=checkpoint.rows,
            rows_applied=_applied(checkpoint.report),
            error_count=checkpoint.report["error_count"],
            warning_count=checkpoint.report["warning_count"],
            regions=checkpoint.regions,
        )
        if checkpoint.final:
            await context.commit_point(db, result={"report": checkpoint.report}, done=True)
        else:
            await context.commit_point(db, checkpoint=checkpoint.as_json())

    importer = pipeline.Importer(
        context.sessionmaker,
        Principal.model_validate(payload["principal"]),
        mode=mode,
        dry_run=payload["dry_run"],
        default_source=payload["source"],
        batch_size=pipeline.BATCH_SIZE,
        on_progress=progress,
        before_commit=before_commit,
        resume=resume,
    )
    if resume is not None:
        progress(resume.rows)
    chunks = store.input_chunks(context.sessionmaker, job.id)
    try:
        report = await importer.run(pipeline.rows_of(FileFormat(payload["format"]), chunks))
    except pipeline.ImportConflict as exc:
        latest = await _latest(context.sessionmaker, job.id) or job
        raise JobFailed(
            "A concurrent change created a record this import was creating; nothing of the "
            f"batch in progress was written. {_written(latest)}"
        ) from exc
    progress(importer.rows_done)
    body = {"report": report.model_dump(mode="json")}
    if report.rejected:
        raise JobFailed(f"{report.error_count} error(s) in the file: nothing was imported.", body)
    return body


async def _latest(sessionmaker: async_sessionmaker[AsyncSession], job_id: UUID) -> Job | None:
    async with sessionmaker() as db:
        return await store.get(db, job_id)


@asynccontextmanager
async def worker(app: FastAPI) -> AsyncIterator[Worker]:
    """The worker of this process, for the application's lifespan (``app.state.import_worker``)."""
    settings: Settings = app.state.settings
    async with Worker(
        app.state.sessionmaker,
        store,
        [JobKind(KIND, run, interrupted)],
        concurrency=settings.import_workers,
        **settings.worker_options(),
    ) as running:
        app.state.import_worker = running
        yield running


def may_read(access: Access, job: Job) -> bool:
    """The caller who started it, admins, and coordinators of a region it imported into."""
    principal = access.principal
    if job.kind != KIND:
        return False
    if access.everything or job.owner == principal.subject:
        return True
    if principal.kind == "user" and principal.role is Role.REGIONAL_COORDINATOR:
        return bool(set(principal.regions) & set(job.progress.get("regions", ())))
    return False


def not_found() -> ProblemError:
    return ProblemError(404, "import_not_found", slug="not-found")


async def readable(
    sessionmaker: async_sessionmaker[AsyncSession], access: Access, job_id: UUID
) -> Job:
    job = await _latest(sessionmaker, job_id)
    if job is None or not may_read(access, job):
        raise not_found()
    return job


async def wait(sessionmaker: async_sessionmaker[AsyncSession], job: Job, seconds: float) -> Job:
    """``job`` once finished, or as it is after ``seconds``."""
    if job.finished or seconds <= 0:
        return job
    return await store.wait(sessionmaker, job.id, seconds) or job


def resource(job: Job) -> ImportJob:
    payload = job.payload
    progress = job.progress
    report = None
    if isinstance(job.result, dict) and "report" in job.result:
        report = ImportReport.model_validate(job.result["report"])
    return ImportJob(
        id=job.id,
        state=job.state,
        mode=ImportMode(payload["mode"]),
        dry_run=payload["dry_run"],
        format=FileFormat(payload["format"]),
        source=payload["source"],
        rows_read=progress.get("rows_read", 0),
        rows_applied=progress.get("rows_applied", 0),
        error_count=progress.get("error_count", 0),
        warning_count=progress.get("warning_count", 0),
        attempts=job.attempts,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
        report=report,
    )
