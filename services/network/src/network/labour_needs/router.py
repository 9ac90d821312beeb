"""``/v1/labour-needs``: the jobs partners say they need."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.dependencies import NeedEditor, Reader
from network.labour_needs import service
from network.labour_needs.schemas import (
    LabourNeedCreate,
    LabourNeedQuery,
    LabourNeedRead,
    LabourNeedUpdate,
)
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/labour-needs", tags=["labour-needs"])
ONE = "/{labour_need_id:uuid}"


@router.get("", response_model=Page[LabourNeedRead], name="list", responses=problem_responses(422))
async def list_needs(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[LabourNeedQuery, Query()],
) -> Response:
    """Needs of the caller's regions; for a partner member, its own partner's."""
    return page_response(await service.list_needs(db, access, filters, page))


@router.post(
    "",
    response_model=LabourNeedRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_need(
    data: LabourNeedCreate,
    db: SessionDep,
    access: NeedEditor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Declare a need: partner members for their partner, coordinators for a partner of
    their regions."""

    async def create() -> LabourNeedRead:
        return LabourNeedRead.model_validate(await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=LabourNeedRead, name="get", responses=problem_responses(404))
async def get_need(labour_need_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    need = await service.get_visible(db, access, labour_need_id)
    return with_etag(LabourNeedRead.model_validate(need))


@router.patch(
    ONE,
    response_model=LabourNeedRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_need(
    labour_need_id: UUID,
    data: LabourNeedUpdate,
    db: SessionDep,
    access: NeedEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change a need (mark it filled or withdrawn with ``status``)."""
    need = await service.get_editable(db, access, labour_need_id)
    need = await service.update(db, access, need, data, if_match)
    return with_etag(LabourNeedRead.model_validate(need))
