"""Every SQL statement of the journey."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.journey.models import StageMove


async def history(db: AsyncSession, beneficiary_id: UUID) -> list[StageMove]:
    statement = (
        select(StageMove)
        .where(StageMove.beneficiary_id == beneficiary_id)
        .order_by(StageMove.moved_at, StageMove.id)
    )
    return list((await db.scalars(statement)).all())
