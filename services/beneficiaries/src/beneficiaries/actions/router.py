"""``/v1/beneficiaries/{id}/actions``: coaching, workshops, job-search help, mentoring and
administrative help given to the person."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from beneficiaries.actions import service
from beneficiaries.actions.schemas import ActionCreate, ActionQuery, ActionRead, ActionUpdate
from beneficiaries.casefile import service as casefile
from beneficiaries.dependencies import PersonEditor, PersonReader
from beneficiaries.vocabulary import AuditAction
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(
    prefix="/v1/beneficiaries/{beneficiary_id:uuid}/actions", tags=["support-actions"]
)
ONE = "/{action_id:uuid}"


@router.post(
    "",
    response_model=ActionRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def create_action(
    beneficiary_id: UUID,
    data: ActionCreate,
    db: SessionDep,
    access: PersonEditor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> tuple[UUID, ActionRead]:
        person = await casefile.changeable_person(db, access, beneficiary_id)
        action = await service.create(db, access, person, data)
        await casefile.audited(db, access, AuditAction.CREATE, [person.id])
        return action.id, service.to_read(action)

    async def reread(action_id: UUID) -> ActionRead:
        person = await casefile.person(db, access, beneficiary_id)
        action = await service.get(db, person, action_id)
        await casefile.audited(db, access, AuditAction.READ, [person.id])
        return service.to_read(action)

    return await casefile.create_once(db, request, access, idempotency_key, data, create, reread)


@router.get(
    "", response_model=Page[ActionRead], name="list", responses=problem_responses(404, 422, 503)
)
async def list_actions(
    beneficiary_id: UUID,
    db: SessionDep,
    access: PersonReader,
    page: PageParamsDep,
    filters: Annotated[ActionQuery, Query()],
) -> Response:
    """The person's actions, newest first (oldest change first with `updated_since`)."""
    person = await casefile.person(db, access, beneficiary_id)
    actions = await service.page_of(db, person, filters, page)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return page_response(actions)


@router.get(ONE, response_model=ActionRead, name="get", responses=problem_responses(404, 503))
async def get_action(
    beneficiary_id: UUID, action_id: UUID, db: SessionDep, access: PersonReader
) -> JSONResponse:
    person = await casefile.person(db, access, beneficiary_id)
    action = await service.get(db, person, action_id)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(service.to_read(action))


@router.patch(
    ONE,
    response_model=ActionRead,
    name="update",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def update_action(
    beneficiary_id: UUID,
    action_id: UUID,
    data: ActionUpdate,
    db: SessionDep,
    access: PersonEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    person = await casefile.changeable_person(db, access, beneficiary_id)
    action = await service.get(db, person, action_id)
    action = await service.update(db, action, data, if_match)
    await casefile.audited(db, access, AuditAction.UPDATE, [person.id])
    return with_etag(service.to_read(action))
