"""``/v1/associations``: the organisations that follow people (no personal data here)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from beneficiaries.associations import service
from beneficiaries.associations.schemas import (
    AssociationCreate,
    AssociationQuery,
    AssociationRead,
    AssociationUpdate,
)
from beneficiaries.database import idempotency
from beneficiaries.dependencies import AssociationEditor, AssociationReader
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/associations", tags=["associations"])
ONE = "/{association_id:uuid}"


@router.get("", response_model=Page[AssociationRead], name="list", responses=problem_responses(422))
async def list_associations(
    db: SessionDep,
    access: AssociationReader,
    page: PageParamsDep,
    filters: Annotated[AssociationQuery, Query()],
) -> Response:
    """Associations of the caller's regions (coordinators), their own (managers, counsellors),
    or all (admins)."""
    return page_response(await service.list_associations(db, access, filters, page))


@router.post(
    "",
    response_model=AssociationRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_association(
    data: AssociationCreate,
    db: SessionDep,
    access: AssociationEditor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add an association in one of the caller's regions."""

    async def create() -> AssociationRead:
        return AssociationRead.model_validate(await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=AssociationRead, name="get", responses=problem_responses(404))
async def get_association(
    association_id: UUID, db: SessionDep, access: AssociationReader
) -> JSONResponse:
    association = await service.get_visible(db, access, association_id)
    return with_etag(AssociationRead.model_validate(association))


@router.patch(
    ONE,
    response_model=AssociationRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_association(
    association_id: UUID,
    data: AssociationUpdate,
    db: SessionDep,
    access: AssociationEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    association = await service.get_editable(db, access, association_id)
    association = await service.update(db, access, association, data, if_match)
    return with_etag(AssociationRead.model_validate(association))
