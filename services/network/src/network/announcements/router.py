"""Announcements: ``/v1/networks/{id}/announcements``, ``/v1/working-groups/{id}/announcements``
(list, post) and ``/v1/announcements/{id}`` (one announcement)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.announcements import service
from network.announcements.schemas import (
    AnnouncementCreate,
    AnnouncementQuery,
    AnnouncementRead,
    AnnouncementUpdate,
)
from network.database import idempotency
from network.dependencies import Manager, Reader
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(tags=["announcements"])
OF_NETWORK = "/v1/networks/{network_id:uuid}/announcements"
OF_GROUP = "/v1/working-groups/{working_group_id:uuid}/announcements"
ONE = "/v1/announcements/{announcement_id:uuid}"


@router.get(
    OF_NETWORK,
    response_model=Page[AnnouncementRead],
    name="list-of-network",
    responses=problem_responses(404, 422),
)
async def list_of_network(
    network_id: UUID,
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[AnnouncementQuery, Query()],
) -> Response:
    """What the network shares with all its members, newest first."""
    found = await service.list_announcements(db, access, filters, page, network_id=network_id)
    return page_response(found)


@router.post(
    OF_NETWORK,
    response_model=AnnouncementRead,
    status_code=201,
    name="create-in-network",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_in_network(
    network_id: UUID,
    data: AnnouncementCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> AnnouncementRead:
        announcement = await service.create(db, access, data, network_id=network_id)
        return AnnouncementRead.model_validate(announcement)

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(
    OF_GROUP,
    response_model=Page[AnnouncementRead],
    name="list-of-working-group",
    responses=problem_responses(404, 422),
)
async def list_of_group(
    working_group_id: UUID,
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[AnnouncementQuery, Query()],
) -> Response:
    found = await service.list_announcements(db, access, filters, page, group_id=working_group_id)
    return page_response(found)


@router.post(
    OF_GROUP,
    response_model=AnnouncementRead,
    status_code=201,
    name="create-in-working-group",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_in_group(
    working_group_id: UUID,
    data: AnnouncementCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> AnnouncementRead:
        announcement = await service.create(db, access, data, group_id=working_group_id)
        return AnnouncementRead.model_validate(announcement)

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=AnnouncementRead, name="get", responses=problem_responses(404))
async def get_announcement(announcement_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    announcement = await service.get_visible(db, access, announcement_id)
    return with_etag(AnnouncementRead.model_validate(announcement))


@router.patch(
    ONE,
    response_model=AnnouncementRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_announcement(
    announcement_id: UUID,
    data: AnnouncementUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    announcement = await service.get_managed(db, access, announcement_id)
    announcement = await service.update(db, announcement, data, if_match)
    return with_etag(AnnouncementRead.model_validate(announcement))


@router.delete(ONE, status_code=204, name="delete", responses=problem_responses(401, 403, 404, 412))
async def delete_announcement(
    announcement_id: UUID, db: SessionDep, access: Manager, if_match: IfMatch = None
) -> Response:
    announcement = await service.get_managed(db, access, announcement_id)
    await service.delete(db, announcement, if_match)
    return Response(status_code=204)
