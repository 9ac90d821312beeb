"""Every SQL query on partners."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.memberships.models import Membership
from network.partners.models import Partner
from network.partners.schemas import PartnerQuery, PartnerSort
from network.repository import current_membership, has_code, member_networks, regions_clause
from shared.pagination import PageParams, SortKey, paginate, where_equal
from shared.text import contains_pattern, search_terms

SORT_KEYS: dict[PartnerSort, list[SortKey]] = {
    PartnerSort.NAME: [SortKey(Partner.name_key), SortKey(Partner.id)],
    PartnerSort.UPDATED: [SortKey(Partner.updated_at), SortKey(Partner.id)],
    PartnerSort.RECENT: [
        SortKey(Partner.updated_at, descending=True),
        SortKey(Partner.id, descending=True),
    ],
}


def visible(access: Access) -> ColumnElement[bool]:
    """Partners the caller may see: those of its read regions; for a partner member, its own
    partner and the partners sharing one of its networks."""
    if access.everything:
        return true()
    clauses = [regions_clause(Partner.regions, access.read_regions)]
    if access.partner_id is not None:
        fellow_members = select(Membership.partner_id).where(
            Membership.network_id.in_(member_networks(access.partner_id)),
            current_membership(),
        )
        clauses += [Partner.id == access.partner_id, Partner.id.in_(fellow_members)]
    return or_(*clauses)


async def get(db: AsyncSession, partner_id: UUID) -> Partner | None:
    return await db.get(Partner, partner_id)


async def get_visible(db: AsyncSession, access: Access, partner_id: UUID) -> Partner | None:
    statement = select(Partner).where(Partner.id == partner_id, visible(access))
    return (await db.scalars(statement)).first()


async def list_page(
    db: AsyncSession, access: Access, filters: PartnerQuery, page: PageParams
) -> tuple[list[Partner], str | None]:
    statement: Select[Any] = select(Partner)
    if not access.everything:
        statement = statement.where(visible(access))
    statement = where_equal(
        statement,
        {Partner.kind: filters.kind, Partner.status: filters.status},
    )
    if filters.region is not None:
        statement = statement.where(has_code(Partner.regions, filters.region))
    if filters.sector is not None:
        statement = statement.where(has_code(Partner.sectors, filters.sector))
    if filters.network_id is not None:
        members = select(Membership.partner_id).where(
            Membership.network_id == filters.network_id,
            current_membership(),
        )
        statement = statement.where(Partner.id.in_(members))
    if filters.updated_since is not None:
        statement = statement.where(Partner.updated_at >= filters.updated_since)
    for term in search_terms(filters.q or ""):
        statement = statement.where(Partner.name_key.like(contains_pattern(term)))
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"partners{sort}")
