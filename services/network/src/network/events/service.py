"""Rules on events: one owner (a network or one of its working groups) in the caller's regions,
an end after the start, a valid recurrence, a SEQUENCE that tells calendars what changed, and
the agenda that expands series within a window.

Cancelled events are kept (calendars show them cancelled): there is no delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.events import recurrence, repository
from network.events.models import Event
from network.events.schemas import (
    AgendaQuery,
    EventCreate,
    EventQuery,
    EventRead,
    EventUpdate,
    Occurrence,
)
from network.memberships import service as memberships_service
from network.networks import service as networks_service
from network.partners import service as partners_service
from shared.db import utcnow
from shared.pagination import Page, PageParams, decode_cursor, encode_cursor
from shared.problems import FieldIssue, invalid, msg, not_found, out_of_scope, raise_if_invalid
from shared.writes import apply_changes, flush_update

KIND = "event"
# What a calendar shows of an event: a change of any of them moves SEQUENCE on (RFC 5545
# §3.8.7.4), so subscribed calendars replace their copy.
CALENDAR_FIELDS = frozenset(
    {"kind", "title", "starts_at", "ends_at", "place", "agenda", "recurrence", "status"}
)
MAX_WINDOW = timedelta(days=366)
_AGENDA_ORDER = "agenda"


def check(values: Mapping[str, Any]) -> tuple[list[FieldIssue], recurrence.Rule | None]:
    """Problems between fields of a whole event, and its recurrence rule."""
    problems: list[FieldIssue] = []
    start, end = values["starts_at"], values["ends_at"]
    if end <= start:
        problems.append(("ends_at", msg("event_ends_before_start", end=end, start=start)))
    rule = None
    text = values.get("recurrence")
    if text is not None:
        rule, reason = recurrence.check(text, start)
        if reason:
            problems.append(("recurrence", reason))
    return problems, rule


def stored_rule(event: Event) -> recurrence.Rule | None:
    return recurrence.parse(event.recurrence) if event.recurrence else None


def _derived(values: Mapping[str, Any], rule: recurrence.Rule | None) -> dict[str, Any]:
    start = values["starts_at"]
    return {
        "recurrence": rule.text() if rule else None,
        "last_starts_at": rule.last_start(start) if rule else start,
    }


def to_read(event: Event) -> EventRead:
    read = EventRead.model_validate(event)
    read.starts_at = recurrence.local(event.starts_at)
    read.ends_at = recurrence.local(event.ends_at)
    return read


async def owner_of(
    db: AsyncSession, access: Access, network_id: UUID | None, working_group_id: UUID | None
) -> tuple[UUID, UUID | None, str]:
    """The (network, working group, region) an event written by the caller belongs to; 422
    unless exactly one is named and the caller manages its region."""
    if (network_id is None) == (working_group_id is None):
        raise invalid([("network_id", "network_or_group")])
    if working_group_id is not None:
        group = await networks_service.get_group(db, working_group_id)
        if group is None or not access.may_manage_region(group.region):
            raise out_of_scope("working_group_id", "no_group_in_scope")
        return group.network_id, group.id, group.region
    network = await networks_service.get_network(db, network_id) if network_id else None
    if network is None or not access.may_manage_region(network.region):
        raise out_of_scope("network_id", "no_network_in_scope")
    return network.id, None, network.region


async def get_visible(db: AsyncSession, access: Access, event_id: UUID) -> Event:
    event = await repository.get_visible(db, access, event_id)
    if event is None:
        raise not_found(KIND, event_id)
    return event


async def get_manageable(db: AsyncSession, access: Access, event_id: UUID) -> Event:
    event = await repository.get(db, event_id)
    if event is None or not access.may_manage_region(event.region):
        raise not_found(KIND, event_id)
    return event


async def create(db: AsyncSession, access: Access, data: EventCreate) -> Event:
    network_id, group_id, region = await owner_of(
        db, access, data.network_id, data.working_group_id
    )
    values = data.model_dump(exclude={"network_id", "working_group_id"})
    issues, rule = check(values)
    raise_if_invalid(issues)
    now = utcnow()
    event = Event(
        **values | _derived(values, rule),
        id=uuid4(),
        network_id=network_id,
        working_group_id=group_id,
        region=region,
        sequence=0,
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.add(event)
    await db.flush()
    return event


async def update(db: AsyncSession, event: Event, data: EventUpdate, if_match: str | None) -> Event:
    changes = data.model_dump(exclude_unset=True)
    merged = {name: getattr(event, name) for name in EventUpdate.model_fields} | changes
    issues, rule = check(merged)
    raise_if_invalid(issues)
    if "recurrence" in changes or "starts_at" in changes:
        changes |= _derived(merged, rule)
    calendar_change = any(
        name in CALENDAR_FIELDS and getattr(event, name) != value for name, value in changes.items()
    )
    if apply_changes(event, changes, if_match):
        if calendar_change:
            event.sequence += 1
        await flush_update(db)
    return event


async def list_events(
    db: AsyncSession, access: Access, filters: EventQuery, page: PageParams
) -> Page[EventRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    return Page[EventRead](items=[to_read(row) for row in rows], next_cursor=next_cursor)


def _occurrence(event: Event, start: datetime) -> Occurrence:
    return Occurrence(
        event_id=event.id,
        starts_at=recurrence.local(start),
        ends_at=recurrence.local(start + (event.ends_at - event.starts_at)),
        network_id=event.network_id,
        working_group_id=event.working_group_id,
        region=event.region,
        kind=event.kind,  # type: ignore[arg-type]
        title=event.title,
        place=event.place,
        status=event.status,  # type: ignore[arg-type]
        recurring=event.recurrence is not None,
    )


def window_of(
    window_start: datetime | None, window_end: datetime | None
) -> tuple[datetime, datetime]:
    start = window_start or utcnow()
    end = window_end or start + MAX_WINDOW
    issues: list[FieldIssue] = []
    if end <= start:
        issues.append(("to", "window_ends_before_start"))
    elif end - start > MAX_WINDOW:
        issues.append(("to", "window_too_long"))
    if issues:
        raise invalid(issues, location="query")
    return start, end


async def agenda(
    db: AsyncSession,
    access: Access,
    filters: AgendaQuery,
    window: tuple[datetime, datetime],
    page: PageParams,
) -> Page[Occurrence]:
    """Occurrences starting in the window, in (start, event id) order, a page at a time.

    Single events come from one index range scan; series (few: a group's monthly meeting)
    are expanded here, the same way the feed's RRULE is read by calendar applications."""
    after: tuple[datetime, UUID] | None = None
    if page.cursor:
        start_text, event_hex = decode_cursor(page.cursor, _AGENDA_ORDER, 2)
        after = (datetime.fromisoformat(start_text), UUID(event_hex))
    found: list[tuple[datetime, UUID, Event]] = [
        (event.starts_at, event.id, event)
        for event in await repository.agenda_singles(
            db, access, filters, window, after, page.limit + 1
        )
    ]
    for event in await repository.agenda_series(db, access, filters, window):
        rule = stored_rule(event)
        taken = 0
        for start in recurrence.occurrences(rule, event.starts_at, *window):
            # Each series' first limit + 1 occurrences after the cursor are all a page needs.
            if after is None or (start, event.id) > after:
                found.append((start, event.id, event))
                taken += 1
                if taken > page.limit:
                    break
    found.sort(key=lambda item: (item[0], item[1]))
    items = found[: page.limit]
    next_cursor = None
    if len(found) > page.limit:
        last_start, last_id, _ = items[-1]
        next_cursor = encode_cursor(_AGENDA_ORDER, [last_start.isoformat(), last_id.hex])
    return Page[Occurrence](
        items=[_occurrence(event, start) for start, _, event in items], next_cursor=next_cursor
    )


def is_occurrence(event: Event, moment: datetime) -> bool:
    rule = stored_rule(event)
    if rule is None:
        return moment == event.starts_at
    return rule.is_occurrence(event.starts_at, moment)


async def membership_issue(
    db: AsyncSession, event: Event, partner_id: UUID, moment: datetime, field: str
) -> FieldIssue | None:
    """Why ``partner_id`` cannot take part in ``event`` at ``moment``: it is not a partner, or
    not a member of the event's network (for a group's event: of the group or of its network)
    on that day."""
    if await partners_service.get(db, partner_id) is None:
        return field, "no_such_partner"
    day = recurrence.local_date(moment)
    if event.working_group_id is not None:
        member = await memberships_service.is_current_group_member(
            db, event.working_group_id, event.network_id, partner_id, day
        )
    else:
        member = await memberships_service.is_current_member(db, event.network_id, partner_id, day)
    if member:
        return None
    code = "not_a_group_member" if event.working_group_id else "not_a_network_member"
    return field, msg(code, day=day.isoformat())


async def of_owner(
    db: AsyncSession, network_id: UUID | None, working_group_id: UUID | None
) -> list[Event]:
    return await repository.events_of_owner(db, network_id, working_group_id)


async def owner_name(
    db: AsyncSession, network_id: UUID | None, working_group_id: UUID | None
) -> str | None:
    """The name of a network or working group (None when it does not exist)."""
    if working_group_id is not None:
        group = await networks_service.get_group(db, working_group_id)
        return group.name if group else None
    found = await networks_service.get_network(db, network_id) if network_id else None
    return found.name if found else None


async def manageable_owner(
    db: AsyncSession, access: Access, network_id: UUID | None, working_group_id: UUID | None
) -> None:
    """404 unless the network or working group exists in a region the caller manages."""
    if working_group_id is not None:
        group = await networks_service.get_group(db, working_group_id)
        if group is None or not access.may_manage_region(group.region):
            raise not_found("working group", working_group_id)
        return
    found = await networks_service.get_network(db, network_id) if network_id else None
    if found is None or not access.may_manage_region(found.region):
        raise not_found("network", network_id)
