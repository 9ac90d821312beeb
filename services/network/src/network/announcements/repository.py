"""Every SQL query on announcements."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.announcements.models import Announcement
from network.announcements.schemas import AnnouncementQuery, AnnouncementSort
from network.repository import has_code, networks_visible
from shared.pagination import PageParams, SortKey, paginate

SORT_KEYS: dict[AnnouncementSort, list[SortKey]] = {
    AnnouncementSort.RECENT: [
        SortKey(Announcement.created_at, descending=True),
        SortKey(Announcement.id, descending=True),
    ],
    AnnouncementSort.UPDATED: [SortKey(Announcement.updated_at), SortKey(Announcement.id)],
}


async def get(db: AsyncSession, announcement_id: UUID) -> Announcement | None:
    return await db.get(Announcement, announcement_id)


async def get_visible(
    db: AsyncSession, access: Access, announcement_id: UUID
) -> Announcement | None:
    statement = select(Announcement).where(
        Announcement.id == announcement_id,
        networks_visible(access, Announcement.network_id, Announcement.region),
    )
    return (await db.scalars(statement)).first()


async def list_page(
    db: AsyncSession,
    network_id: UUID,
    working_group_id: UUID | None,
    filters: AnnouncementQuery,
    page: PageParams,
) -> tuple[list[Announcement], str | None]:
    statement: Select[Any] = select(Announcement).where(Announcement.network_id == network_id)
    if working_group_id is None:
        statement = statement.where(Announcement.working_group_id.is_(None))
    else:
        statement = statement.where(Announcement.working_group_id == working_group_id)
    if filters.audience is not None:
        statement = statement.where(
            or_(Announcement.audience == [], has_code(Announcement.audience, filters.audience))
        )
    if filters.updated_since is not None:
        statement = statement.where(Announcement.updated_at >= filters.updated_since)
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"news{sort}")
