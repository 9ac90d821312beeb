"""Every SQL statement of support actions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.actions.models import SupportAction
from beneficiaries.actions.schemas import ActionQuery
from shared.pagination import PageParams, SortKey, paginate, where_equal

NEWEST_FIRST = [
    SortKey(SupportAction.action_date, descending=True),
    SortKey(SupportAction.id, descending=True),
]
DELTA_ORDER = [SortKey(SupportAction.updated_at), SortKey(SupportAction.id)]


async def page_of(
    db: AsyncSession, beneficiary_id: UUID, filters: ActionQuery, page: PageParams
) -> tuple[list[SupportAction], str | None]:
    """Newest first; oldest change first with ``updated_since`` (delta sync)."""
    statement = where_equal(
        select(SupportAction).where(SupportAction.beneficiary_id == beneficiary_id),
        {SupportAction.kind: None if filters.kind is None else filters.kind.value},
    )
    if filters.updated_since is not None:
        statement = statement.where(SupportAction.updated_at >= filters.updated_since)
        return await paginate(db, statement, DELTA_ORDER, page, order_name="actions-delta")
    return await paginate(db, statement, NEWEST_FIRST, page, order_name="actions")


async def of_person(db: AsyncSession, beneficiary_id: UUID) -> list[SupportAction]:
    statement = (
        select(SupportAction)
        .where(SupportAction.beneficiary_id == beneficiary_id)
        .order_by(SupportAction.action_date, SupportAction.id)
    )
    return list((await db.scalars(statement)).all())


async def one(db: AsyncSession, beneficiary_id: UUID, action_id: UUID) -> SupportAction | None:
    statement = select(SupportAction).where(
        SupportAction.id == action_id, SupportAction.beneficiary_id == beneficiary_id
    )
    return (await db.scalars(statement)).one_or_none()


async def erase(db: AsyncSession, beneficiary_id: UUID, now: datetime) -> None:
    """Every action's notes emptied (kind, date, duration and attendance stay: figures)."""
    await db.execute(
        update(SupportAction)
        .where(SupportAction.beneficiary_id == beneficiary_id, SupportAction.notes.is_not(None))
        .values(notes=None, version=SupportAction.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
