"""``/v1/beneficiaries/{id}/journey`` and ``…/stage``: where a person stands, and moves."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from beneficiaries.casefile import service as casefile
from beneficiaries.dependencies import PersonEditor, PersonReader
from beneficiaries.journey import service
from beneficiaries.journey.schemas import JourneyRead, StageMoveCreate
from beneficiaries.vocabulary import AuditAction
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries/{beneficiary_id:uuid}", tags=["journey"])


@router.get(
    "/journey", response_model=JourneyRead, name="get", responses=problem_responses(404, 503)
)
async def get_journey(beneficiary_id: UUID, db: SessionDep, access: PersonReader) -> JSONResponse:
    """The person's stage and every move that led there."""
    person = await casefile.person(db, access, beneficiary_id)
    journey = await service.journey(db, person)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(journey)


@router.post(
    "/stage",
    response_model=JourneyRead,
    name="move",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def move_stage(
    beneficiary_id: UUID,
    data: StageMoveCreate,
    db: SessionDep,
    access: PersonEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Move the person to another stage (409 naming the current and requested stage when the
    move is not allowed; `exit_reason` required to exit without a recorded outcome). Send the
    person's ETag as `If-Match`."""
    person = await casefile.changeable_person(db, access, beneficiary_id)
    await service.move(db, access, person, data, if_match)
    await casefile.audited(db, access, AuditAction.UPDATE, [person.id])
    return with_etag(await service.journey(db, person))
