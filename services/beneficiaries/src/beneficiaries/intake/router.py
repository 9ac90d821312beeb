"""``POST /v1/beneficiaries/intake`` (a CSV of people, run as a job) and
``GET /v1/beneficiaries/intake/jobs/{id}`` (its state and per-row report)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from beneficiaries.dependencies import PersonEditor, VaultDep
from beneficiaries.intake import service
from beneficiaries.intake.schemas import IntakeJob
from beneficiaries.people import service as people_service
from shared.db import SessionDep
from shared.prefer import PreferHeader, parse_prefer, wait_seconds
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries", tags=["intake"])


@router.post(
    "/intake",
    response_model=IntakeJob,
    status_code=202,
    name="start",
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {"model": IntakeJob, "description": "Finished within `Prefer: wait=N`"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "A header line of "
            + ", ".join(f"`{c}`" for c in service.COLUMNS)
            + " (the first five required), then one person per line; `vulnerabilities` as "
            "`criterion:since|criterion:since`.",
        }
    },
)
async def start_intake(
    request: Request,
    db: SessionDep,
    access: PersonEditor,
    vault: VaultDep,
    association_id: UUID | None = Query(default=None, description="Admins: the association"),
    prefer: PreferHeader = None,
) -> JSONResponse:
    """Take in a spreadsheet of people as a job: 202 and the intake resource to poll
    (`Location`). Each row is checked as `POST /v1/beneficiaries` checks a person; rows with a
    problem are left out and reported by line and field."""
    chosen = await people_service.association_for_new(db, access, association_id)
    job_id = await service.start(db, access, vault, chosen, request.stream())
    await db.commit()
    request.app.state.intake_worker.wake()
    sessionmaker = request.app.state.sessionmaker
    job = await service.readable(sessionmaker, access, job_id)
    headers = {"Location": service.location(job_id)}
    waited = wait_seconds(parse_prefer(prefer), service.WAIT_MAX_SECONDS)
    if waited is not None:
        job = await service.wait(sessionmaker, job, waited)
        headers["Preference-Applied"] = f"wait={waited:g}"
    status = 200 if job.finished else 202
    return JSONResponse(
        service.resource(job).model_dump(mode="json"), status_code=status, headers=headers
    )


@router.get(
    "/intake/jobs/{intake_id:uuid}",
    response_model=IntakeJob,
    name="read",
    responses=problem_responses(401, 403, 404),
)
async def read_intake(
    intake_id: UUID, request: Request, access: PersonEditor, prefer: PreferHeader = None
) -> JSONResponse:
    """The intake's state, rows read, people created, errors and, at the end, its report;
    `Prefer: wait=N` waits up to N seconds (at most 10) for it to finish. Only who started it
    and admins may read it."""
    sessionmaker = request.app.state.sessionmaker
    job = await service.readable(sessionmaker, access, intake_id)
    headers = {}
    waited = wait_seconds(parse_prefer(prefer), service.WAIT_MAX_SECONDS)
    if waited is not None:
        job = await service.wait(sessionmaker, job, waited)
        headers["Preference-Applied"] = f"wait={waited:g}"
    return JSONResponse(service.resource(job).model_dump(mode="json"), headers=headers)
