"""``/v1/beneficiaries/{id}/outcomes`` and ``…/follow-ups``: where a person's support led, the
checks at months 3, 6 and 12, and ``/v1/beneficiaries/follow-ups``, a counsellor's due list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from beneficiaries.casefile import service as casefile
from beneficiaries.dependencies import PersonEditor, PersonReader
from beneficiaries.outcomes import service
from beneficiaries.outcomes.schemas import (
    DueFollowUp,
    DueQuery,
    FollowUpRead,
    FollowUpUpdate,
    OutcomeCreate,
    OutcomeRead,
)
from beneficiaries.vocabulary import AuditAction
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

PERSON = "/v1/beneficiaries/{beneficiary_id:uuid}"
outcomes_router = APIRouter(prefix=PERSON + "/outcomes", tags=["outcomes"])
follow_ups_router = APIRouter(tags=["follow-ups"])
ONE_FOLLOW_UP = PERSON + "/follow-ups/{follow_up_id:uuid}"


@outcomes_router.post(
    "",
    response_model=OutcomeRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def create_outcome(
    beneficiary_id: UUID,
    data: OutcomeCreate,
    db: SessionDep,
    access: PersonEditor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record where the support led; any type but `none` schedules follow-ups at months 3, 6
    and 12 after `outcome_date`."""

    async def create() -> tuple[UUID, OutcomeRead]:
        person = await casefile.changeable_person(db, access, beneficiary_id)
        outcome = await service.create(db, access, person, data)
        await casefile.audited(db, access, AuditAction.CREATE, [person.id])
        return outcome.id, service.to_read(outcome)

    async def reread(outcome_id: UUID) -> OutcomeRead:
        person = await casefile.person(db, access, beneficiary_id)
        outcome = await service.get(db, person, outcome_id)
        await casefile.audited(db, access, AuditAction.READ, [person.id])
        return service.to_read(outcome)

    return await casefile.create_once(db, request, access, idempotency_key, data, create, reread)


@outcomes_router.get(
    "", response_model=Page[OutcomeRead], name="list", responses=problem_responses(404, 422, 503)
)
async def list_outcomes(
    beneficiary_id: UUID, db: SessionDep, access: PersonReader, page: PageParamsDep
) -> Response:
    person = await casefile.person(db, access, beneficiary_id)
    outcomes = await service.outcomes_page(db, person, page)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return page_response(outcomes)


@outcomes_router.get(
    "/{outcome_id:uuid}",
    response_model=OutcomeRead,
    name="get",
    responses=problem_responses(404, 503),
)
async def get_outcome(
    beneficiary_id: UUID, outcome_id: UUID, db: SessionDep, access: PersonReader
) -> JSONResponse:
    person = await casefile.person(db, access, beneficiary_id)
    outcome = await service.get(db, person, outcome_id)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(service.to_read(outcome))


@follow_ups_router.get(
    "/v1/beneficiaries/follow-ups",
    response_model=Page[DueFollowUp],
    name="due",
    responses=problem_responses(422, 503),
)
async def due_follow_ups(
    db: SessionDep,
    access: PersonReader,
    page: PageParamsDep,
    filters: Annotated[DueQuery, Query()],
) -> Response:
    """The follow-ups to make, soonest due first, for the people of the caller's association
    (`mine=true`: only those assigned to the caller): a counsellor's day."""
    due = await service.due_page(db, access, filters, page)
    await casefile.audited(
        db, access, AuditAction.LIST, [item.beneficiary_id for item in due.items]
    )
    return page_response(due)


@follow_ups_router.get(
    PERSON + "/follow-ups",
    response_model=Page[FollowUpRead],
    name="list",
    responses=problem_responses(404, 422, 503),
)
async def list_follow_ups(
    beneficiary_id: UUID, db: SessionDep, access: PersonReader, page: PageParamsDep
) -> Response:
    """The person's follow-ups, soonest due first."""
    person = await casefile.person(db, access, beneficiary_id)
    follow_ups = await service.follow_ups_page(db, person, page)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return page_response(follow_ups)


@follow_ups_router.get(
    ONE_FOLLOW_UP, response_model=FollowUpRead, name="get", responses=problem_responses(404, 503)
)
async def get_follow_up(
    beneficiary_id: UUID, follow_up_id: UUID, db: SessionDep, access: PersonReader
) -> JSONResponse:
    person = await casefile.person(db, access, beneficiary_id)
    follow_up = await service.get_follow_up(db, person, follow_up_id)
    await casefile.audited(db, access, AuditAction.READ, [person.id])
    return with_etag(service.follow_up_read(follow_up))


@follow_ups_router.patch(
    ONE_FOLLOW_UP,
    response_model=FollowUpRead,
    name="record",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def record_follow_up(
    beneficiary_id: UUID,
    follow_up_id: UUID,
    data: FollowUpUpdate,
    db: SessionDep,
    access: PersonEditor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Record a follow-up: `done` with `outcome_holds`, or `missed`."""
    person = await casefile.changeable_person(db, access, beneficiary_id)
    follow_up = await service.get_follow_up(db, person, follow_up_id)
    follow_up = await service.record_follow_up(db, access, follow_up, data, if_match)
    await casefile.audited(db, access, AuditAction.UPDATE, [person.id])
    return with_etag(service.follow_up_read(follow_up))
