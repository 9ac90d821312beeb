"""Every SQL query on networks and working groups."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.networks.models import Network, WorkingGroup
from network.networks.schemas import NetworkQuery, Sort, WorkingGroupQuery
from network.repository import member_networks, networks_visible
from shared.pagination import PageParams, SortKey, paginate, where_equal
from shared.text import contains_pattern, search_terms


def _sort_keys(table: type[Network] | type[WorkingGroup]) -> dict[Sort, list[SortKey]]:
    name = table.name_key if table is Network else table.name
    return {
        Sort.NAME: [SortKey(name), SortKey(table.id)],
        Sort.UPDATED: [SortKey(table.updated_at), SortKey(table.id)],
        Sort.RECENT: [
            SortKey(table.updated_at, descending=True),
            SortKey(table.id, descending=True),
        ],
    }


NETWORK_SORT = _sort_keys(Network)
GROUP_SORT = _sort_keys(WorkingGroup)


async def get_network(db: AsyncSession, network_id: UUID) -> Network | None:
    return await db.get(Network, network_id)


async def get_visible_network(db: AsyncSession, access: Access, network_id: UUID) -> Network | None:
    statement = select(Network).where(
        Network.id == network_id, networks_visible(access, Network.id, Network.region)
    )
    return (await db.scalars(statement)).first()


async def list_networks(
    db: AsyncSession, access: Access, filters: NetworkQuery, page: PageParams
) -> tuple[list[Network], str | None]:
    statement: Select[Any] = select(Network)
    if not access.everything:
        statement = statement.where(networks_visible(access, Network.id, Network.region))
    statement = where_equal(
        statement,
        {
            Network.region: filters.region,
            Network.status: filters.status,
            Network.model_id: filters.model_id,
        },
    )
    if filters.partner_id is not None:
        statement = statement.where(Network.id.in_(member_networks(filters.partner_id)))
    if filters.updated_since is not None:
        statement = statement.where(Network.updated_at >= filters.updated_since)
    for term in search_terms(filters.q or ""):
        statement = statement.where(Network.name_key.like(contains_pattern(term)))
    sort = filters.sort
    return await paginate(db, statement, NETWORK_SORT[sort], page, order_name=f"networks{sort}")


async def get_group(db: AsyncSession, group_id: UUID) -> WorkingGroup | None:
    return await db.get(WorkingGroup, group_id)


async def get_visible_group(
    db: AsyncSession, access: Access, group_id: UUID
) -> WorkingGroup | None:
    statement = select(WorkingGroup).where(
        WorkingGroup.id == group_id,
        networks_visible(access, WorkingGroup.network_id, WorkingGroup.region),
    )
    return (await db.scalars(statement)).first()


async def list_groups(
    db: AsyncSession, access: Access, filters: WorkingGroupQuery, page: PageParams
) -> tuple[list[WorkingGroup], str | None]:
    statement: Select[Any] = select(WorkingGroup)
    if not access.everything:
        statement = statement.where(
            networks_visible(access, WorkingGroup.network_id, WorkingGroup.region)
        )
    statement = where_equal(
        statement,
        {
            WorkingGroup.network_id: filters.network_id,
            WorkingGroup.region: filters.region,
            WorkingGroup.sector: filters.sector,
            WorkingGroup.status: filters.status,
            WorkingGroup.chair_partner_id: filters.chair_partner_id,
        },
    )
    if filters.updated_since is not None:
        statement = statement.where(WorkingGroup.updated_at >= filters.updated_since)
    sort = filters.sort
    return await paginate(db, statement, GROUP_SORT[sort], page, order_name=f"groups{sort}")
