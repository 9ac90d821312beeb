"""``/v1/sessions``: dated runs of offers, and the seats reserved in them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from offers.database import idempotency
from offers.dependencies import Editor, Reader, Reserver, SessionReader
from offers.sessions import service
from offers.sessions.schemas import (
    ReservationCreate,
    ReservationRead,
    SessionCreate,
    SessionQuery,
    SessionRead,
    SessionUpdate,
)
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import KEY_MAX_LENGTH, IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
# Typed in the path too: a segment that is not a UUID never reaches these routes.
ONE = "/{session_id:uuid}"
RESERVATION = ONE + "/reservations/{reservation_id:uuid}"

ReservationKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        description=(
            "Required: one reservation per key and session for each caller (e.g. the referral "
            "id); another caller's key never names your reservation"
        ),
    ),
]


@router.get("", response_model=Page[SessionRead], name="list", responses=problem_responses(422))
async def list_sessions(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[SessionQuery, Query()],
) -> Response:
    """Sessions of the offers the caller may see."""
    return page_response(await service.list_sessions(db, access, filters, page))


@router.post(
    "",
    response_model=SessionRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_session(
    data: SessionCreate,
    db: SessionDep,
    access: Editor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a session to an offer the caller may edit."""

    async def create() -> SessionRead:
        return service.to_read(await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=SessionRead, name="get", responses=problem_responses(404))
async def get_session(session_id: UUID, db: SessionDep, access: SessionReader) -> JSONResponse:
    session = await service.get_visible(db, access, session_id)
    return with_etag(service.to_read(session))


@router.patch(
    ONE,
    response_model=SessionRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_session(
    session_id: UUID,
    data: SessionUpdate,
    db: SessionDep,
    access: Editor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change a session; report `enrolled`, `completed` and `certified` once it runs."""
    session = await service.get_editable(db, access, session_id)
    session = await service.update(db, session, data, if_match)
    return with_etag(service.to_read(session))


@router.delete(
    ONE, status_code=204, name="delete", responses=problem_responses(401, 403, 404, 409, 412)
)
async def delete_session(
    session_id: UUID, db: SessionDep, access: Editor, if_match: IfMatch = None
) -> Response:
    """Delete a session without reserved seats (cancel it otherwise)."""
    session = await service.get_editable(db, access, session_id)
    await service.delete(db, session, if_match)
    return Response(status_code=204)


@router.post(
    ONE + "/reservations",
    response_model=ReservationRead,
    status_code=201,
    name="reserve",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reserve_seats(
    session_id: UUID,
    db: SessionDep,
    access: Reserver,
    idempotency_key: ReservationKey,
    data: ReservationCreate | None = None,
) -> ReservationRead:
    """Reserve seats in an open session, atomically: never more than `seats_total`. Retrying
    with the same `Idempotency-Key` returns the same reservation; 409 when no seats are left,
    registrations are not open or closed. API clients reserve in their regions only."""
    session = await service.get_visible(db, access, session_id)
    seats = data.seats if data else 1
    return await service.reserve(db, access, session, idempotency_key, seats)


@router.get(
    RESERVATION,
    response_model=ReservationRead,
    name="get-reservation",
    responses=problem_responses(401, 403, 404),
)
async def get_reservation(
    session_id: UUID, reservation_id: UUID, db: SessionDep, access: Reserver
) -> ReservationRead:
    """A reservation: for its author, its author's association, the coordinators of the
    session's region and admins (404 for anyone else)."""
    session = await service.get_visible(db, access, session_id)
    return await service.get_reservation(db, access, session, reservation_id)


@router.delete(
    RESERVATION, status_code=204, name="release", responses=problem_responses(401, 403, 404)
)
async def release_seats(
    session_id: UUID, reservation_id: UUID, db: SessionDep, access: Reserver
) -> Response:
    """Release a reservation's seats; releasing it again changes nothing. The same callers
    as for reading it may."""
    session = await service.get_visible(db, access, session_id)
    await service.release(db, access, session, reservation_id)
    return Response(status_code=204)
