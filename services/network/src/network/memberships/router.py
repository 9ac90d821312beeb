"""Members: ``/v1/networks/{id}/members``, ``/v1/working-groups/{id}/members`` (list, add)
and ``/v1/memberships/{id}`` (one membership, whichever body it is of)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.dependencies import Manager, Reader
from network.memberships import service
from network.memberships.schemas import (
    MembershipCreate,
    MembershipQuery,
    MembershipRead,
    MembershipUpdate,
)
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(tags=["memberships"])
NETWORK_MEMBERS = "/v1/networks/{network_id:uuid}/members"
GROUP_MEMBERS = "/v1/working-groups/{working_group_id:uuid}/members"
ONE = "/v1/memberships/{membership_id:uuid}"


@router.get(
    NETWORK_MEMBERS,
    response_model=Page[MembershipRead],
    name="list-of-network",
    responses=problem_responses(404, 422),
)
async def list_network_members(
    network_id: UUID,
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[MembershipQuery, Query()],
) -> Response:
    """The members of the network itself (its groups' members are listed with each group)."""
    members = await service.list_members(db, access, filters, page, network_id=network_id)
    return page_response(members)


@router.post(
    NETWORK_MEMBERS,
    response_model=MembershipRead,
    status_code=201,
    name="create-in-network",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_network_member(
    network_id: UUID,
    data: MembershipCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> MembershipRead:
        membership = await service.create(db, access, data, network_id=network_id)
        return MembershipRead.model_validate(membership)

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(
    GROUP_MEMBERS,
    response_model=Page[MembershipRead],
    name="list-of-working-group",
    responses=problem_responses(404, 422),
)
async def list_group_members(
    working_group_id: UUID,
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[MembershipQuery, Query()],
) -> Response:
    members = await service.list_members(db, access, filters, page, group_id=working_group_id)
    return page_response(members)


@router.post(
    GROUP_MEMBERS,
    response_model=MembershipRead,
    status_code=201,
    name="create-in-working-group",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_group_member(
    working_group_id: UUID,
    data: MembershipCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> MembershipRead:
        membership = await service.create(db, access, data, group_id=working_group_id)
        return MembershipRead.model_validate(membership)

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=MembershipRead, name="get", responses=problem_responses(404))
async def get_membership(membership_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    membership = await service.get_visible(db, access, membership_id)
    return with_etag(MembershipRead.model_validate(membership))


@router.patch(
    ONE,
    response_model=MembershipRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_membership(
    membership_id: UUID,
    data: MembershipUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change a membership's role or period (end it with ``until``)."""
    membership = await service.get_managed(db, access, membership_id)
    membership = await service.update(db, membership, data, if_match)
    return with_etag(MembershipRead.model_validate(membership))


@router.delete(ONE, status_code=204, name="delete", responses=problem_responses(401, 403, 404, 412))
async def delete_membership(
    membership_id: UUID, db: SessionDep, access: Manager, if_match: IfMatch = None
) -> Response:
    """Remove a membership entered by mistake (end a real one with ``until``)."""
    membership = await service.get_managed(db, access, membership_id)
    await service.delete(db, membership, if_match)
    return Response(status_code=204)
