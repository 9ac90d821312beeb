"""Every SQL statement of support plans."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.plans.models import SupportPlanRevision
from shared.pagination import PageParams, SortKey, paginate

NEWEST_FIRST = [SortKey(SupportPlanRevision.revision, descending=True)]


async def latest(db: AsyncSession, beneficiary_id: UUID) -> SupportPlanRevision | None:
    statement = (
        select(SupportPlanRevision)
        .where(SupportPlanRevision.beneficiary_id == beneficiary_id)
        .order_by(SupportPlanRevision.revision.desc())
        .limit(1)
    )
    return (await db.scalars(statement)).one_or_none()


async def revision(
    db: AsyncSession, beneficiary_id: UUID, number: int
) -> SupportPlanRevision | None:
    statement = select(SupportPlanRevision).where(
        SupportPlanRevision.beneficiary_id == beneficiary_id,
        SupportPlanRevision.revision == number,
    )
    return (await db.scalars(statement)).one_or_none()


async def revisions_page(
    db: AsyncSession, beneficiary_id: UUID, page: PageParams
) -> tuple[list[SupportPlanRevision], str | None]:
    statement = select(SupportPlanRevision).where(
        SupportPlanRevision.beneficiary_id == beneficiary_id
    )
    return await paginate(db, statement, NEWEST_FIRST, page, order_name="plan-revisions")


async def revisions_of(db: AsyncSession, beneficiary_id: UUID) -> list[SupportPlanRevision]:
    statement = (
        select(SupportPlanRevision)
        .where(SupportPlanRevision.beneficiary_id == beneficiary_id)
        .order_by(SupportPlanRevision.revision)
    )
    return list((await db.scalars(statement)).all())


async def erase(db: AsyncSession, beneficiary_id: UUID) -> None:
    """Every revision's objectives and steps emptied: the revisions (their number, author and
    time) stay, as the count of plan changes."""
    await db.execute(
        update(SupportPlanRevision)
        .where(SupportPlanRevision.beneficiary_id == beneficiary_id)
        .values(objectives=[], steps=[])
        .execution_options(synchronize_session=False)
    )
