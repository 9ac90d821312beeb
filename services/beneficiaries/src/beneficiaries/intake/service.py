"""Bulk intake: a new association's spreadsheet of people, run as a durable job.

The upload is stored in the database **encrypted** (the vault's active key, bound to the job and
chunk) and purged once its rows are in, so no identifier lies there in clear. Rows go through
the same checks and row building as the API (``people.service.check`` / ``new_row``), in batches
of :data:`BATCH_SIZE`: each batch is one set-based insert, one audit entry naming every person
it created, and the job's checkpoint, committed together (a resumed job goes on after its last
committed batch). A row with a problem is left out and reported by line and field, never by
value. A CIN already known in the association is a row error naming the record; one known in
another association is created and flagged for admins, the report saying nothing of it.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from beneficiaries.access import Access
from beneficiaries.audit import service as audit_service
from beneficiaries.encryption import Vault
from beneficiaries.intake import repository
from beneficiaries.intake.repository import store
from beneficiaries.intake.schemas import IntakeJob, IntakeReport, RowProblem
from beneficiaries.people import service as people_service
from beneficiaries.people.schemas import BeneficiaryCreate
from beneficiaries.settings import Settings
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.csv_cells import restore
from shared.db import utcnow
from shared.jobs import Job, JobContext, JobFailed, JobKind, Worker
from shared.principal import Principal
from shared.problems import ProblemError, reason_text

KIND = "beneficiaries-intake"
PUBLIC_PATH = "/api/v1/beneficiaries/intake/jobs/{}"
BATCH_SIZE = 2000
INPUT_CHUNK_BYTES = 1024 * 1024
WAIT_MAX_SECONDS = 10.0
COLUMNS = (
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "cin",
    "phone",
    "email",
    "commune",
    "region",
    "province",
    "education_level",
    "vulnerabilities",
    "counsellor_id",
)
REQUIRED = ("first_name", "last_name", "sex", "birth_date", "region")


def location(job_id: UUID) -> str:
    return PUBLIC_PATH.format(job_id)


def _context(job_id: UUID, seq: int) -> str:
    return f"intake/{job_id}/{seq}"


async def start(
    db: AsyncSession, access: Access, vault: Vault, association_id: UUID, body: AsyncIterator[bytes]
) -> UUID:
    """Queue the intake of the CSV ``body`` into ``association_id`` as the caller (whose
    scope over it was checked); the file is stored sealed, in pieces of a megabyte."""
    job_id = uuid4()
    payload = {
        "principal": access.principal.model_dump(mode="json"),
        "association_id": str(association_id),
    }
    await store.enqueue(db, kind=KIND, owner=access.subject, payload=payload, job_id=job_id)
    pending = bytearray()
    seq = 0
    async for chunk in body:
        pending += chunk
        while len(pending) >= INPUT_CHUNK_BYTES:
            data = vault.seal(bytes(pending[:INPUT_CHUNK_BYTES]), _context(job_id, seq))
            await store.add_input(db, job_id, seq, data)
            del pending[:INPUT_CHUNK_BYTES]
            seq += 1
    if pending or seq == 0:
        await store.add_input(db, job_id, seq, vault.seal(bytes(pending), _context(job_id, seq)))
    return job_id


async def _lines(
    sessionmaker: async_sessionmaker[AsyncSession], vault: Vault, job_id: UUID
) -> AsyncIterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    seq = 0
    tail = ""
    async for sealed in store.input_chunks(sessionmaker, job_id):
        try:
            text = tail + decoder.decode(vault.unseal(sealed, _context(job_id, seq)))
        except UnicodeDecodeError as exc:
            raise JobFailed("The file is not UTF-8 text: nothing was imported.") from exc
        seq += 1
        *complete, tail = text.split("\n")
        for line in complete:
            yield line + "\n"
    tail += decoder.decode(b"", final=True)
    if tail:
        yield tail


def _vulnerabilities(cell: str) -> list[dict[str, str]]:
    """``criterion:since|criterion:since``."""
    found = []
    for item in cell.split("|"):
        criterion, _, since = item.strip().partition(":")
        found.append({"criterion": criterion.strip(), "since": since.strip()})
    return found


def _values(record: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in record.items():
        cell = restore(raw.strip())
        if not cell:
            continue
        values[name] = _vulnerabilities(cell) if name == "vulnerabilities" else cell
    return values


def _problems(line: int, exc: ValidationError) -> list[RowProblem]:
    return [
        RowProblem(
            line=line,
            field=".".join(str(part) for part in error["loc"]) or "row",
            reason=error["msg"],
        )
        for error in exc.errors(include_input=False, include_url=False)
    ]


async def _write_batch(
    db: AsyncSession,
    access: Access,
    vault: Vault,
    association_id: UUID,
    batch: list[tuple[int, BeneficiaryCreate]],
    errors: list[RowProblem],
    today: date,
) -> int:
    indexes = {line: vault.cin_index(data.cin) for line, data in batch if data.cin}
    holders = await repository.holders_of(db, set(indexes.values()))
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for line, data in batch:
        values = data.model_dump(exclude={"association_id"})
        values["vulnerabilities"] = data.vulnerabilities
        issues = people_service.check(values, today)
        if issues:
            errors.extend(RowProblem(line=line, field=f, reason=reason_text(r)) for f, r in issues)
            continue
        index = indexes.get(line)
        flagged = False
        if index is not None:
            own = [i for i, a in holders.get(index, []) if a == association_id]
            if own:
                reason = f"already known in your association: {own[0]}"
                errors.append(RowProblem(line=line, field="cin", reason=reason))
                continue
            if index in seen:
                reason = f"the same CIN as line {seen[index]}"
                errors.append(RowProblem(line=line, field="cin", reason=reason))
                continue
            seen[index] = line
            flagged = bool(holders.get(index))
        rows.append(
            people_service.new_row(
                vault,
                values,
                beneficiary_id=uuid4(),
                association_id=association_id,
                created_by=access.subject,
                possible_duplicate=flagged,
                now=now,
            )
        )
    await repository.insert_people(db, rows)
    await audit_service.record(
        db,
        access,
        action=AuditAction.IMPORT,
        purpose=AuditPurpose.INTAKE,
        records=[row["id"] for row in rows],
    )
    return len(rows)


def _records(lines: list[str], header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for offset, values in enumerate(csv.reader(lines)):
        if not values or values == [""]:
            continue
        if len(values) != len(header):
            yield offset, {}
            continue
        yield offset, dict(zip(header, values, strict=True))


def handler(vault: Vault) -> Any:
    async def run(context: JobContext) -> Any:
        job = context.job
        access = Access(Principal.model_validate(job.payload["principal"]))
        association_id = UUID(job.payload["association_id"])
        checkpoint = job.checkpoint or {}
        done_rows = int(checkpoint.get("rows", 0))
        created = int(checkpoint.get("created", 0))
        errors = [RowProblem.model_validate(e) for e in checkpoint.get("errors", [])]
        header: list[str] | None = None
        batch: list[tuple[int, BeneficiaryCreate]] = []
        row_number = 0
        today = utcnow().date()
        pending_lines: list[str] = []

        async def flush(final: bool) -> None:
            nonlocal created, batch
            async with context.sessionmaker() as db:
                created += await _write_batch(
                    db, access, vault, association_id, batch, errors, today
                )
                batch = []
                context.progress.update(
                    rows_read=row_number, created=created, error_count=len(errors)
                )
                state = {
                    "rows": row_number,
                    "created": created,
                    "errors": [e.model_dump() for e in errors],
                }
                if final:
                    await repository.purge_input(db, job.id)
                    report = IntakeReport(
                        rows=row_number, created=created, error_count=len(errors), errors=errors
                    )
                    await context.commit_point(
                        db, result={"report": report.model_dump(mode="json")}, done=True
                    )
                else:
                    await context.commit_point(db, checkpoint=state)
                await db.commit()

        async for line in _lines(context.sessionmaker, vault, job.id):
            if header is None:
                header = next(csv.reader([line]), [])
                header = [name.strip() for name in header]
                unknown = [name for name in header if name not in COLUMNS]
                missing = [name for name in REQUIRED if name not in header]
                if unknown or missing:
                    raise JobFailed(
                        "The header is not one of an intake file: "
                        + (f"unknown columns {', '.join(unknown)}. " if unknown else "")
                        + (f"missing columns {', '.join(missing)}. " if missing else "")
                        + f"Columns: {', '.join(COLUMNS)}."
                    )
                continue
            pending_lines.append(line)
            if len(pending_lines) < BATCH_SIZE:
                continue
            row_number = await _take(
                pending_lines, header, row_number, done_rows, association_id, batch, errors
            )
            pending_lines = []
            if row_number > done_rows:
                await flush(final=False)
        if header is None:
            raise JobFailed("The file is empty: nothing was imported.")
        row_number = await _take(
            pending_lines, header, row_number, done_rows, association_id, batch, errors
        )
        await flush(final=True)
        return None

    return run


async def _take(
    lines: list[str],
    header: list[str],
    row_number: int,
    done_rows: int,
    association_id: UUID,
    batch: list[tuple[int, BeneficiaryCreate]],
    errors: list[RowProblem],
) -> int:
    """Validate the rows of ``lines`` (those after ``done_rows``) into ``batch``."""
    for _, record in _records(lines, header):
        row_number += 1
        if row_number <= done_rows:
            continue
        line = row_number + 1
        if not record:
            errors.append(RowProblem(line=line, field="row", reason="wrong number of cells"))
            continue
        values = _values(record) | {"association_id": str(association_id)}
        try:
            batch.append((line, BeneficiaryCreate.model_validate(values)))
        except ValidationError as exc:
            errors.extend(_problems(line, exc))
    return row_number


@asynccontextmanager
async def worker(app: FastAPI) -> AsyncIterator[Worker]:
    """The intake worker of this process, for the application's lifespan."""
    vault: Vault = app.state.vault
    settings: Settings = app.state.settings
    async with Worker(
        app.state.sessionmaker,
        store,
        [JobKind(KIND, handler(vault))],
        concurrency=settings.intake_workers,
        **settings.worker_options(),
    ) as running:
        app.state.intake_worker = running
        yield running


