"""``/v1/institution-models``: how a network's groups are institutionalised (reference data)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.dependencies import Admin, Everyone
from network.institution_models import service
from network.institution_models.schemas import (
    InstitutionModelCreate,
    InstitutionModelRead,
    InstitutionModelUpdate,
)
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/institution-models", tags=["institution-models"])
ONE = "/{model_id:uuid}"


@router.get(
    "",
    response_model=Page[InstitutionModelRead],
    name="list",
    responses=problem_responses(422),
)
async def list_models(db: SessionDep, page: PageParamsDep, access: Everyone) -> Response:
    """The models networks choose from, oldest first: the programme's two come first.
    Reference data, read by everyone, anonymous callers included. There is no route per model:
    a model is nobody's record, so no scope holds its id; the list is short."""
    return page_response(await service.list_models(db, page))


@router.post(
    "",
    response_model=InstitutionModelRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_model(
    data: InstitutionModelCreate,
    db: SessionDep,
    access: Admin,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> InstitutionModelRead:
        return InstitutionModelRead.model_validate(await service.create(db, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.patch(
    ONE,
    response_model=InstitutionModelRead,
    name="update",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_model(
    model_id: UUID,
    data: InstitutionModelUpdate,
    db: SessionDep,
    access: Admin,
    if_match: IfMatch = None,
) -> JSONResponse:
    model = await service.update(db, await service.get(db, model_id), data, if_match)
    return with_etag(InstitutionModelRead.model_validate(model))
