"""``/v1/beneficiaries``: the people associations follow. Every answer with personal data is
audited (``beneficiaries.audit``); coordinators and viewers are answered 404 here."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from beneficiaries.database import idempotency
from beneficiaries.dependencies import AdminOnly, PersonEditor, PersonReader, VaultDep
from beneficiaries.people import service
from beneficiaries.people.schemas import (
    BeneficiaryCreate,
    BeneficiaryQuery,
    BeneficiaryRead,
    BeneficiarySummary,
    BeneficiaryUpdate,
    PossibleDuplicate,
)
from shared.concurrency import IfMatch, json_with_etag, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey, fingerprint
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/beneficiaries", tags=["beneficiaries"])
ONE = "/{beneficiary_id:uuid}"


@router.get(
    "",
    response_model=Page[BeneficiarySummary],
    name="list",
    responses=problem_responses(404, 422),
)
async def list_beneficiaries(
    db: SessionDep,
    access: PersonReader,
    page: PageParamsDep,
    filters: Annotated[BeneficiaryQuery, Query()],
) -> Response:
    """The people of the caller's association (everyone's for admins); ``q`` searches names
    (3 characters or more). Coordinators and viewers get figures elsewhere: 404 here."""
    return page_response(await service.list_beneficiaries(db, access, filters, page))


@router.post(
    "",
    response_model=BeneficiaryRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def create_beneficiary(
    data: BeneficiaryCreate,
    db: SessionDep,
    access: PersonEditor,
    vault: VaultDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Take a person in. The same CIN in the caller's association is a 409 naming the record.

    A retry with the same ``Idempotency-Key`` answers the record as it is now: only its id is
    kept with the key, never the personal data of the answer."""
    if idempotency_key is not None:
        body = data.model_dump(mode="json", exclude_unset=True)
        # Keyed like the CIN index: the stored fingerprint tells nothing of the body.
        request_fingerprint = vault.cin_index(fingerprint(request.method, request.url.path, body))
        stored = await idempotency.replay(db, access.subject, idempotency_key, request_fingerprint)
        if stored is not None:
            beneficiary = await service.get_visible(db, access, UUID(stored.body["id"]))
            answer = await service.read(db, access, vault, beneficiary)
            return json_with_etag(answer.model_dump(mode="json"), stored.status_code)
    beneficiary = await service.create(db, access, vault, data)
    if idempotency_key is not None:
        await idempotency.remember(
            db,
            access.subject,
            idempotency_key,
            request_fingerprint,
            201,
            {"id": str(beneficiary.id)},
        )
    return with_etag(await service.to_read(db, access, vault, beneficiary), 201)


@router.get(
    "/possible-duplicates",
    response_model=Page[PossibleDuplicate],
    name="possible-duplicates",
    responses=problem_responses(401, 403, 503),
)
async def list_possible_duplicates(
    db: SessionDep, access: AdminOnly, page: PageParamsDep
) -> Response:
    """Admins: people whose CIN is also known in another association (their callers were
    told nothing)."""
    return page_response(await service.possible_duplicates(db, access, page))


@router.get(ONE, response_model=BeneficiaryRead, name="get", responses=problem_responses(404, 503))
async def get_beneficiary(
    beneficiary_id: UUID, db: SessionDep, access: PersonReader, vault: VaultDep
) -> JSONResponse:
    beneficiary = await service.get_visible(db, access, beneficiary_id)
    return with_etag(await service.read(db, access, vault, beneficiary))


@router.patch(
    ONE,
    response_model=BeneficiaryRead,
    name="update",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def update_beneficiary(
    beneficiary_id: UUID,
    data: BeneficiaryUpdate,
    db: SessionDep,
    access: PersonEditor,
    vault: VaultDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Rectify a person's record (If-Match: 412 when it changed meanwhile)."""
    beneficiary = await service.get_changeable(db, access, beneficiary_id)
    beneficiary = await service.update(db, access, vault, beneficiary, data, if_match)
    return with_etag(await service.to_read(db, access, vault, beneficiary))
