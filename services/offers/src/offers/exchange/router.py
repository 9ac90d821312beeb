"""``/v1/offers/import``, ``/v1/offers/export`` and ``/v1/offers/{id}/jsonld``: exchanging the
register with other systems."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.dependencies import Editor, Reader
from offers.exchange import export, pipeline, problems
from offers.exchange.formats import MEDIA_TYPES, FileFormat, format_of_media_type
from offers.exchange.schemas import ImportMode, ImportReport
from offers.imports import service as imports_service
from offers.imports.schemas import ImportJob
from shared.db import SessionDep
from shared.fields import SourceName
from shared.prefer import PreferHeader, parse_prefer, wait_seconds
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/offers", tags=["exchange"])

_FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file, streamed: CSV with a header line, or JSON Lines",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/import",
    response_model=ImportReport,
    name="import",
    responses={
        202: {
            "model": ImportJob,
            "description": "Imported as a job: poll the import resource named by `Location`",
        },
        **problem_responses(401, 403, 409, 422),
    },
    openapi_extra=_FILE_BODY,
)
async def import_records(
    request: Request,
    db: SessionDep,
    access: Editor,
    file_format: Annotated[
        FileFormat | None,
        Query(alias="format", description="Read from the Content-Type when left out"),
    ] = None,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    dry_run: Annotated[bool, Query(description="Validate and count, write nothing")] = False,
    source: Annotated[
        SourceName | None, Query(description="Source of the rows without a `source` cell")
    ] = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    """Import providers, offers and sessions from CSV or JSON Lines, upserting by (`source`,
    `external_id`). The report lists each faulty row with its line and field. In
    `all_or_nothing` mode one error means nothing is written (422, with the report); in
    `keep_valid` mode the good rows are written and the bad ones reported.

    A file larger than the service's `IMPORT_ASYNC_THRESHOLD_BYTES` (4 MiB by default, about
    10,000 rows), or sent with `Prefer: respond-async`, is imported as a job: the answer is
    `202 Accepted` with `Location: /api/v1/imports/{id}`, the import resource, which reports
    its progress and, at the end, this same report. With `Prefer: respond-async, wait=N` the
    answer waits up to N seconds and is `200` with the finished import resource when it is
    done by then."""
    chosen = file_format or format_of_media_type(request.headers.get("content-type"))
    if chosen is None:
        raise problems.unknown_format()
    settings = request.app.state.settings
    preferences = parse_prefer(prefer)
    threshold = settings.import_async_threshold_bytes
    chunks = request.stream()
    head: list[bytes] = []
    as_job = "respond-async" in preferences or _declared_length(request) > threshold
    if not as_job:
        # Read up to the threshold: a file that ends before it is imported here and now.
        size = 0
        async for chunk in chunks:
            head.append(chunk)
            size += len(chunk)
            if size > threshold:
                as_job = True
                break
    if as_job:
        return await _start_job(
            request,
            db,
            access,
            _chained(head, chunks),
            preferences,
            file_format=chosen,
            mode=mode,
            dry_run=dry_run,
            source=source,
        )
    importer = pipeline.Importer(
        request.app.state.sessionmaker,
        access.principal,
        mode=mode,
        dry_run=dry_run,
        default_source=source,
    )
    try:
        report = await importer.run(pipeline.rows_of(chosen, _chained(head, None)))
    except pipeline.ImportConflict as exc:
        raise problems.import_conflict() from exc
    if report.rejected:
        raise problems.import_rejected(report)
    return JSONResponse(report.model_dump(mode="json"))


def _declared_length(request: Request) -> int:
    length = request.headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


async def _chained(head: list[bytes], rest: AsyncIterator[bytes] | None) -> AsyncIterator[bytes]:
    for chunk in head:
        yield chunk
    if rest is not None:
        async for chunk in rest:
            yield chunk


async def _start_job(
    request: Request,
    db: AsyncSession,
    access: Access,
    chunks: AsyncIterator[bytes],
    preferences: dict[str, str],
    **parameters: Any,
) -> JSONResponse:
    job_id = await imports_service.start(db, access.principal, chunks, **parameters)
    await db.commit()
    request.app.state.import_worker.wake()
    sessionmaker = request.app.state.sessionmaker
    job = await imports_service.readable(sessionmaker, access, job_id)
    applied = ["respond-async"] if "respond-async" in preferences else []
    waited = wait_seconds(preferences, request.app.state.settings.import_wait_max_seconds)
    if waited is not None:
        job = await imports_service.wait(sessionmaker, job, waited)
        applied.append(f"wait={waited:g}")
    headers = {"Location": imports_service.location(job_id)}
    if applied:
        headers["Preference-Applied"] = ", ".join(applied)
    body = imports_service.resource(job).model_dump(mode="json")
    return JSONResponse(body, status_code=200 if job.finished else 202, headers=headers)


@router.get(
    "/export",
    name="export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Published providers, offers and sessions in the import format",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        },
        **problem_responses(422),
    },
)
async def export_records(
    request: Request,
    access: Reader,
    file_format: Annotated[FileFormat, Query(alias="format")] = FileFormat.JSONL,
    updated_since: Annotated[
        AwareDatetime | None, Query(description="Only records changed at or after this time")
    ] = None,
) -> StreamingResponse:
    """Every published record, streamed: providers, then offers, then their sessions."""
    lines = export.export_lines(request.app.state.sessionmaker, file_format, updated_since)
    filename = f"kafaat-offers.{file_format.value}"
    return StreamingResponse(
        lines,
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{offer_id:uuid}/jsonld",
    name="jsonld",
    response_class=JSONResponse,
    responses={
        200: {"description": "schema.org JSON-LD", "content": {"application/ld+json": {}}},
        **problem_responses(404),
    },
)
async def offer_jsonld(offer_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    """One offer and its sessions as a schema.org `EducationalOccupationalProgram`."""
    document = await export.offer_document(db, access, offer_id)
    return JSONResponse(document, media_type="application/ld+json")
