"""``/v1/beneficiaries/{id}/export`` and ``…/erase``: the data subject's rights of access and
erasure."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from beneficiaries.casefile import service as casefile
from beneficiaries.dependencies import Eraser, PersonReader, VaultDep
from beneficiaries.people import service as people_service
from beneficiaries.people.schemas import BeneficiaryRead
from beneficiaries.rights import service
from beneficiaries.rights.schemas import PersonExport
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.concurrency import IfMatch, check_if_match, with_etag
from shared.db import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries/{beneficiary_id:uuid}", tags=["data-subject-rights"])


@router.get(
    "/export", response_model=PersonExport, name="export", responses=problem_responses(404, 503)
)
async def export_person(
    beneficiary_id: UUID, db: SessionDep, access: PersonReader, vault: VaultDep
) -> PersonExport:
    """Everything held about the person, as one JSON document to hand them (law 09-08's right
    of access): their record, consents with their history, journey, diagnosis, every plan
    revision, actions, outcomes and follow-ups."""
    person = await casefile.person(db, access, beneficiary_id)
    document = await service.export(db, access, vault, person)
    await casefile.audited(
        db, access, AuditAction.EXPORT, [person.id], AuditPurpose.DATA_SUBJECT_REQUEST
    )
    return document


@router.post(
    "/erase",
    response_model=BeneficiaryRead,
    name="erase",
    responses=problem_responses(401, 403, 404, 412, 503),
)
async def erase_person(
    beneficiary_id: UUID,
    db: SessionDep,
    access: Eraser,
    vault: VaultDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Erase the person's data: names, CIN, phone, e-mail, commune and every note are removed,
    the birth date is cut to its year; the figures (sex, birth year, place, criteria, stages,
    actions, outcomes) stay so the statistics are unchanged. Erasing again changes nothing.
    Association managers (their association's people) and admins."""
    person = await casefile.person(db, access, beneficiary_id, for_update=True)
    if not access.may_change(person):
        raise casefile.not_found_person(beneficiary_id)
    if person.erased_at is None:
        check_if_match(if_match, person.version)
    await service.erase(db, person)
    await casefile.audited(
        db, access, AuditAction.ERASE, [person.id], AuditPurpose.DATA_SUBJECT_REQUEST
    )
    return with_etag(await people_service.to_read(db, access, vault, person))
