"""``/v1/sessions``: dated runs of offers, and the seats reserved in them."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, TypeAdapter

from offers.access import EDITOR_ROLES, RESERVE_SCOPE, RESERVER_ROLES, WRITE_SCOPE, Access
from offers.database import idempotency
from offers.sessions import service
from offers.sessions.repository import SessionFilters
from offers.sessions.schemas import (
    ReservationCreate,
    ReservationRead,
    SessionCreate,
    SessionRead,
    SessionSort,
    SessionUpdate,
)
from offers.vocabulary import OfferMode, SessionStatus, TargetPublic
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep, utcnow
from shared.fields import IscedCode, ProvinceCode, RegionCode
from shared.idempotency import KEY_MAX_LENGTH, IdempotencyKey
from shared.pagination import Page, PageParamsDep
from shared.policy import require
from shared.principal import Principal
from shared.problems import problem_responses
from shared.reference import Sector

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
_PAGE = TypeAdapter(Page[SessionRead])

Reader = Annotated[Principal, require(anonymous=True)]
Editor = Annotated[Principal, require(roles=EDITOR_ROLES, scopes={WRITE_SCOPE})]
Reserver = Annotated[Principal, require(roles=RESERVER_ROLES, scopes={RESERVE_SCOPE})]
ReservationKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        description="Required: one reservation per key and session (e.g. the referral id)",
    ),
]


@router.get("", response_model=Page[SessionRead], name="list", responses=problem_responses(422))
async def list_sessions(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Words of the offer's titles or provider's name"),
    ] = None,
    offer_id: UUID | None = None,
    provider_id: UUID | None = None,
    region: Annotated[RegionCode | None, Query(description="Where the session takes place")] = None,
    province: Annotated[ProvinceCode | None, Query()] = None,
    sector: Sector | None = None,
    isced: Annotated[IscedCode | None, Query()] = None,
    mode: OfferMode | None = None,
    public: Annotated[
        TargetPublic | None, Query(description="Offers for this public or for everyone")
    ] = None,
    free: bool | None = None,
    starts_after: Annotated[date | None, Query(description="Starts on or after this day")] = None,
    starts_before: Annotated[date | None, Query(description="Starts on or before this day")] = None,
    has_seats: Annotated[bool | None, Query(description="Open with seats left (or not)")] = None,
    min_quality: Annotated[int | None, Query(ge=0, le=100)] = None,
    updated_since: Annotated[
        AwareDatetime | None, Query(description="Only records changed at or after this time")
    ] = None,
    status: SessionStatus | None = None,
    sort: SessionSort = SessionSort.START_DATE,
) -> Response:
    """Sessions of the offers the caller may see."""
    filters = SessionFilters(
        q=q,
        offer_id=offer_id,
        provider_id=provider_id,
        region=region,
        province=province,
        sector=sector.value if sector else None,
        isced=isced,
        mode=mode.value if mode else None,
        public=public.value if public else None,
        free=free,
        starts_after=starts_after,
        starts_before=starts_before,
        has_seats=has_seats,
        min_quality=min_quality,
        updated_since=updated_since,
        status=status.value if status else None,
    )
    rows, next_cursor = await service.list_sessions(
        session, Access(principal), filters, sort, page, utcnow()
    )
    body = {"items": [service.read_values(row) for row in rows], "next_cursor": next_cursor}
    return Response(_PAGE.dump_json(_PAGE.validate_python(body)), media_type="application/json")


@router.post(
    "",
    response_model=SessionRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_session(
    data: SessionCreate,
    session: SessionDep,
    principal: Editor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a session to an offer the caller may edit."""

    async def create() -> SessionRead:
        return service.to_read(await service.create(session, Access(principal), data))

    return await idempotency.create_once(
        session, request, principal.subject, idempotency_key, data, create
    )


@router.get(
    "/{session_id}", response_model=SessionRead, name="get", responses=problem_responses(404)
)
async def get_session(session_id: UUID, session: SessionDep, principal: Reader) -> JSONResponse:
    training = await service.get_visible(session, Access(principal), session_id)
    return with_etag(service.to_read(training))


@router.patch(
    "/{session_id}",
    response_model=SessionRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_session(
    session_id: UUID,
    data: SessionUpdate,
    session: SessionDep,
    principal: Editor,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change a session; report `enrolled`, `completed` and `certified` once it runs."""
    training = await service.get_editable(session, Access(principal), session_id)
    training = await service.update(session, training, data, if_match)
    return with_etag(service.to_read(training))


@router.delete(
    "/{session_id}",
    status_code=204,
    name="delete",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def delete_session(
    session_id: UUID, session: SessionDep, principal: Editor, if_match: IfMatch = None
) -> Response:
    """Delete a session without reserved seats (cancel it otherwise)."""
    training = await service.get_editable(session, Access(principal), session_id)
    await service.delete(session, training, if_match)
    return Response(status_code=204)


@router.post(
    "/{session_id}/reservations",
    response_model=ReservationRead,
    status_code=201,
    name="reserve",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reserve_seats(
    session_id: UUID,
    session: SessionDep,
    principal: Reserver,
    idempotency_key: ReservationKey,
    data: ReservationCreate | None = None,
) -> ReservationRead:
    """Reserve seats in an open session, atomically: never more than `seats_total`. Retrying
    with the same `Idempotency-Key` returns the same reservation; 409 when no seats are left,
    registrations are not open or closed."""
    training = await service.get_visible(session, Access(principal), session_id)
    seats = data.seats if data else 1
    return await service.reserve(session, training, idempotency_key, seats, principal.subject)


@router.get(
    "/{session_id}/reservations/{reservation_id}",
    response_model=ReservationRead,
    name="get-reservation",
    responses=problem_responses(401, 403, 404),
)
async def get_reservation(
    session_id: UUID, reservation_id: UUID, session: SessionDep, principal: Reserver
) -> ReservationRead:
    training = await service.get_visible(session, Access(principal), session_id)
    return await service.get_reservation(session, training, reservation_id)


@router.delete(
    "/{session_id}/reservations/{reservation_id}",
    status_code=204,
    name="release",
    responses=problem_responses(401, 403, 404),
)
async def release_seats(
    session_id: UUID, reservation_id: UUID, session: SessionDep, principal: Reserver
) -> Response:
    """Release a reservation's seats; releasing it again changes nothing."""
    training = await service.get_visible(session, Access(principal), session_id)
    await service.release(session, training, reservation_id)
    return Response(status_code=204)
