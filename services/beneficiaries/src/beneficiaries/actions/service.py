"""Support actions: what was done with a person, when, for how long, and whether they came."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.actions import repository
from beneficiaries.actions.models import SupportAction
from beneficiaries.actions.schemas import ActionCreate, ActionQuery, ActionRead, ActionUpdate
from beneficiaries.people.models import Beneficiary
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import not_found
from shared.writes import apply_changes, flush_update


def to_read(action: SupportAction) -> ActionRead:
    return ActionRead.model_validate(action)


async def create(
    db: AsyncSession, access: Access, person: Beneficiary, data: ActionCreate
) -> SupportAction:
    now = utcnow()
    action = SupportAction(
        beneficiary_id=person.id,
        author=access.subject,
        version=1,
        created_at=now,
        updated_at=now,
        **data.model_dump(),
    )
    db.add(action)
    await db.flush()
    return action


async def get(db: AsyncSession, person: Beneficiary, action_id: UUID) -> SupportAction:
    found = await repository.one(db, person.id, action_id)
    if found is None:
        raise not_found("support action", action_id)
    return found


async def page_of(
    db: AsyncSession, person: Beneficiary, filters: ActionQuery, page: PageParams
) -> Page[ActionRead]:
    rows, next_cursor = await repository.page_of(db, person.id, filters, page)
    return Page[ActionRead](items=[to_read(row) for row in rows], next_cursor=next_cursor)


async def of_person(db: AsyncSession, person: Beneficiary) -> list[SupportAction]:
    return await repository.of_person(db, person.id)


async def update(
    db: AsyncSession, action: SupportAction, data: ActionUpdate, if_match: str | None
) -> SupportAction:
    if apply_changes(action, data.model_dump(exclude_unset=True), if_match):
        await flush_update(db)
    return action


async def erase(db: AsyncSession, person: Beneficiary) -> None:
    await repository.erase(db, person.id, utcnow())
