"""Every SQL query on attendance."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from network.attendance.models import Attendance
from network.attendance.schemas import AttendanceQuery
from shared.pagination import PageParams, SortKey, paginate, where_equal

SORT_KEYS = [SortKey(Attendance.occurrence_at), SortKey(Attendance.id)]


async def get(db: AsyncSession, event_id: UUID, attendance_id: UUID) -> Attendance | None:
    statement = select(Attendance).where(
        Attendance.id == attendance_id, Attendance.event_id == event_id
    )
    return (await db.scalars(statement)).one_or_none()


async def list_page(
    db: AsyncSession,
    event_id: UUID,
    filters: AttendanceQuery,
    only_partner: UUID | None,
    page: PageParams,
) -> tuple[list[Attendance], str | None]:
    statement = where_equal(
        select(Attendance).where(Attendance.event_id == event_id),
        {
            Attendance.partner_id: filters.partner_id,
            Attendance.present: filters.present,
            Attendance.occurrence_at: filters.occurrence_at,
        },
    )
    if only_partner is not None:
        statement = statement.where(Attendance.partner_id == only_partner)
    return await paginate(db, statement, SORT_KEYS, page, order_name="attendance")
