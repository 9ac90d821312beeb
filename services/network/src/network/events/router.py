"""``/v1/events``: meetings, trainings, seminars, study visits and workshops of the networks and
their working groups, and the agenda that expands recurring ones."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.dependencies import Manager, Reader
from network.events import service
from network.events.schemas import (
    AgendaQuery,
    EventCreate,
    EventQuery,
    EventRead,
    EventTime,
    EventUpdate,
    Occurrence,
)
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/events", tags=["events"])
ONE = "/{event_id:uuid}"


@router.get("", response_model=Page[EventRead], name="list", responses=problem_responses(422))
async def list_events(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[EventQuery, Query()],
) -> Response:
    """Event records the caller may see (a series is one record: see the agenda for its
    occurrences)."""
    return page_response(await service.list_events(db, access, filters, page))


@router.post(
    "",
    response_model=EventRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_event(
    data: EventCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Schedule an event of a network or of a working group (give one of the two) of the
    caller's regions; `recurrence` makes it a series."""

    async def create() -> EventRead:
        return service.to_read(await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(
    "/agenda", response_model=Page[Occurrence], name="agenda", responses=problem_responses(422)
)
async def agenda(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[AgendaQuery, Query()],
    window_start: Annotated[
        EventTime | None, Query(alias="from", description="Default: now")
    ] = None,
    window_end: Annotated[
        EventTime | None,
        Query(alias="to", description="Default and at most: `from` + 366 days"),
    ] = None,
) -> Response:
    """Upcoming occurrences across the networks the caller may see (of a region with
    `region`), series expanded, in start order, starting in [`from`, `to`)."""
    window = service.window_of(window_start, window_end)
    return page_response(await service.agenda(db, access, filters, window, page))


@router.get(ONE, response_model=EventRead, name="get", responses=problem_responses(404))
async def get_event(event_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    return with_etag(service.to_read(await service.get_visible(db, access, event_id)))


@router.patch(
    ONE,
    response_model=EventRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_event(
    event_id: UUID,
    data: EventUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change an event (cancel it with `status: cancelled`: it stays, shown cancelled); a
    change calendars show moves `sequence` on, the minutes do not."""
    event = await service.get_manageable(db, access, event_id)
    event = await service.update(db, event, data, if_match)
    return with_etag(service.to_read(event))
