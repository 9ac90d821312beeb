"""``/v1/events/{event_id}/decisions`` and action items: created under their event, listed
across events at ``/v1/action-items`` (``?overdue=true&region=``), each at
``/v1/action-items/{id}`` (a path of its own: under ``/v1/events`` it would read as an event id)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from network.database import idempotency
from network.decisions import service
from network.decisions.schemas import (
    ActionItemCreate,
    ActionItemQuery,
    ActionItemRead,
    ActionItemUpdate,
    DecisionCreate,
    DecisionRead,
    DecisionUpdate,
)
from network.dependencies import Manager, Reader
from network.events import service as events_service
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/events", tags=["events"])
DECISIONS = "/{event_id:uuid}/decisions"
DECISION = DECISIONS + "/{decision_id:uuid}"
# Across events: a top-level resource of the network service.
items_router = APIRouter(prefix="/v1/action-items", tags=["events"])
ITEMS = ""
ITEM = "/{action_item_id:uuid}"


@router.get(
    DECISIONS,
    response_model=Page[DecisionRead],
    name="list-decisions",
    responses=problem_responses(404, 422),
)
async def list_decisions(
    event_id: UUID, db: SessionDep, access: Reader, page: PageParamsDep
) -> Response:
    event = await events_service.get_visible(db, access, event_id)
    return page_response(await service.list_decisions(db, event, page))


@router.post(
    DECISIONS,
    response_model=DecisionRead,
    status_code=201,
    name="create-decision",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_decision(
    event_id: UUID,
    data: DecisionCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    event = await events_service.get_manageable(db, access, event_id)

    async def create() -> DecisionRead:
        return DecisionRead.model_validate(await service.add_decision(db, event, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(
    DECISION, response_model=DecisionRead, name="get-decision", responses=problem_responses(404)
)
async def get_decision(
    event_id: UUID, decision_id: UUID, db: SessionDep, access: Reader
) -> JSONResponse:
    event = await events_service.get_visible(db, access, event_id)
    return with_etag(
        DecisionRead.model_validate(await service.get_decision(db, event, decision_id))
    )


@router.patch(
    DECISION,
    response_model=DecisionRead,
    name="update-decision",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_decision(
    event_id: UUID,
    decision_id: UUID,
    data: DecisionUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    event = await events_service.get_manageable(db, access, event_id)
    decision = await service.get_decision(db, event, decision_id)
    decision = await service.update_decision(db, decision, data, if_match)
    return with_etag(DecisionRead.model_validate(decision))


@router.post(
    "/{event_id:uuid}/action-items",
    response_model=ActionItemRead,
    status_code=201,
    name="create-action-item",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_action_item(
    event_id: UUID,
    data: ActionItemCreate,
    db: SessionDep,
    access: Manager,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Give a member partner of the event's network a task with a due date."""
    event = await events_service.get_manageable(db, access, event_id)

    async def create() -> ActionItemRead:
        return service.item_read(await service.add_action_item(db, event, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@items_router.get(
    ITEMS,
    response_model=Page[ActionItemRead],
    name="list-action-items",
    responses=problem_responses(422),
)
async def list_action_items(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[ActionItemQuery, Query()],
) -> Response:
    """Action items of the events the caller may see, by due date; `overdue=true` keeps the
    open ones past their due date."""
    return page_response(await service.list_items(db, access, filters, page))


@items_router.get(
    ITEM, response_model=ActionItemRead, name="get-action-item", responses=problem_responses(404)
)
async def get_action_item(action_item_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    return with_etag(service.item_read(await service.get_visible_item(db, access, action_item_id)))


@items_router.patch(
    ITEM,
    response_model=ActionItemRead,
    name="update-action-item",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_action_item(
    action_item_id: UUID,
    data: ActionItemUpdate,
    db: SessionDep,
    access: Manager,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Mark an item done or cancelled, or move its due date."""
    item = await service.get_manageable_item(db, access, action_item_id)
    return with_etag(service.item_read(await service.update_item(db, item, data, if_match)))
