"""Announcements: information a network's managers share with its members, or with one of its
working groups'. Whoever sees the network reads them; its region's managers write them."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.announcements import repository
from network.announcements.models import Announcement
from network.announcements.schemas import (
    AnnouncementCreate,
    AnnouncementQuery,
    AnnouncementRead,
    AnnouncementUpdate,
)
from network.networks import service as networks_service
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import not_found
from shared.writes import apply_changes, flush_update

KIND = "announcement"


async def get_visible(db: AsyncSession, access: Access, announcement_id: UUID) -> Announcement:
    announcement = await repository.get_visible(db, access, announcement_id)
    if announcement is None:
        raise not_found(KIND, announcement_id)
    return announcement


async def get_managed(db: AsyncSession, access: Access, announcement_id: UUID) -> Announcement:
    announcement = await repository.get(db, announcement_id)
    if announcement is None or not access.may_manage_region(announcement.region):
        raise not_found(KIND, announcement_id)
    return announcement


async def list_announcements(
    db: AsyncSession,
    access: Access,
    filters: AnnouncementQuery,
    page: PageParams,
    *,
    network_id: UUID | None = None,
    group_id: UUID | None = None,
) -> Page[AnnouncementRead]:
    if group_id is not None:
        group = await networks_service.get_visible_group(db, access, group_id)
        body_network, body_group = group.network_id, group.id
    elif network_id is not None:
        network = await networks_service.get_visible_network(db, access, network_id)
        body_network, body_group = network.id, None
    else:
        raise ValueError("a network or a working group")
    rows, next_cursor = await repository.list_page(db, body_network, body_group, filters, page)
    return Page[AnnouncementRead](
        items=[AnnouncementRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create(
    db: AsyncSession,
    access: Access,
    data: AnnouncementCreate,
    *,
    network_id: UUID | None = None,
    group_id: UUID | None = None,
) -> Announcement:
    if group_id is not None:
        group = await networks_service.get_managed_group(db, access, group_id)
        body_network, body_group, region = group.network_id, group.id, group.region
    elif network_id is not None:
        network = await networks_service.get_managed_network(db, access, network_id)
        body_network, body_group, region = network.id, None, network.region
    else:
        raise ValueError("a network or a working group")
    now = utcnow()
    announcement = Announcement(
        **data.model_dump(mode="json"),
        network_id=body_network,
        working_group_id=body_group,
        region=region,
        author=access.principal.subject,
        created_at=now,
        updated_at=now,
    )
    db.add(announcement)
    await db.flush()
    return announcement


async def update(
    db: AsyncSession, announcement: Announcement, data: AnnouncementUpdate, if_match: str | None
) -> Announcement:
    if apply_changes(announcement, data.model_dump(mode="json", exclude_unset=True), if_match):
        await flush_update(db)
    return announcement


async def delete(db: AsyncSession, announcement: Announcement, if_match: str | None) -> None:
    check_if_match(if_match, announcement.version)
    await db.delete(announcement)
    await flush_update(db)
