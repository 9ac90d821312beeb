"""``/v1/agreements``: partnership conventions between partners, their quantified commitments
and the progress reported against them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.agreements import service
from network.agreements.schemas import (
    AgreementCreate,
    AgreementQuery,
    AgreementRead,
    AgreementUpdate,
    CommitmentCreate,
    CommitmentRead,
    CommitmentUpdate,
    ProgressCreate,
)
from network.database import idempotency
from network.dependencies import Manager, Reader
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])
ONE = "/{agreement_id:uuid}"
COMMITMENT = ONE + "/commitments/{commitment_id:uuid}"


@router.get("", response_model=Page[AgreementRead], name="list", responses=problem_responses(422))
async def list_agreements(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[AgreementQuery, Query()],
) -> Response:
    """Agreements of the caller's regions, or those its partner is party to."""
    return page_response(await service.list_agreements(db, access, filters, page))


@router.post(
    "",
    response_model=AgreementRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_agreement(
    data: AgreementCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a convention of the caller's region, with its commitments."""

    async def create() -> AgreementRead:
        return await service.to_read(db, await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=AgreementRead, name="get", responses=problem_responses(404))
async def get_agreement(agreement_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    agreement = await service.get_visible(db, access, agreement_id)
    return with_etag(await service.to_read(db, agreement))


@router.patch(
    ONE,
    response_model=AgreementRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_agreement(
    agreement_id: UUID,
    data: AgreementUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    agreement = await service.get_manageable(db, access, agreement_id)
    agreement = await service.update(db, agreement, data, if_match)
    return with_etag(await service.to_read(db, agreement))


@router.post(
    ONE + "/commitments",
    response_model=CommitmentRead,
    status_code=201,
    name="create-commitment",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_commitment(
    agreement_id: UUID,
    data: CommitmentCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    agreement = await service.get_manageable(db, access, agreement_id)

    async def create() -> CommitmentRead:
        return await service.commitment_read(db, await service.add_commitment(db, agreement, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(
    COMMITMENT,
    response_model=CommitmentRead,
    name="get-commitment",
    responses=problem_responses(404),
)
async def get_commitment(
    agreement_id: UUID, commitment_id: UUID, db: SessionDep, access: Reader
) -> JSONResponse:
    """A commitment with its progress and reports."""
    agreement = await service.get_visible(db, access, agreement_id)
    commitment = await service.get_commitment(db, agreement, commitment_id)
    return with_etag(await service.commitment_read(db, commitment))


@router.patch(
    COMMITMENT,
    response_model=CommitmentRead,
    name="update-commitment",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_commitment(
    agreement_id: UUID,
    commitment_id: UUID,
    data: CommitmentUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    agreement = await service.get_manageable(db, access, agreement_id)
    commitment = await service.get_commitment(db, agreement, commitment_id)
    commitment = await service.update_commitment(db, commitment, data, if_match)
    return with_etag(await service.commitment_read(db, commitment))


@router.post(
    COMMITMENT + "/progress",
    response_model=CommitmentRead,
    name="report-progress",
    responses=problem_responses(401, 403, 404, 422),
)
async def report_progress(
    agreement_id: UUID,
    commitment_id: UUID,
    data: ProgressCreate,
    db: SessionDep,
    access: Manager,
) -> JSONResponse:
    """Report what is achieved to date against a commitment of a signed agreement; a second
    report of the same day corrects the first. Answers the commitment with its progress."""
    agreement = await service.get_manageable(db, access, agreement_id)
    commitment = await service.get_commitment(db, agreement, commitment_id)
    commitment = await service.report_progress(db, agreement, commitment, data)
    return with_etag(await service.commitment_read(db, commitment))
