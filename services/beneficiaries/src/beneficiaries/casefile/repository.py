"""The SQL of the case file's entry point: one person, in the caller's scope."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.people.models import Beneficiary
from beneficiaries.repository import only_visible


async def visible_person(
    db: AsyncSession, access: Access, beneficiary_id: UUID, *, for_update: bool = False
) -> Beneficiary | None:
    statement = only_visible(select(Beneficiary).where(Beneficiary.id == beneficiary_id), access)
    if for_update:
        # Serialises the writes of one case file (a new plan revision, a stage move) on
        # PostgreSQL; SQLite has one writer at a time anyway.
        statement = statement.with_for_update()
    return (await db.scalars(statement)).one_or_none()
