"""``/v1/providers``: training establishments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from offers.database import idempotency
from offers.dependencies import Editor, Publisher, Reader
from offers.providers import service
from offers.providers.schemas import ProviderCreate, ProviderQuery, ProviderRead, ProviderUpdate
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep, page_response
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/providers", tags=["providers"])
# Typed in the path too: a segment that is not a UUID never reaches these routes.
ONE = "/{provider_id:uuid}"


@router.get("", response_model=Page[ProviderRead], name="list", responses=problem_responses(422))
async def list_providers(
    db: SessionDep,
    access: Reader,
    page: PageParamsDep,
    filters: Annotated[ProviderQuery, Query()],
) -> Response:
    """Providers the caller may see: published ones, plus those in the caller's scope."""
    return page_response(await service.list_providers(db, access, filters, page))


@router.post(
    "",
    response_model=ProviderRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_provider(
    data: ProviderCreate,
    db: SessionDep,
    access: Publisher,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a provider (as a draft) in one of the caller's regions."""

    async def create() -> ProviderRead:
        return ProviderRead.model_validate(await service.create(db, access, data))

    return await idempotency.create_once(
        db, request, access.principal.subject, idempotency_key, data, create
    )


@router.get(ONE, response_model=ProviderRead, name="get", responses=problem_responses(404))
async def get_provider(provider_id: UUID, db: SessionDep, access: Reader) -> JSONResponse:
    provider = await service.get_visible(db, access, provider_id)
    return with_etag(ProviderRead.model_validate(provider))


@router.patch(
    ONE,
    response_model=ProviderRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_provider(
    provider_id: UUID,
    data: ProviderUpdate,
    db: SessionDep,
    access: Editor,
    if_match: IfMatch = None,
) -> JSONResponse:
    provider = await service.get_editable(db, access, provider_id)
    provider = await service.update(db, access, provider, data, if_match)
    return with_etag(ProviderRead.model_validate(provider))


@router.delete(
    ONE, status_code=204, name="delete", responses=problem_responses(401, 403, 404, 409, 412)
)
async def delete_provider(
    provider_id: UUID, db: SessionDep, access: Publisher, if_match: IfMatch = None
) -> Response:
    """Delete a provider that has no offers (archive it otherwise)."""
    provider = await service.get_editable(db, access, provider_id)
    await service.delete(db, provider, if_match)
    return Response(status_code=204)


@router.post(
    ONE + "/publish",
    response_model=ProviderRead,
    name="publish",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def publish_provider(
    provider_id: UUID, db: SessionDep, access: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    provider = await service.get_editable(db, access, provider_id)
    provider = await service.publish(db, access, provider, if_match)
    return with_etag(ProviderRead.model_validate(provider))


@router.post(
    ONE + "/archive",
    response_model=ProviderRead,
    name="archive",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def archive_provider(
    provider_id: UUID, db: SessionDep, access: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    """Archive a provider; its published offers are archived with it."""
    provider = await service.get_editable(db, access, provider_id)
    provider = await service.archive(db, access, provider, if_match)
    return with_etag(ProviderRead.model_validate(provider))
