"""``/v1/offers``: programmes providers deliver, with search and filters."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, TypeAdapter

from offers.access import EDITOR_ROLES, PUBLISHER_ROLES, WRITE_SCOPE, Access
from offers.catalogue import service
from offers.catalogue.repository import OfferFilters
from offers.catalogue.schemas import OfferCreate, OfferRead, OfferSort, OfferUpdate
from offers.database import idempotency
from offers.vocabulary import OfferMode, PublicationStatus, TargetPublic
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep, utcnow
from shared.fields import IscedCode, ProvinceCode, RegionCode
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep
from shared.policy import require
from shared.principal import Principal
from shared.problems import problem_responses
from shared.reference import Sector

router = APIRouter(prefix="/v1/offers", tags=["offers"])
_PAGE = TypeAdapter(Page[OfferRead])

Reader = Annotated[Principal, require(anonymous=True)]
Editor = Annotated[Principal, require(roles=EDITOR_ROLES, scopes={WRITE_SCOPE})]
Publisher = Annotated[Principal, require(roles=PUBLISHER_ROLES, scopes={WRITE_SCOPE})]


@router.get("", response_model=Page[OfferRead], name="list", responses=problem_responses(422))
async def list_offers(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words of the French or Arabic title or of the provider's name; "
            "accents, case and Arabic short vowels are ignored",
        ),
    ] = None,
    region: Annotated[RegionCode | None, Query(description="The provider's region")] = None,
    province: Annotated[ProvinceCode | None, Query()] = None,
    sector: Sector | None = None,
    isced: Annotated[IscedCode | None, Query()] = None,
    mode: OfferMode | None = None,
    public: Annotated[
        TargetPublic | None, Query(description="Offers for this public or for everyone")
    ] = None,
    free: Annotated[bool | None, Query(description="Free of charge, or paying")] = None,
    starts_after: Annotated[
        date | None, Query(description="A session starts on or after this day")
    ] = None,
    starts_before: Annotated[
        date | None, Query(description="A session starts on or before this day")
    ] = None,
    has_seats: Annotated[
        bool | None, Query(description="A session is open with seats left (or none is)")
    ] = None,
    provider_id: UUID | None = None,
    min_quality: Annotated[int | None, Query(ge=0, le=100)] = None,
    updated_since: Annotated[
        AwareDatetime | None, Query(description="Only records changed at or after this time")
    ] = None,
    status: PublicationStatus | None = None,
    sort: OfferSort = OfferSort.START_DATE,
) -> Response:
    """Offers the caller may see (published ones, plus those in the caller's scope). Filters
    combine; the session filters (`starts_*`, `has_seats`) hold for one same session."""
    filters = OfferFilters(
        q=q,
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
        provider_id=provider_id,
        min_quality=min_quality,
        updated_since=updated_since,
        status=status.value if status else None,
    )
    now = utcnow()
    rows, next_cursor = await service.list_offers(
        session, Access(principal), filters, sort, page, now
    )
    body = {"items": [service.read_values(row, now) for row in rows], "next_cursor": next_cursor}
    # One validation and one serialisation of the whole page, both in pydantic's core.
    return Response(_PAGE.dump_json(_PAGE.validate_python(body)), media_type="application/json")


@router.post(
    "",
    response_model=OfferRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_offer(
    data: OfferCreate,
    session: SessionDep,
    principal: Editor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add an offer (as a draft) to a provider the caller may edit."""

    async def create() -> OfferRead:
        offer = await service.create(session, Access(principal), data)
        return service.to_read(offer, utcnow())

    return await idempotency.create_once(
        session, request, principal.subject, idempotency_key, data, create
    )


@router.get("/{offer_id}", response_model=OfferRead, name="get", responses=problem_responses(404))
async def get_offer(offer_id: UUID, session: SessionDep, principal: Reader) -> JSONResponse:
    offer = await service.get_visible(session, Access(principal), offer_id)
    return with_etag(service.to_read(offer, utcnow()))


@router.patch(
    "/{offer_id}",
    response_model=OfferRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_offer(
    offer_id: UUID,
    data: OfferUpdate,
    session: SessionDep,
    principal: Editor,
    if_match: IfMatch = None,
) -> JSONResponse:
    offer = await service.get_editable(session, Access(principal), offer_id)
    offer = await service.update(session, offer, data, if_match)
    return with_etag(service.to_read(offer, utcnow()))


@router.delete(
    "/{offer_id}",
    status_code=204,
    name="delete",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def delete_offer(
    offer_id: UUID, session: SessionDep, principal: Editor, if_match: IfMatch = None
) -> Response:
    """Delete a draft or archived offer and its sessions."""
    offer = await service.get_editable(session, Access(principal), offer_id)
    await service.delete(session, offer, if_match)
    return Response(status_code=204)


@router.post(
    "/{offer_id}/publish",
    response_model=OfferRead,
    name="publish",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def publish_offer(
    offer_id: UUID, session: SessionDep, principal: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    """Publish an offer of a published provider: everyone can then see it and its sessions."""
    access = Access(principal)
    offer = await service.get_editable(session, access, offer_id)
    offer = await service.publish(session, access, offer, if_match)
    return with_etag(service.to_read(offer, utcnow()))


@router.post(
    "/{offer_id}/archive",
    response_model=OfferRead,
    name="archive",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def archive_offer(
    offer_id: UUID, session: SessionDep, principal: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    access = Access(principal)
    offer = await service.get_editable(session, access, offer_id)
    offer = await service.archive(session, access, offer, if_match)
    return with_etag(service.to_read(offer, utcnow()))
