"""Every SQL query on consents."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.consents.models import Consent

# The latest decision first: the day decided, then the order recorded.
_NEWEST_FIRST = (Consent.decision_date.desc(), Consent.recorded_at.desc(), Consent.id.desc())


async def history(db: AsyncSession, beneficiary_ids: Sequence[UUID]) -> list[Consent]:
    """Every decision of these people, newest first."""
    if not beneficiary_ids:
        return []
    statement = (
        select(Consent)
        .where(Consent.beneficiary_id.in_(list(beneficiary_ids)))
        .order_by(*_NEWEST_FIRST)
    )
    return list((await db.scalars(statement)).all())


async def latest(db: AsyncSession, beneficiary_id: UUID, purpose: str) -> Consent | None:
    statement = (
        select(Consent)
        .where(Consent.beneficiary_id == beneficiary_id, Consent.purpose == purpose)
        .order_by(*_NEWEST_FIRST)
        .limit(1)
    )
    return (await db.scalars(statement)).first()
