"""``/v1/partners``: the organisations of the networks."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.dependencies import Manager, Reader
from network.partners import service
from network.partners.schemas import PartnerCreate, PartnerQuery, PartnerRead, PartnerUpdate
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/partners", tags=["partners"])
ONE = "/{partner_id:uuid}"


@router.get("", response_model=Page[PartnerRead], name="list", responses=problem_responses(422))
async def list_partners(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[PartnerQuery, Query()],
) -> Response:
    """Partners of the caller's regions; for a partner member, its own partner and the
    partners of its networks."""
    return page_response(await service.list_partners(db, access, filters, page))


@router.post(
    "",
    response_model=PartnerRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_partner(
    data: PartnerCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a partner acting in regions the caller coordinates."""

    async def create() -> PartnerRead:
        return PartnerRead.model_validate(await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=PartnerRead, name="get", responses=problem_responses(404))
async def get_partner(partner_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    """One partner (the gateway reads its ``regions`` before binding a person to it)."""
    return with_etag(PartnerRead.model_validate(await service.get_visible(db, access, partner_id)))


@router.patch(
    ONE,
    response_model=PartnerRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_partner(
    partner_id: UUID,
    data: PartnerUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    partner = await service.get_editable(db, access, partner_id)
    partner = await service.update(db, access, partner, data, if_match)
    return with_etag(PartnerRead.model_validate(partner))
