"""``/v1/beneficiaries/{id}/plan``: the support plan, and every earlier revision of it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from beneficiaries.casefile import service as casefile
from beneficiaries.dependencies import PersonEditor, PersonReader
from beneficiaries.plans import service
from beneficiaries.plans.schemas import PlanRead, PlanWrite
from beneficiaries.vocabulary import AuditAction
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries/{beneficiary_id:uuid}/plan", tags=["support-plans"])
RevisionNumber = Annotated[int, Path(ge=1, le=1_000_000, description="1 is the first plan")]


@router.get("", response_model=PlanRead, name="get", responses=problem_responses(404, 503))
async def get_plan(beneficiary_id: UUID, db: SessionDep, access: PersonReader) -> JSONResponse:
    """The plan in force: its latest revision (its number is the ETag)."""
    person = await casefile.person(db, access, beneficiary_id)
    plan = await service.current(db, person)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(service.to_read(plan))


@router.put(
    "",
    response_model=PlanRead,
    name="write",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def write_plan(
    beneficiary_id: UUID,
    data: PlanWrite,
    db: SessionDep,
    access: PersonEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Write the whole plan as a new revision (send the current one's ETag as `If-Match`;
    unchanged content stores no revision)."""
    person = await casefile.changeable_person(db, access, beneficiary_id)
    plan = await service.write(db, access, person, data, if_match)
    await casefile.audited(db, access, AuditAction.UPDATE, [person.id])
    return with_etag(service.to_read(plan))


@router.get(
    "/revisions",
    response_model=Page[PlanRead],
    name="revisions",
    responses=problem_responses(404, 422, 503),
)
async def list_revisions(
    beneficiary_id: UUID, db: SessionDep, access: PersonReader, page: PageParamsDep
) -> Response:
    """Every revision of the plan, newest first."""
    person = await casefile.person(db, access, beneficiary_id)
    revisions = await service.revisions_page(db, person, page)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return page_response(revisions)


@router.get(
    "/revisions/{revision}",
    response_model=PlanRead,
    name="revision",
    responses=problem_responses(404, 422, 503),
)
async def get_revision(
    beneficiary_id: UUID, revision: RevisionNumber, db: SessionDep, access: PersonReader
) -> JSONResponse:
    person = await casefile.person(db, access, beneficiary_id)
    plan = await service.revision(db, person, revision)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(service.to_read(plan))
