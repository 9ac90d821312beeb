"""``/v1/providers``: training establishments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from offers.access import EDITOR_ROLES, PUBLISHER_ROLES, WRITE_SCOPE, Access
from offers.database import idempotency
from offers.providers import service
from offers.providers.repository import ProviderFilters
from offers.providers.schemas import ProviderCreate, ProviderRead, ProviderSort, ProviderUpdate
from offers.vocabulary import ProviderKind, PublicationStatus
from shared.concurrency import IfMatch, with_etag
from shared.db import SessionDep
from shared.fields import ProvinceCode, RegionCode
from shared.idempotency import IdempotencyKey
from shared.pagination import Page, PageParamsDep
from shared.policy import require
from shared.principal import Principal
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/providers", tags=["providers"])

Reader = Annotated[Principal, require(anonymous=True)]
Editor = Annotated[Principal, require(roles=EDITOR_ROLES, scopes={WRITE_SCOPE})]
Publisher = Annotated[Principal, require(roles=PUBLISHER_ROLES, scopes={WRITE_SCOPE})]


@router.get("", response_model=Page[ProviderRead], name="list", responses=problem_responses(422))
async def list_providers(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    region: RegionCode | None = None,
    province: Annotated[ProvinceCode | None, Query()] = None,
    kind: ProviderKind | None = None,
    status: PublicationStatus | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Words of the name")] = None,
    updated_since: Annotated[
        AwareDatetime | None, Query(description="Only records changed at or after this time")
    ] = None,
    sort: ProviderSort = ProviderSort.NAME,
) -> Page[ProviderRead]:
    """Providers the caller may see: published ones, plus those in the caller's scope."""
    filters = ProviderFilters(
        region=region,
        province=province,
        kind=kind.value if kind else None,
        status=status.value if status else None,
        q=q,
        updated_since=updated_since,
    )
    rows, next_cursor = await service.list_providers(
        session, Access(principal), filters, sort, page
    )
    return Page(items=[ProviderRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "",
    response_model=ProviderRead,
    status_code=201,
    name="create",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_provider(
    data: ProviderCreate,
    session: SessionDep,
    principal: Publisher,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a provider (as a draft) in one of the caller's regions."""

    async def create() -> ProviderRead:
        provider = await service.create(session, Access(principal), data)
        return ProviderRead.model_validate(provider)

    return await idempotency.create_once(
        session, request, principal.subject, idempotency_key, data, create
    )


@router.get(
    "/{provider_id}", response_model=ProviderRead, name="get", responses=problem_responses(404)
)
async def get_provider(provider_id: UUID, session: SessionDep, principal: Reader) -> JSONResponse:
    provider = await service.get_visible(session, Access(principal), provider_id)
    return with_etag(ProviderRead.model_validate(provider))


@router.patch(
    "/{provider_id}",
    response_model=ProviderRead,
    name="update",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_provider(
    provider_id: UUID,
    data: ProviderUpdate,
    session: SessionDep,
    principal: Editor,
    if_match: IfMatch = None,
) -> JSONResponse:
    access = Access(principal)
    provider = await service.get_editable(session, access, provider_id)
    provider = await service.update(session, access, provider, data, if_match)
    return with_etag(ProviderRead.model_validate(provider))


@router.delete(
    "/{provider_id}",
    status_code=204,
    name="delete",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def delete_provider(
    provider_id: UUID, session: SessionDep, principal: Publisher, if_match: IfMatch = None
) -> Response:
    """Delete a provider that has no offers (archive it otherwise)."""
    provider = await service.get_editable(session, Access(principal), provider_id)
    await service.delete(session, provider, if_match)
    return Response(status_code=204)


@router.post(
    "/{provider_id}/publish",
    response_model=ProviderRead,
    name="publish",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def publish_provider(
    provider_id: UUID, session: SessionDep, principal: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    access = Access(principal)
    provider = await service.get_editable(session, access, provider_id)
    provider = await service.publish(session, access, provider, if_match)
    return with_etag(ProviderRead.model_validate(provider))


@router.post(
    "/{provider_id}/archive",
    response_model=ProviderRead,
    name="archive",
    responses=problem_responses(401, 403, 404, 409, 412),
)
async def archive_provider(
    provider_id: UUID, session: SessionDep, principal: Publisher, if_match: IfMatch = None
) -> JSONResponse:
    """Archive a provider; its published offers are archived with it."""
    access = Access(principal)
    provider = await service.get_editable(session, access, provider_id)
    provider = await service.archive(session, access, provider, if_match)
    return with_etag(ProviderRead.model_validate(provider))
