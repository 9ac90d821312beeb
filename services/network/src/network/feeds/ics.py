"""The iCalendar (RFC 5545) document of a feed, written with ``icalendar``.

Each event is one VEVENT whose UID is derived from the event's id alone, so a calendar
application that subscribed keeps one entry per event across every change; ``SEQUENCE`` is the
event's sequence (moved on by each change a calendar shows), a cancelled event stays with
``STATUS:CANCELLED``, a series is one VEVENT with its ``RRULE``, and times are given in
Africa/Casablanca with the zone's VTIMEZONE. The document depends on the stored records only
(``DTSTAMP`` is the event's last change), so the same data always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from icalendar import Calendar, vRecur
from icalendar import Event as CalendarEvent

from network.events import recurrence
from network.events.models import Event
from network.vocabulary import EventStatus

PRODID = "-//Kafaat//Network calendar//FR"
UID_DOMAIN = "network.kafaat.ma"
_STATUS = {
    EventStatus.SCHEDULED.value: "CONFIRMED",
    EventStatus.HELD.value: "CONFIRMED",
    EventStatus.CANCELLED.value: "CANCELLED",
}


def uid(event_id: UUID) -> str:
    return f"event-{event_id}@{UID_DOMAIN}"


def _vevent(event: Event) -> CalendarEvent:
    vevent = CalendarEvent()
    vevent.add("uid", uid(event.id))
    vevent.add("dtstamp", event.updated_at)
    vevent.add("created", event.created_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("dtstart", recurrence.local(event.starts_at))
    vevent.add("dtend", recurrence.local(event.ends_at))
    vevent.add("summary", event.title)
    vevent.add("categories", [event.kind.upper()])
    if event.place:
        vevent.add("location", event.place)
    if event.agenda:
        vevent.add("description", event.agenda)
    if event.recurrence:
        vevent.add("rrule", vRecur.from_ical(event.recurrence))
    vevent.add("sequence", event.sequence)
    vevent.add("status", _STATUS[event.status])
    return vevent


def calendar(name: str, events: Sequence[Event]) -> bytes:
    document = Calendar()
    document.add("prodid", PRODID)
    document.add("version", "2.0")
    document.add("calscale", "GREGORIAN")
    document.add("method", "PUBLISH")
    document.add("x-wr-calname", name)
    document.add("x-wr-timezone", recurrence.DISPLAY_ZONE_NAME)
    for event in events:
        document.add_component(_vevent(event))
    if events:
        document.add_missing_timezones()
    return bytes(document.to_ical())
