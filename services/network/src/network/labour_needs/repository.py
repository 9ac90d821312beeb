"""Every SQL query on labour needs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.labour_needs.models import LabourNeed
from network.labour_needs.schemas import LabourNeedQuery, LabourNeedSort
from network.vocabulary import DECLARED_NEEDS
from shared.pagination import PageParams, SortKey, paginate, where_equal

SORT_KEYS: dict[LabourNeedSort, list[SortKey]] = {
    LabourNeedSort.UPDATED: [SortKey(LabourNeed.updated_at), SortKey(LabourNeed.id)],
    LabourNeedSort.RECENT: [
        SortKey(LabourNeed.updated_at, descending=True),
        SortKey(LabourNeed.id, descending=True),
    ],
    LabourNeedSort.HORIZON: [SortKey(LabourNeed.horizon), SortKey(LabourNeed.id)],
}


def visible(access: Access) -> ColumnElement[bool]:
    """Needs the caller may see: its read regions'; a partner member, its own partner's."""
    if access.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if access.read_regions:
        clauses.append(LabourNeed.region.in_(sorted(access.read_regions)))
    if access.partner_id is not None:
        clauses.append(LabourNeed.partner_id == access.partner_id)
    return or_(*clauses) if clauses else false()


async def get(db: AsyncSession, need_id: UUID) -> LabourNeed | None:
    return await db.get(LabourNeed, need_id)


async def get_visible(db: AsyncSession, access: Access, need_id: UUID) -> LabourNeed | None:
    statement = select(LabourNeed).where(LabourNeed.id == need_id, visible(access))
    return (await db.scalars(statement)).first()


async def list_page(
    db: AsyncSession, access: Access, filters: LabourNeedQuery, page: PageParams
) -> tuple[list[LabourNeed], str | None]:
    statement: Select[Any] = select(LabourNeed)
    if not access.everything:
        statement = statement.where(visible(access))
    statement = where_equal(
        statement,
        {
            LabourNeed.region: filters.region,
            LabourNeed.province: filters.province,
            LabourNeed.partner_id: filters.partner_id,
            LabourNeed.sector: filters.sector,
            LabourNeed.isco_group: filters.isco_group,
            LabourNeed.contract_type: filters.contract_type,
            LabourNeed.status: filters.status,
            LabourNeed.horizon_year: filters.horizon_year,
        },
    )
    if filters.updated_since is not None:
        statement = statement.where(LabourNeed.updated_at >= filters.updated_since)
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"needs{sort}")


async def declared_positions(
    db: AsyncSession, dimension: str, region: str | None, year: int | None
) -> list[tuple[str, int, int]]:
    """(value of ``dimension``, needs, positions) of the open and filled needs."""
    column = getattr(LabourNeed, dimension)
    statement = (
        select(column, func.count(), func.sum(LabourNeed.positions))
        .where(LabourNeed.status.in_(DECLARED_NEEDS))
        .group_by(column)
        .order_by(column)
    )
    statement = where_equal(statement, {LabourNeed.region: region, LabourNeed.horizon_year: year})
    rows = (await db.execute(statement)).all()
    return [(str(value), int(needs), int(positions or 0)) for value, needs, positions in rows]
