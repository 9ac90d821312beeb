"""Every SQL query on events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.events.models import Event
from network.events.schemas import AgendaQuery, EventQuery, EventSort
from network.repository import networks_visible
from network.vocabulary import EventStatus
from shared.pagination import PageParams, SortKey, paginate, where_equal

SORT_KEYS: dict[EventSort, list[SortKey]] = {
    EventSort.STARTS_AT: [SortKey(Event.starts_at), SortKey(Event.id)],
    EventSort.UPDATED: [SortKey(Event.updated_at), SortKey(Event.id)],
}


def scope_clause(access: Access) -> ColumnElement[bool]:
    return networks_visible(access, Event.network_id, Event.region)


async def get(db: AsyncSession, event_id: UUID) -> Event | None:
    return await db.get(Event, event_id)


async def get_visible(db: AsyncSession, access: Access, event_id: UUID) -> Event | None:
    statement = select(Event).where(Event.id == event_id, scope_clause(access))
    return (await db.scalars(statement)).one_or_none()


def _filtered(
    access: Access, filters: EventQuery | AgendaQuery, statement: Select[Any]
) -> Select[Any]:
    statement = statement.where(scope_clause(access))
    return where_equal(
        statement,
        {
            Event.network_id: filters.network_id,
            Event.working_group_id: filters.working_group_id,
            Event.region: filters.region,
            Event.kind: filters.kind,
        },
    )


async def list_page(
    db: AsyncSession, access: Access, filters: EventQuery, page: PageParams
) -> tuple[list[Event], str | None]:
    statement = _filtered(access, filters, select(Event))
    statement = where_equal(statement, {Event.status: filters.status})
    if filters.starts_after is not None:
        statement = statement.where(Event.starts_at >= filters.starts_after)
    if filters.starts_before is not None:
        statement = statement.where(Event.starts_at < filters.starts_before)
    if filters.updated_since is not None:
        statement = statement.where(Event.updated_at >= filters.updated_since)
    sort = filters.sort
    return await paginate(db, statement, SORT_KEYS[sort], page, order_name=f"events-{sort}")


def _agenda_base(access: Access, filters: AgendaQuery) -> Select[Any]:
    statement = _filtered(access, filters, select(Event))
    if not filters.include_cancelled:
        statement = statement.where(Event.status != EventStatus.CANCELLED.value)
    return statement


async def agenda_singles(
    db: AsyncSession,
    access: Access,
    filters: AgendaQuery,
    window: tuple[datetime, datetime],
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Event]:
    """Single events starting in the window, after the cursor ``after``, in (start, id)
    order: an index range scan on (region, starts_at, id)."""
    statement = _agenda_base(access, filters).where(
        Event.recurrence.is_(None), Event.starts_at >= window[0], Event.starts_at < window[1]
    )
    if after is not None:
        statement = statement.where(tuple_(Event.starts_at, Event.id) > tuple_(*after))
    statement = statement.order_by(Event.starts_at, Event.id).limit(limit)
    return list((await db.scalars(statement)).all())


async def agenda_series(
    db: AsyncSession, access: Access, filters: AgendaQuery, window: tuple[datetime, datetime]
) -> list[Event]:
    """Series that may have an occurrence in the window: begun before its end, and not ended
    before its start."""
    statement = _agenda_base(access, filters).where(
        Event.recurrence.is_not(None),
        Event.starts_at < window[1],
        or_(Event.last_starts_at.is_(None), Event.last_starts_at >= window[0]),
    )
    return list((await db.scalars(statement.order_by(Event.id))).all())


async def events_of_owner(
    db: AsyncSession, network_id: UUID | None, working_group_id: UUID | None
) -> list[Event]:
    """Every event of a network (its groups' included) or of one working group, cancelled
    ones too, in start order: what a calendar feed publishes."""
    statement = select(Event)
    if working_group_id is not None:
        statement = statement.where(Event.working_group_id == working_group_id)
    else:
        statement = statement.where(Event.network_id == network_id)
    return list((await db.scalars(statement.order_by(Event.starts_at, Event.id))).all())
