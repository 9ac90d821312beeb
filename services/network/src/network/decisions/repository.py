"""Every SQL query on decisions and action items."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.decisions.models import ActionItem, Decision
from network.decisions.schemas import ActionItemQuery
from network.repository import networks_visible
from network.vocabulary import ActionItemStatus
from shared.pagination import PageParams, SortKey, paginate, where_equal

_DECISION_KEYS = [SortKey(Decision.created_at), SortKey(Decision.id)]
_ITEM_KEYS = [SortKey(ActionItem.due_date), SortKey(ActionItem.id)]


async def decision(db: AsyncSession, event_id: UUID, decision_id: UUID) -> Decision | None:
    statement = select(Decision).where(Decision.id == decision_id, Decision.event_id == event_id)
    return (await db.scalars(statement)).one_or_none()


async def decisions_page(
    db: AsyncSession, event_id: UUID, page: PageParams
) -> tuple[list[Decision], str | None]:
    statement = select(Decision).where(Decision.event_id == event_id)
    return await paginate(db, statement, _DECISION_KEYS, page, order_name="decisions")


async def action_item(db: AsyncSession, item_id: UUID) -> ActionItem | None:
    return await db.get(ActionItem, item_id)


async def visible_action_item(db: AsyncSession, access: Access, item_id: UUID) -> ActionItem | None:
    statement = select(ActionItem).where(
        ActionItem.id == item_id,
        networks_visible(access, ActionItem.network_id, ActionItem.region),
    )
    return (await db.scalars(statement)).one_or_none()


async def action_items_page(
    db: AsyncSession, access: Access, filters: ActionItemQuery, today: date, page: PageParams
) -> tuple[list[ActionItem], str | None]:
    statement = select(ActionItem).where(
        networks_visible(access, ActionItem.network_id, ActionItem.region)
    )
    statement = where_equal(
        statement,
        {
            ActionItem.region: filters.region,
            ActionItem.network_id: filters.network_id,
            ActionItem.event_id: filters.event_id,
            ActionItem.owner_partner_id: filters.owner_partner_id,
            ActionItem.status: filters.status,
        },
    )
    if filters.overdue is not None:
        overdue = and_(
            ActionItem.status == ActionItemStatus.OPEN.value, ActionItem.due_date < today
        )
        statement = statement.where(overdue if filters.overdue else not_(overdue))
    if filters.updated_since is not None:
        statement = statement.where(ActionItem.updated_at >= filters.updated_since)
    return await paginate(db, statement, _ITEM_KEYS, page, order_name="action-items")
