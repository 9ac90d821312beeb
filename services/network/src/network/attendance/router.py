"""``/v1/events/{event_id}/attendance``: who took part in an event."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.attendance import service
from network.attendance.schemas import (
    AttendanceCreate,
    AttendanceQuery,
    AttendanceRead,
    AttendanceUpdate,
)
from network.database import idempotency
from network.dependencies import Manager, Reader
from network.events import service as events_service
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/events/{event_id:uuid}/attendance", tags=["events"])
ONE = "/{attendance_id:uuid}"


@router.get(
    "",
    response_model=Page[AttendanceRead],
    name="list-attendance",
    responses=problem_responses(404, 422),
)
async def list_attendance(
    event_id: UUID,
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[AttendanceQuery, Query()],
) -> Response:
    """The people of the event (a partner member sees its own partner's)."""
    event = await events_service.get_visible(db, access, event_id)
    return page_response(await service.list_attendance(db, access, event, filters, page))


@router.post(
    "",
    response_model=AttendanceRead,
    status_code=201,
    name="create-attendance",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_attendance(
    event_id: UUID,
    data: AttendanceCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a person of a partner at the event: the partner must be a member of the event's
    network (of a working group's event: of the group or of its network) on that day, else
    422 saying so."""
    event = await events_service.get_manageable(db, access, event_id)

    async def create() -> AttendanceRead:
        return service.to_read(await service.create(db, event, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(
    ONE, response_model=AttendanceRead, name="get-attendance", responses=problem_responses(404)
)
async def get_attendance(
    event_id: UUID, attendance_id: UUID, db: SessionDep, access: Reader
) -> JSONResponse:
    event = await events_service.get_visible(db, access, event_id)
    return with_etag(service.to_read(await service.get_visible(db, access, event, attendance_id)))


@router.patch(
    ONE,
    response_model=AttendanceRead,
    name="update-attendance",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_attendance(
    event_id: UUID,
    attendance_id: UUID,
    data: AttendanceUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    event = await events_service.get_manageable(db, access, event_id)
    attendance = await service.get(db, event, attendance_id)
    return with_etag(service.to_read(await service.update(db, attendance, data, if_match)))


@router.delete(
    ONE, status_code=204, name="delete-attendance", responses=problem_responses(401, 403, 404, 412)
)
async def delete_attendance(
    event_id: UUID, attendance_id: UUID, db: SessionDep, access: Manager, if_match: IfMatch = None
) -> Response:
    event = await events_service.get_manageable(db, access, event_id)
    await service.delete(db, await service.get(db, event, attendance_id), if_match)
    return Response(status_code=204)
