"""``/v1/offers``: programmes providers deliver, with search and filters."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from offers.catalogue import service
from offers.catalogue.schemas import OfferCreate, OfferQuery, OfferRead, OfferUpdate
from offers.database import idempotency
from offers.dependencies import Editor, Publisher, Reader
from offers.providers import service as providers_service
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep, utcnow
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/offers", tags=["offers"])
# Typed in the path too: ``/v1/offers/export`` can never be read as an offer id, whatever the
# order the routers are included in.
ONE = "/{offer_id:uuid}"


@router.get("", response_model=Page[OfferRead], name="list", responses=problem_responses(422))
async def list_offers(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[OfferQuery, Query()],
) -> Response:
    """Offers the caller may see (published ones, plus those in the caller's scope). Filters
    combine; the session filters (`starts_*`, `has_seats`) hold for one same session."""
    return page_response(await service.list_offers(db, access, filters, page))


@router.post(
    "",
    response_model=OfferRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_offer(
    data: OfferCreate,
    db: SessionDep,
    access: Editor,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add an offer (as a draft) to a provider the caller may edit."""

    async def create() -> OfferRead:
        provider = await providers_service.get(db, data.provider_id)
        offer = await service.create(db, access, provider, data)
        return service.to_read(offer, utcnow())

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=OfferRead, name="get", responses=problem_responses(404))
async def get_offer(offer_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    offer = await service.get_visible(db, access, offer_id)
    return with_etag(service.to_read(offer, utcnow()))


@router.patch(
    ONE,
    response_model=OfferRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_offer(
    offer_id: UUID,
    data: OfferUpdate,
    db: SessionDep,
    access: Editor,
    if_match: IfMatch = None,
) -> JSONResponse:
    offer = await service.get_editable(db, access, offer_id)
    offer = await service.update(db, offer, data, if_match)
    return with_etag(service.to_read(offer, utcnow()))


@router.delete(
    ONE, status_code=204, name="delete", responses=problem_responses(401, 403, 404, 409, 412)
)
async def delete_offer(
    offer_id: UUID, db: SessionDep, access: Editor, if_match: IfMatch = None
) -> Response:
    """Delete a draft or archived offer and its sessions."""
    offer = await service.get_editable(db, access, offer_id)
    await service.delete(db, offer, if_match)
    return Response(status_code=204)


@router.post(
    ONE + "/publish",
    response_model=OfferRead,
    name="publish",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def publish_offer(
    offer_id: UUID, db: SessionDep, access: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    """Publish an offer of a published provider: everyone can then see it and its sessions."""
    offer = await service.get_editable(db, access, offer_id)
    provider = await providers_service.get(db, offer.provider_id)
    offer = await service.publish(db, access, offer, provider, if_match)
    return with_etag(service.to_read(offer, utcnow()))


@router.post(
    ONE + "/archive",
    response_model=OfferRead,
    name="archive",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def archive_offer(
    offer_id: UUID, db: SessionDep, access: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    offer = await service.get_editable(db, access, offer_id)
    offer = await service.archive(db, access, offer, if_match)
    return with_etag(service.to_read(offer, utcnow()))
