"""Every SQL query on associations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, String, false, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations.models import Association
from beneficiaries.associations.schemas import AssociationQuery, AssociationSort
from shared.columns import contains_code
from shared.pagination import PageParams, SortKey, paginate, where_equal
from shared.text import contains_pattern, search_terms

SORT_KEYS: dict[AssociationSort, list[SortKey]] = {
    AssociationSort.NAME: [SortKey(Association.name_key), SortKey(Association.id)],
    AssociationSort.UPDATED: [SortKey(Association.updated_at), SortKey(Association.id)],
}


def _visible(access: Access) -> ColumnElement[bool] | None:
    """The associations the caller may read (``Access.may_see_association``); None: all."""
    if access.everything:
        return None
    clauses: list[ColumnElement[bool]] = []
    if access.regions:
        clauses.append(Association.region.in_(sorted(access.regions)))
    if access.association_id is not None:
        clauses.append(Association.id == access.association_id)
    return or_(*clauses) if clauses else false()


async def get(db: AsyncSession, association_id: UUID) -> Association | None:
    return await db.get(Association, association_id)


async def list_page(
    db: AsyncSession, access: Access, filters: AssociationQuery, page: PageParams
) -> tuple[list[Association], str | None]:
    statement: Select[Any] = select(Association)
    visible = _visible(access)
    if visible is not None:
        statement = statement.where(visible)
    statement = where_equal(
        statement,
        {
            Association.region: filters.region,
            Association.province: filters.province,
            Association.status: filters.status,
        },
    )
    if filters.sector is not None:
        sectors = type_coerce(Association.sectors, String)
        statement = statement.where(sectors.like(contains_code(filters.sector.value)))
    if filters.updated_since is not None:
        statement = statement.where(Association.updated_at >= filters.updated_since)
    for term in search_terms(filters.q or ""):
        statement = statement.where(Association.name_key.like(contains_pattern(term)))
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"associations{sort}")
