"""``/v1/offers/import``, ``/v1/offers/export`` and ``/v1/offers/{id}/jsonld``: exchanging the
register with other systems."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import AwareDatetime

from offers.dependencies import Editor, Reader
from offers.exchange import export, pipeline, problems
from offers.exchange.formats import MEDIA_TYPES, FileFormat, format_of_media_type
from offers.exchange.schemas import ImportMode, ImportReport
from shared.db import SessionDep
from shared.fields import SourceName
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
    responses=problem_responses(401, 403, 409, 422),
    openapi_extra=_FILE_BODY,
)
async def import_records(
    request: Request,
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
) -> JSONResponse:
    """Import providers, offers and sessions from CSV or JSON Lines, upserting by (`source`,
    `external_id`). The report lists each faulty row with its line and field. In
    `all_or_nothing` mode one error means nothing is written (422, with the report); in
    `keep_valid` mode the good rows are written and the bad ones reported."""
    chosen = file_format or format_of_media_type(request.headers.get("content-type"))
    if chosen is None:
        raise problems.unknown_format()
    importer = pipeline.Importer(
        request.app.state.sessionmaker,
        access.principal,
        mode=mode,
        dry_run=dry_run,
        default_source=source,
    )
    try:
        report = await importer.run(pipeline.rows_of(chosen, request.stream()))
    except pipeline.ImportConflict as exc:
        raise problems.import_conflict() from exc
    if report.rejected:
        raise problems.import_rejected(report)
    return JSONResponse(report.model_dump(mode="json"))


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
