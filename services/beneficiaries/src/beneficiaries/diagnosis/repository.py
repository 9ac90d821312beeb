"""Every SQL statement of diagnoses."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.diagnosis.models import Diagnosis


async def of_person(db: AsyncSession, beneficiary_id: UUID) -> Diagnosis | None:
    statement = select(Diagnosis).where(Diagnosis.beneficiary_id == beneficiary_id)
    return (await db.scalars(statement)).one_or_none()


async def erase(db: AsyncSession, beneficiary_id: UUID, now: datetime) -> None:
    """Every free text of the person's diagnosis emptied (its date and author stay)."""
    await db.execute(
        update(Diagnosis)
        .where(Diagnosis.beneficiary_id == beneficiary_id)
        .values(
            skills=[],
            constraints=[],
            needs=[],
            notes=None,
            version=Diagnosis.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