def not_found() -> ProblemError:
    return ProblemError(404, "intake_not_found", slug="not-found")


async def readable(
    sessionmaker: async_sessionmaker[AsyncSession], access: Access, job_id: UUID
) -> Job:
    """The intake, for who started it and admins; 404 for anyone else."""
    async with sessionmaker() as db:
        job = await store.get(db, job_id)
    if job is None or job.kind != KIND:
        raise not_found()
    if not (access.everything or job.owner == access.subject):
        raise not_found()
    return job


async def wait(sessionmaker: async_sessionmaker[AsyncSession], job: Job, seconds: float) -> Job:
    if job.finished or seconds <= 0:
        return job
    return await store.wait(sessionmaker, job.id, seconds) or job


def resource(job: Job) -> IntakeJob:
    report = None
    if isinstance(job.result, dict) and "report" in job.result:
        report = IntakeReport.model_validate(job.result["report"])
    progress = job.progress
    return IntakeJob(
        id=job.id,
        state=job.state,
        association_id=UUID(job.payload["association_id"]),
        rows_read=progress.get("rows_read", 0),
        created=progress.get("created", 0),
        error_count=progress.get("error_count", 0),
        attempts=job.attempts,
        created_at=job.created_at,
        updated_at=job.updated_at,
        finished_at=job.finished_at,
        error=job.error,
        report=report,
    )
