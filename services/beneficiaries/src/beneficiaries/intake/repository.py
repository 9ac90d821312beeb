"""Every query of the bulk intake: the shared job store, and the uploads it purges."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.intake.models import tables
from beneficiaries.people.models import Beneficiary
from beneficiaries.stats import tracking
from shared.bulk import insert_rows
from shared.jobs import JobStore

store = JobStore(tables)


async def purge_input(db: AsyncSession, job_id: UUID) -> None:
    """Drop the stored upload once its rows are in (it holds identifiers, encrypted)."""
    await db.execute(delete(tables.job_input).where(tables.job_input.c.job_id == job_id))


async def holders_of(
    db: AsyncSession, cin_indexes: Collection[str]
) -> dict[str, list[tuple[UUID, UUID]]]:
    """For each CIN index, the (id, association id) of the people who have it."""
    if not cin_indexes:
        return {}
    rows = (
        await db.execute(
            select(Beneficiary.cin_index, Beneficiary.id, Beneficiary.association_id).where(
                Beneficiary.cin_index.in_(sorted(cin_indexes))
            )
        )
    ).all()
    found: dict[str, list[tuple[UUID, UUID]]] = {}
    for index, row_id, association_id in rows:
        found.setdefault(str(index), []).append((row_id, association_id))
    return found


async def insert_people(db: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the people of a batch (by ``COPY`` on PostgreSQL), their figures marked."""
    await tracking.mark(db, {row["association_id"] for row in rows})
    await insert_rows(
        db,
        Beneficiary.__table__,  # type: ignore[arg-type]
        rows,
        options=tracking.FIGURES_MARKED,
    )
