"""``/v1/beneficiaries/{id}/consents``: a person's decisions per purpose."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from beneficiaries.consents.schemas import ConsentCreate, ConsentHistory, ConsentRead
from beneficiaries.database import idempotency
from beneficiaries.dependencies import PersonEditor, PersonReader
from beneficiaries.people import service as people_service
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries", tags=["consents"])
CONSENTS = "/{beneficiary_id:uuid}/consents"


@router.get(
    CONSENTS,
    response_model=ConsentHistory,
    name="list",
    responses=problem_responses(404, 503),
)
async def list_consents(
    beneficiary_id: UUID, db: SessionDep, access: PersonReader
) -> ConsentHistory:
    """The decision in force per purpose, and the whole history, newest first."""
    beneficiary = await people_service.get_visible(db, access, beneficiary_id)
    return await people_service.consent_history(db, access, beneficiary)


@router.post(
    CONSENTS,
    response_model=ConsentRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def record_consent(
    beneficiary_id: UUID,
    data: ConsentCreate,
    db: SessionDep,
    access: PersonEditor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a decision (given, refused, withdrawn); the latest per purpose is in force."""
    beneficiary = await people_service.get_changeable(db, access, beneficiary_id)

    async def create() -> ConsentRead:
        consent = await people_service.record_consent(db, access, beneficiary, data)
        return ConsentRead.model_validate(consent)

    return await idempotency.create_once(db, request, access.subject, idempotency_key, data, create)
