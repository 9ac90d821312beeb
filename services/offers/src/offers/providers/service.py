"""Rules on providers: who may change which, what a coherent provider is, publication."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.catalogue import summary
from offers.lifecycle import duplicate_external_id, flush_new, move
from offers.providers import repository
from offers.providers.models import Provider
from offers.providers.schemas import ProviderCreate, ProviderSort, ProviderUpdate
from offers.vocabulary import KAFAAT_SOURCE, PublicationStatus
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.fields import province_problem
from shared.pagination import PageParams
from shared.problems import FieldIssue, ProblemError, not_found, out_of_scope, raise_if_invalid
from shared.text import fold
from shared.writes import apply_changes, flush_update

KIND = "provider"
# Changing these changes the provider's offers (place, search text, contact points).
_SHARED_WITH_OFFERS = frozenset({"name", "region", "province", "phone", "email"})


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Problems between fields of a whole provider record."""
    problems: list[FieldIssue] = []
    reason = province_problem(values["region"], values.get("province"))
    if reason:
        problems.append(("province", reason))
    has_latitude = values.get("latitude") is not None
    if has_latitude != (values.get("longitude") is not None):
        missing = "longitude" if has_latitude else "latitude"
        problems.append((missing, "give latitude and longitude together"))
    return problems


async def get_visible(session: AsyncSession, access: Access, provider_id: UUID) -> Provider:
    provider = await repository.get(session, provider_id)
    if provider is None or not access.may_see(provider.status, provider.region, provider.id):
        raise not_found(KIND, provider_id)
    return provider


async def get_editable(session: AsyncSession, access: Access, provider_id: UUID) -> Provider:
    provider = await repository.get(session, provider_id)
    if provider is None or not access.may_edit(provider.region, provider.id):
        raise not_found(KIND, provider_id)
    return provider


async def list_providers(
    session: AsyncSession,
    access: Access,
    filters: repository.ProviderFilters,
    sort: ProviderSort,
    page: PageParams,
) -> tuple[list[Provider], str | None]:
    visible = access.visible(Provider.status, Provider.region, Provider.id)
    return await repository.list_page(session, filters, visible, sort, page)


async def create(session: AsyncSession, access: Access, data: ProviderCreate) -> Provider:
    if not access.may_edit(data.region, None):
        raise out_of_scope("region", "you may only add providers in your regions")
    values = data.model_dump(exclude={"source", "external_id"})
    raise_if_invalid(check(values))
    provider_id = uuid4()
    source = data.source or KAFAAT_SOURCE
    external_id = data.external_id or str(provider_id)
    if await repository.exists_external_id(session, source, external_id):
        raise duplicate_external_id(source, external_id)
    now = utcnow()
    provider = Provider(
        id=provider_id,
        **values,
        name_key=fold(data.name)[:200],
        status=PublicationStatus.DRAFT.value,
        source=source,
        external_id=external_id,
        created_at=now,
        updated_at=now,
    )
    session.add(provider)
    await flush_new(session, source, external_id)
    return provider


async def update(
    session: AsyncSession,
    access: Access,
    provider: Provider,
    data: ProviderUpdate,
    if_match: str | None,
) -> Provider:
    changes = data.model_dump(exclude_unset=True)
    if "region" in changes and not access.may_edit(changes["region"], provider.id):
        raise out_of_scope("region", "you may only move providers within your regions")
    merged = {name: getattr(provider, name) for name in ProviderUpdate.model_fields} | changes
    raise_if_invalid(check(merged))
    if "name" in changes:
        changes["name_key"] = fold(changes["name"])[:200]
    if apply_changes(provider, changes, if_match):
        await flush_update(session)
        if _SHARED_WITH_OFFERS & changes.keys():
            await summary.refresh_provider_offers(session, provider.id)
    return provider


async def delete(session: AsyncSession, provider: Provider, if_match: str | None) -> None:
    check_if_match(if_match, provider.version)
    if await repository.count_offers(session, provider.id):
        raise ProblemError(
            409,
            "This provider still has offers; archive it instead, or delete its offers first.",
            slug="provider-has-offers",
        )
    await session.delete(provider)
    await flush_update(session)


async def publish(
    session: AsyncSession, access: Access, provider: Provider, if_match: str | None
) -> Provider:
    _require_publisher(access, provider)
    move(provider, PublicationStatus.PUBLISHED, if_match, KIND)
    await flush_update(session)
    return provider


async def archive(
    session: AsyncSession, access: Access, provider: Provider, if_match: str | None
) -> Provider:
    """Archive the provider and take its published offers offline with it."""
    _require_publisher(access, provider)
    move(provider, PublicationStatus.ARCHIVED, if_match, KIND)
    await flush_update(session)
    await catalogue_service.archive_all_of_provider(session, provider.id)
    return provider


def _require_publisher(access: Access, provider: Provider) -> None:
    if not access.may_publish(provider.region):
        raise ProblemError(
            403,
            "Only the coordinators of its region may publish or archive a provider.",
            slug="forbidden",
        )
