"""Every SQL query on providers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.providers.models import Provider
from offers.providers.schemas import ProviderQuery, ProviderSort
from offers.repository import only_visible
from shared.pagination import PageParams, SortKey, paginate, where_equal
from shared.text import contains_pattern, search_terms

SORT_KEYS: dict[ProviderSort, list[SortKey]] = {
    ProviderSort.NAME: [SortKey(Provider.name_key), SortKey(Provider.id)],
    ProviderSort.UPDATED: [SortKey(Provider.updated_at), SortKey(Provider.id)],
    ProviderSort.RECENT: [
        SortKey(Provider.updated_at, descending=True),
        SortKey(Provider.id, descending=True),
    ],
}


async def get(db: AsyncSession, provider_id: UUID) -> Provider | None:
    return await db.get(Provider, provider_id)


async def list_page(
    db: AsyncSession, access: Access, filters: ProviderQuery, page: PageParams
) -> tuple[list[Provider], str | None]:
    statement: Select[Any] = select(Provider)
    statement = only_visible(statement, access, Provider.status, Provider.region, Provider.id)
    statement = where_equal(
        statement,
        {
            Provider.region: filters.region,
            Provider.province: filters.province,
            Provider.kind: filters.kind,
            Provider.status: filters.status,
        },
    )
    if filters.updated_since is not None:
        statement = statement.where(Provider.updated_at >= filters.updated_since)
    for term in search_terms(filters.q or ""):
        statement = statement.where(Provider.name_key.like(contains_pattern(term)))
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"providers{sort}")


async def exists_external_id(db: AsyncSession, source: str, external_id: str) -> bool:
    statement = select(Provider.id).where(
        Provider.source == source, Provider.external_id == external_id
    )
    return (await db.scalar(statement)) is not None
