"""``/v1/networks`` and ``/v1/working-groups``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.dependencies import Manager, Reader
from network.feeds import service as feeds_service
from network.feeds.dependencies import BaseUrl, Signer
from network.feeds.service import Owner
from network.networks import service
from network.networks.schemas import (
    NetworkCreate,
    NetworkQuery,
    NetworkRead,
    NetworkUpdate,
    WorkingGroupCreate,
    WorkingGroupQuery,
    WorkingGroupRead,
    WorkingGroupUpdate,
)
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/networks", tags=["networks"])
groups_router = APIRouter(prefix="/v1/working-groups", tags=["working-groups"])
ONE = "/{network_id:uuid}"
ONE_GROUP = "/{working_group_id:uuid}"


@router.get("", response_model=Page[NetworkRead], name="list", responses=problem_responses(422))
async def list_networks(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[NetworkQuery, Query()],
) -> Response:
    """Networks of the caller's regions; for a partner member, its partner's networks."""
    return page_response(await service.list_networks(db, access, filters, page))


@router.post(
    "",
    response_model=NetworkRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_network(
    data: NetworkCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a network in a region the caller coordinates, under an existing model."""

    async def create() -> NetworkRead:
        return NetworkRead.model_validate(await service.create_network(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=NetworkRead, name="get", responses=problem_responses(404))
async def get_network(
    network_id: UUID, db: SessionDep, access: Reader, signer: Signer, base: BaseUrl
) -> JSONResponse:
    """The network, with its calendar feed's URL while the feed is on."""
    network = await service.get_visible_network(db, access, network_id)
    read = NetworkRead.model_validate(network)
    read.calendar_url = await feeds_service.url_of(db, Owner(network_id=network.id), signer, base)
    return with_etag(read)


@router.patch(
    ONE,
    response_model=NetworkRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_network(
    network_id: UUID,
    data: NetworkUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    network = await service.get_managed_network(db, access, network_id)
    network = await service.update_network(db, network, data, if_match)
    return with_etag(NetworkRead.model_validate(network))


@groups_router.get(
    "", response_model=Page[WorkingGroupRead], name="list", responses=problem_responses(422)
)
async def list_groups(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[WorkingGroupQuery, Query()],
) -> Response:
    """Working groups of the networks the caller sees."""
    return page_response(await service.list_groups(db, access, filters, page))


@groups_router.post(
    "",
    response_model=WorkingGroupRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_group(
    data: WorkingGroupCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a working group to a network the caller manages."""

    async def create() -> WorkingGroupRead:
        return WorkingGroupRead.model_validate(await service.create_group(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@groups_router.get(
    ONE_GROUP, response_model=WorkingGroupRead, name="get", responses=problem_responses(404)
)
async def get_group(
    working_group_id: UUID, db: SessionDep, access: Reader, signer: Signer, base: BaseUrl
) -> JSONResponse:
    """The working group, with its calendar feed's URL while the feed is on."""
    group = await service.get_visible_group(db, access, working_group_id)
    read = WorkingGroupRead.model_validate(group)
    owner = Owner(working_group_id=group.id)
    read.calendar_url = await feeds_service.url_of(db, owner, signer, base)
    return with_etag(read)


@groups_router.patch(
    ONE_GROUP,
    response_model=WorkingGroupRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_group(
    working_group_id: UUID,
    data: WorkingGroupUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    group = await service.get_managed_group(db, access, working_group_id)
    group = await service.update_group(db, group, data, if_match)
    return with_etag(WorkingGroupRead.model_validate(group))
