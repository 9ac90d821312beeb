"""``/v1/imports/{id}``: an import run as a job (see ``POST /v1/offers/import``)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from offers.dependencies import Editor
from offers.imports import service
from offers.imports.schemas import ImportJob
from shared.prefer import PreferHeader, parse_prefer, wait_seconds
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/imports", tags=["imports"])


@router.get(
    "/{import_id:uuid}",
    response_model=ImportJob,
    name="read",
    responses=problem_responses(401, 403, 404),
)
async def read_import(
    import_id: UUID, request: Request, access: Editor, prefer: PreferHeader = None
) -> JSONResponse:
    """The import's state, rows read and applied, errors so far and, once it is finished, its
    report. `Prefer: wait=N` waits up to N seconds (at most the service's
    `IMPORT_WAIT_MAX_SECONDS`) for it to finish; `Preference-Applied` says how long. Only the
    caller who started it, admins and coordinators of a region it imports into may read it."""
    sessionmaker = request.app.state.sessionmaker
    job = await service.readable(sessionmaker, access, import_id)
    waited = wait_seconds(parse_prefer(prefer), request.app.state.settings.import_wait_max_seconds)
    headers = {}
    if waited is not None:
        job = await service.wait(sessionmaker, job, waited)
        headers["Preference-Applied"] = f"wait={waited:g}"
    return JSONResponse(service.resource(job).model_dump(mode="json"), headers=headers)
