"""Rules on what events decide: decisions, and action items owned by a member partner with a
due date; an open item past its due date (in Africa/Casablanca) is overdue."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.decisions import repository
from network.decisions.models import ActionItem, Decision
from network.decisions.schemas import (
    ActionItemCreate,
    ActionItemQuery,
    ActionItemRead,
    ActionItemUpdate,
    DecisionCreate,
    DecisionRead,
    DecisionUpdate,
)
from network.events import recurrence
from network.events import service as events_service
from network.events.models import Event
from network.vocabulary import ActionItemStatus
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, invalid, not_found
from shared.writes import apply_changes, flush_update


def is_overdue(status: str, due_date: date, today: date) -> bool:
    return status == ActionItemStatus.OPEN and due_date < today


def item_read(item: ActionItem, today: date | None = None) -> ActionItemRead:
    today = today or recurrence.today()
    values = {
        name: getattr(item, name) for name in ActionItemRead.model_fields if name != "overdue"
    }
    return ActionItemRead.model_validate(
        values | {"overdue": is_overdue(item.status, item.due_date, today)}
    )


async def add_decision(db: AsyncSession, event: Event, data: DecisionCreate) -> Decision:
    now = utcnow()
    decision = Decision(
        id=uuid4(), event_id=event.id, text=data.text, version=1, created_at=now, updated_at=now
    )
    db.add(decision)
    await db.flush()
    return decision


async def get_decision(db: AsyncSession, event: Event, decision_id: UUID) -> Decision:
    decision = await repository.decision(db, event.id, decision_id)
    if decision is None:
        raise not_found("decision", decision_id)
    return decision


async def update_decision(
    db: AsyncSession, decision: Decision, data: DecisionUpdate, if_match: str | None
) -> Decision:
    if apply_changes(decision, data.model_dump(exclude_unset=True), if_match):
        await flush_update(db)
    return decision


async def list_decisions(db: AsyncSession, event: Event, page: PageParams) -> Page[DecisionRead]:
    rows, next_cursor = await repository.decisions_page(db, event.id, page)
    return Page[DecisionRead](
        items=[DecisionRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def add_action_item(db: AsyncSession, event: Event, data: ActionItemCreate) -> ActionItem:
    """An item for a partner that is a member of the event's network on the event's day (the
    first occurrence's, for a series)."""
    issues: list[FieldIssue] = []
    problem = await events_service.membership_issue(
        db, event, data.owner_partner_id, event.starts_at, "owner_partner_id"
    )
    if problem:
        issues.append(problem)
    if (
        data.decision_id is not None
        and await repository.decision(db, event.id, data.decision_id) is None
    ):
        issues.append(("decision_id", "no_decision_of_event"))
    if issues:
        raise invalid(issues)
    now = utcnow()
    item = ActionItem(
        **data.model_dump(),
        id=uuid4(),
        event_id=event.id,
        network_id=event.network_id,
        region=event.region,
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.add(item)
    await db.flush()
    return item


async def get_visible_item(db: AsyncSession, access: Access, item_id: UUID) -> ActionItem:
    item = await repository.visible_action_item(db, access, item_id)
    if item is None:
        raise not_found("action item", item_id)
    return item


async def get_manageable_item(db: AsyncSession, access: Access, item_id: UUID) -> ActionItem:
    item = await repository.action_item(db, item_id)
    if item is None or not access.may_manage_region(item.region):
        raise not_found("action item", item_id)
    return item


async def update_item(
    db: AsyncSession, item: ActionItem, data: ActionItemUpdate, if_match: str | None
) -> ActionItem:
    if apply_changes(item, data.model_dump(exclude_unset=True), if_match):
        await flush_update(db)
    return item


async def list_items(
    db: AsyncSession, access: Access, filters: ActionItemQuery, page: PageParams
) -> Page[ActionItemRead]:
    today = recurrence.today()
    rows, next_cursor = await repository.action_items_page(db, access, filters, today, page)
    return Page[ActionItemRead](
        items=[item_read(row, today) for row in rows], next_cursor=next_cursor
    )
