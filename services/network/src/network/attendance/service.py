"""Rules on attendance: only members of the event's network (for a working group's event: of
the group or of its network) on the day of the occurrence attended, and never for a cancelled
event.

The names and functions of the people who came are seen by those who manage or read the
event's region; a partner member sees its own partner's people only.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.attendance import repository
from network.attendance.models import Attendance
from network.attendance.schemas import (
    AttendanceCreate,
    AttendanceQuery,
    AttendanceRead,
    AttendanceUpdate,
)
from network.events import recurrence
from network.events import service as events_service
from network.events.models import Event
from network.vocabulary import EventStatus
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, invalid, not_found
from shared.writes import apply_changes, flush_update

KIND = "attendance"


def to_read(attendance: Attendance) -> AttendanceRead:
    read = AttendanceRead.model_validate(attendance)
    read.occurrence_at = recurrence.local(attendance.occurrence_at)
    return read


def _only_partner(access: Access, event: Event) -> UUID | None:
    """The partner whose people alone the caller sees, when it does not read the region."""
    if access.may_read_region(event.region):
        return None
    return access.partner_id or uuid4()  # no partner: nobody's people


async def create(db: AsyncSession, event: Event, data: AttendanceCreate) -> Attendance:
    issues: list[FieldIssue] = []
    if event.status == EventStatus.CANCELLED:
        raise invalid([("event_id", "event_cancelled")], location="path")
    if data.occurrence_at is None:
        if event.recurrence is not None:
            raise invalid([("occurrence_at", "name_the_occurrence")])
        moment = event.starts_at
    else:
        moment = data.occurrence_at
        if not events_service.is_occurrence(event, moment):
            issues.append(("occurrence_at", "not_an_occurrence"))
    if not issues:
        problem = await events_service.membership_issue(
            db, event, data.partner_id, moment, "partner_id"
        )
        if problem:
            issues.append(problem)
    if issues:
        raise invalid(issues)
    now = utcnow()
    attendance = Attendance(
        id=uuid4(),
        event_id=event.id,
        occurrence_at=moment,
        partner_id=data.partner_id,
        person_name=data.person_name,
        person_function=data.person_function,
        present=data.present,
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.add(attendance)
    await db.flush()
    return attendance


async def get(db: AsyncSession, event: Event, attendance_id: UUID) -> Attendance:
    attendance = await repository.get(db, event.id, attendance_id)
    if attendance is None:
        raise not_found(KIND, attendance_id)
    return attendance


async def get_visible(
    db: AsyncSession, access: Access, event: Event, attendance_id: UUID
) -> Attendance:
    attendance = await get(db, event, attendance_id)
    only = _only_partner(access, event)
    if only is not None and attendance.partner_id != only:
        raise not_found(KIND, attendance_id)
    return attendance


async def list_attendance(
    db: AsyncSession, access: Access, event: Event, filters: AttendanceQuery, page: PageParams
) -> Page[AttendanceRead]:
    only = _only_partner(access, event)
    rows, next_cursor = await repository.list_page(db, event.id, filters, only, page)
    return Page[AttendanceRead](items=[to_read(row) for row in rows], next_cursor=next_cursor)


async def update(
    db: AsyncSession, attendance: Attendance, data: AttendanceUpdate, if_match: str | None
) -> Attendance:
    if apply_changes(attendance, data.model_dump(exclude_unset=True), if_match):
        await flush_update(db)
    return attendance


async def delete(db: AsyncSession, attendance: Attendance, if_match: str | None) -> None:
    check_if_match(if_match, attendance.version)
    await db.delete(attendance)
    await flush_update(db)
