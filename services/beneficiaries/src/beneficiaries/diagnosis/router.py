"""``/v1/beneficiaries/{id}/diagnosis``: skills, constraints and needs found with the person."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from beneficiaries.casefile import service as casefile
from beneficiaries.dependencies import PersonEditor, PersonReader
from beneficiaries.diagnosis import service
from beneficiaries.diagnosis.schemas import DiagnosisRead, DiagnosisWrite
from beneficiaries.vocabulary import AuditAction
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries/{beneficiary_id:uuid}/diagnosis", tags=["diagnosis"])


@router.get("", response_model=DiagnosisRead, name="get", responses=problem_responses(404, 503))
async def get_diagnosis(beneficiary_id: UUID, db: SessionDep, access: PersonReader) -> JSONResponse:
    """The person's diagnosis (404 until one is written)."""
    person = await casefile.person(db, access, beneficiary_id)
    diagnosis = await service.get(db, person)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(service.to_read(diagnosis))


@router.put(
    "",
    response_model=DiagnosisRead,
    name="write",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def write_diagnosis(
    beneficiary_id: UUID,
    data: DiagnosisWrite,
    db: SessionDep,
    access: PersonEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Write the whole diagnosis: the first time creates it, later ones replace it (send its
    ETag as `If-Match`)."""
    person = await casefile.changeable_person(db, access, beneficiary_id)
    diagnosis = await service.write(db, access, person, data, if_match)
    await casefile.audited(db, access, AuditAction.UPDATE, [person.id])
    return with_etag(service.to_read(diagnosis))
