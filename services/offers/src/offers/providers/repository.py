"""Every SQL query on providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue.models import Offer
from offers.providers.models import Provider
from offers.providers.schemas import ProviderSort
from shared.pagination import PageParams, SortKey, paginate
from shared.text import contains_pattern, search_terms


@dataclass(frozen=True)
class ProviderFilters:
    region: str | None = None
    province: str | None = None
    kind: str | None = None
    status: str | None = None
    q: str | None = None
    updated_since: datetime | None = None


SORT_KEYS: dict[ProviderSort, list[SortKey]] = {
    ProviderSort.NAME: [SortKey(Provider.name_key), SortKey(Provider.id)],
    ProviderSort.UPDATED: [SortKey(Provider.updated_at), SortKey(Provider.id)],
    ProviderSort.RECENT: [
        SortKey(Provider.updated_at, descending=True),
        SortKey(Provider.id, descending=True),
    ],
}


async def get(session: AsyncSession, provider_id: UUID) -> Provider | None:
    return await session.get(Provider, provider_id)


async def list_page(
    session: AsyncSession,
    filters: ProviderFilters,
    visible: ColumnElement[bool] | None,
    sort: ProviderSort,
    page: PageParams,
) -> tuple[list[Provider], str | None]:
    statement: Select[Any] = select(Provider)
    if visible is not None:
        statement = statement.where(visible)
    if filters.region is not None:
        statement = statement.where(Provider.region == filters.region)
    if filters.province is not None:
        statement = statement.where(Provider.province == filters.province)
    if filters.kind is not None:
        statement = statement.where(Provider.kind == filters.kind)
    if filters.status is not None:
        statement = statement.where(Provider.status == filters.status)
    if filters.updated_since is not None:
        statement = statement.where(Provider.updated_at >= filters.updated_since)
    for term in search_terms(filters.q or ""):
        statement = statement.where(Provider.name_key.like(contains_pattern(term)))
    return await paginate(session, statement, SORT_KEYS[sort], page, order_name=f"providers{sort}")


async def count_offers(session: AsyncSession, provider_id: UUID) -> int:
    statement = select(func.count()).select_from(Offer).where(Offer.provider_id == provider_id)
    return int((await session.scalar(statement)) or 0)


async def exists_external_id(session: AsyncSession, source: str, external_id: str) -> bool:
    statement = select(Provider.id).where(
        Provider.source == source, Provider.external_id == external_id
    )
    return (await session.scalar(statement)) is not None
