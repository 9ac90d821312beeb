"""A person's support plan: every change is a new revision (1, 2, 3…), earlier ones stay
readable. ``If-Match`` names the revision the change was made from, so a counsellor never
overwrites a colleague's revision unseen (412)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.people.models import Beneficiary
from beneficiaries.plans import repository
from beneficiaries.plans.models import SupportPlanRevision
from beneficiaries.plans.schemas import PlanRead, PlanWrite
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import not_found, stale_record
from shared.writes import flush_insert


def to_read(row: SupportPlanRevision) -> PlanRead:
    return PlanRead(
        beneficiary_id=row.beneficiary_id,
        revision=row.revision,
        version=row.revision,
        objectives=row.objectives,
        steps=row.steps,  # type: ignore[arg-type]  # validated from the stored JSON
        author=row.author,
        created_at=row.created_at,
    )


async def current(db: AsyncSession, person: Beneficiary) -> SupportPlanRevision:
    found = await repository.latest(db, person.id)
    if found is None:
        raise not_found("support plan of the beneficiary", person.id)
    return found


async def revision(db: AsyncSession, person: Beneficiary, number: int) -> SupportPlanRevision:
    found = await repository.revision(db, person.id, number)
    if found is None:
        raise not_found("support plan revision", number)
    return found


async def revisions_page(db: AsyncSession, person: Beneficiary, page: PageParams) -> Page[PlanRead]:
    rows, next_cursor = await repository.revisions_page(db, person.id, page)
    return Page[PlanRead](items=[to_read(row) for row in rows], next_cursor=next_cursor)


async def revisions_of(db: AsyncSession, person: Beneficiary) -> list[SupportPlanRevision]:
    return await repository.revisions_of(db, person.id)


def _content(objectives: list[str], steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"objectives": objectives, "steps": steps}


async def write(
    db: AsyncSession,
    access: Access,
    person: Beneficiary,
    data: PlanWrite,
    if_match: str | None,
) -> SupportPlanRevision:
    """Store the plan as a new revision; the same content as the current one stores nothing."""
    latest = await repository.latest(db, person.id)
    number = 0 if latest is None else latest.revision
    if latest is not None:
        check_if_match(if_match, number)
    content = _content(data.objectives, [step.model_dump(mode="json") for step in data.steps])
    if latest is not None and _content(latest.objectives, latest.steps) == content:
        return latest
    row = SupportPlanRevision(
        beneficiary_id=person.id,
        revision=number + 1,
        author=access.subject,
        created_at=utcnow(),
        **content,
    )
    db.add(row)
    # Two writers from the same revision: the second one's number is taken.
    await flush_insert(db, stale_record)
    return row


async def erase(db: AsyncSession, person: Beneficiary) -> None:
    await repository.erase(db, person.id)
