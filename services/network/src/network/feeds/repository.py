"""Every SQL query on calendar feeds."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from network.feeds.models import CalendarFeed


async def of_owner(
    db: AsyncSession, network_id: UUID | None, working_group_id: UUID | None
) -> CalendarFeed | None:
    if working_group_id is not None:
        clause = CalendarFeed.working_group_id == working_group_id
    else:
        clause = CalendarFeed.network_id == network_id
    return (await db.scalars(select(CalendarFeed).where(clause))).one_or_none()
