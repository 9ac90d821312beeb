"""Every SQL statement of outcomes and their follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.outcomes.models import FollowUp, Outcome
from beneficiaries.people.models import Beneficiary
from beneficiaries.repository import beneficiary_visible
from beneficiaries.stats.tracking import FIGURES_UNCHANGED
from shared.pagination import PageParams, SortKey, paginate

OUTCOME_ORDER = [SortKey(Outcome.outcome_date), SortKey(Outcome.id)]
FOLLOW_UP_ORDER = [SortKey(FollowUp.due_date), SortKey(FollowUp.id)]


async def outcomes_page(
    db: AsyncSession, beneficiary_id: UUID, page: PageParams
) -> tuple[list[Outcome], str | None]:
    statement = select(Outcome).where(Outcome.beneficiary_id == beneficiary_id)
    return await paginate(db, statement, OUTCOME_ORDER, page, order_name="outcomes")


async def outcomes_of(db: AsyncSession, beneficiary_id: UUID) -> list[Outcome]:
    statement = (
        select(Outcome)
        .where(Outcome.beneficiary_id == beneficiary_id)
        .order_by(Outcome.outcome_date, Outcome.id)
    )
    return list((await db.scalars(statement)).all())


async def outcome(db: AsyncSession, beneficiary_id: UUID, outcome_id: UUID) -> Outcome | None:
    statement = select(Outcome).where(
        Outcome.id == outcome_id, Outcome.beneficiary_id == beneficiary_id
    )
    return (await db.scalars(statement)).one_or_none()


async def has_outcome(db: AsyncSession, beneficiary_id: UUID) -> bool:
    statement = select(Outcome.id).where(Outcome.beneficiary_id == beneficiary_id).limit(1)
    return (await db.scalar(statement)) is not None


async def follow_ups_page(
    db: AsyncSession, beneficiary_id: UUID, page: PageParams
) -> tuple[list[FollowUp], str | None]:
    statement = select(FollowUp).where(FollowUp.beneficiary_id == beneficiary_id)
    return await paginate(db, statement, FOLLOW_UP_ORDER, page, order_name="follow-ups")


async def follow_ups_of(db: AsyncSession, beneficiary_id: UUID) -> list[FollowUp]:
    statement = (
        select(FollowUp)
        .where(FollowUp.beneficiary_id == beneficiary_id)
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    return list((await db.scalars(statement)).all())


async def follow_up(db: AsyncSession, beneficiary_id: UUID, follow_up_id: UUID) -> FollowUp | None:
    statement = select(FollowUp).where(
        FollowUp.id == follow_up_id, FollowUp.beneficiary_id == beneficiary_id
    )
    return (await db.scalars(statement)).one_or_none()


async def due_page(
    db: AsyncSession,
    access: Access,
    status: str,
    due_by: date | None,
    counsellor_id: str | None,
    page: PageParams,
) -> tuple[list[FollowUp], str | None]:
    """The follow-ups of the people the caller may see, soonest due first."""
    statement = (
        select(FollowUp)
        .join(Beneficiary, Beneficiary.id == FollowUp.beneficiary_id)
        .where(beneficiary_visible(access), FollowUp.status == status)
    )
    if due_by is not None:
        statement = statement.where(FollowUp.due_date <= due_by)
    if counsellor_id is not None:
        statement = statement.where(Beneficiary.counsellor_id == counsellor_id)
    return await paginate(db, statement, FOLLOW_UP_ORDER, page, order_name="due-follow-ups")


async def people_and_outcomes(
    db: AsyncSession, follow_ups: Sequence[FollowUp]
) -> tuple[dict[UUID, Any], dict[UUID, str]]:
    """For a page of follow-ups: each person's name and counsellor, each outcome's type."""
    people_ids = {item.beneficiary_id for item in follow_ups}
    outcome_ids = {item.outcome_id for item in follow_ups}
    if not people_ids:
        return {}, {}
    people = (
        await db.execute(
            select(
                Beneficiary.id,
                Beneficiary.first_name,
                Beneficiary.last_name,
                Beneficiary.counsellor_id,
            ).where(Beneficiary.id.in_(people_ids))
        )
    ).all()
    types = (
        await db.execute(select(Outcome.id, Outcome.type).where(Outcome.id.in_(outcome_ids)))
    ).all()
    return {row.id: row for row in people}, {row.id: row.type for row in types}


async def erase(db: AsyncSession, beneficiary_id: UUID, now: datetime) -> None:
    """The evidence notes, employers and follow-up notes emptied; types, dates, contracts,
    sectors, ISCO groups and what the follow-ups found stay (figures)."""
    await db.execute(
        update(Outcome)
        .where(Outcome.beneficiary_id == beneficiary_id)
        .values(evidence_note=None, employer=None, version=Outcome.version + 1, updated_at=now)
        .execution_options(synchronize_session=False, **FIGURES_UNCHANGED)
    )
    await db.execute(
        update(FollowUp)
        .where(FollowUp.beneficiary_id == beneficiary_id, FollowUp.notes.is_not(None))
        .values(notes=None, version=FollowUp.version + 1, updated_at=now)
        .execution_options(synchronize_session=False, **FIGURES_UNCHANGED)
    )
