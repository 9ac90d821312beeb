"""The iCalendar feeds, read back with ``ical`` (a parser independent of the ``icalendar``
library that writes them): stable UIDs, SEQUENCE, cancelled events kept, RRULE, the zone; and
tokens that rotate and revoke."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import httpx2
from ical.calendar import Calendar
from ical.calendar_stream import IcsCalendarStream
from ical.event import EventStatus

from shared.principal import ANONYMOUS

from ..activity_world import Caller, Records, coordinator, partner_member


async def feed(caller: Caller, path: str) -> str:
    """Turn the feed on (or rotate it): its URL, relative to the service."""
    response = await caller.request("POST", path + "/calendar-feed")
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    assert url.startswith("/api/")
    return url.removeprefix("/api")


async def fetch(caller: Caller, url: str) -> httpx2.Response:
    """The feed as a calendar application gets it: it sends no credentials, so the gateway
    forwards it as the anonymous caller."""
    return await caller.request("GET", url, ANONYMOUS)


def parse(response: httpx2.Response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return IcsCalendarStream.calendar_from_ics(response.text)


async def test_the_feed_follows_the_events(caller: Caller, records: Records) -> None:
    network = await records.network(name="Réseau TTA")
    group = await records.group(network)
    url = await feed(caller, f"/v1/networks/{network.id}")
    meeting = await caller.event(network)
    monthly = await caller.event(
        group,
        title="Groupe textile",
        starts_at="2027-01-05T10:00:00+01:00",
        ends_at="2027-01-05T12:00:00+01:00",
        recurrence="FREQ=MONTHLY;COUNT=10",
    )
    calendar = parse(await fetch(caller, url))
    by_uid = {event.uid: event for event in calendar.events}
    assert set(by_uid) == {
        f"event-{meeting['id']}@network.kafaat.ma",
        f"event-{monthly['id']}@network.kafaat.ma",
    }
    series = by_uid[f"event-{monthly['id']}@network.kafaat.ma"]
    assert series.rrule is not None
    assert (series.rrule.freq.value, series.rrule.count, series.rrule.interval) == (
        "MONTHLY",
        10,
        1,
    )
    start = series.dtstart
    assert isinstance(start, datetime)
    assert str(start.tzinfo) == "Africa/Casablanca"
    assert start.isoformat() == "2027-01-05T10:00:00+01:00"
    assert [tz.tz_id for tz in calendar.timezones] == ["Africa/Casablanca"]
    # The independent parser expands the series as the agenda does.
    occurrences = [
        item.dtstart.isoformat()
        for item in calendar.timeline
        if item.uid == series.uid and item.dtstart is not None
    ][:3]
    assert occurrences == [
        "2027-01-05T10:00:00+01:00",
        "2027-02-05T10:00:00+01:00",
        "2027-03-05T10:00:00+00:00",
    ]
    first_meeting = by_uid[f"event-{meeting['id']}@network.kafaat.ma"]
    assert (first_meeting.sequence, first_meeting.status) == (0, EventStatus.CONFIRMED)
    assert first_meeting.location == "Chambre de commerce, Tanger"

    await caller.request("PATCH", f"/v1/events/{meeting['id']}", json={"place": "Wilaya, Tanger"})
    await caller.request("PATCH", f"/v1/events/{meeting['id']}", json={"status": "cancelled"})
    again = {event.uid: event for event in parse(await fetch(caller, url)).events}
    assert set(again) == set(by_uid)  # same UIDs: calendars update, never duplicate
    cancelled = again[first_meeting.uid]
    assert (cancelled.sequence, cancelled.status) == (2, EventStatus.CANCELLED)
    assert cancelled.location == "Wilaya, Tanger"

    group_url = await feed(caller, f"/v1/working-groups/{group.id}")
    group_read = await caller.request("GET", f"/v1/working-groups/{group.id}")
    assert group_read.json()["calendar_url"] == "/api" + group_url
    in_group = parse(await fetch(caller, group_url))
    assert [event.uid for event in in_group.events] == [series.uid]


async def test_tokens_rotate_and_revoke(caller: Caller, records: Records) -> None:
    network = await records.network()
    await caller.event(network)
    path = f"/v1/networks/{network.id}"
    first = await feed(caller, path)
    assert (await fetch(caller, first)).status_code == 200
    second = await feed(caller, path)
    assert second != first
    assert (await fetch(caller, first)).status_code == 404
    assert (await fetch(caller, second)).status_code == 200
    wrong = urlsplit(second).path + "?token=" + "A" * 43
    assert (await fetch(caller, wrong)).status_code == 404
    other_network = await records.network(name="Autre")
    borrowed = f"/v1/networks/{other_network.id}/calendar.ics?{urlsplit(second).query}"
    assert (await fetch(caller, borrowed)).status_code == 404
    assert (await caller.request("DELETE", path + "/calendar-feed")).status_code == 204
    revoked = await fetch(caller, second)
    assert revoked.status_code == 404
    assert revoked.headers["content-type"] == "application/problem+json"
    assert (await caller.request("GET", path)).json()["calendar_url"] is None
    third = await feed(caller, path)
    # The record shows its feed's current URL to those who may read it.
    member = await records.partner("Membre")
    await records.member(member, network)
    shown = await caller.request("GET", path, partner_member(member.id))
    assert shown.json()["calendar_url"] == "/api" + third
    assert (await fetch(caller, urlsplit(third).path)).status_code == 404
    assert (await fetch(caller, third)).status_code == 200


async def test_only_the_regions_coordinators_rotate(caller: Caller, records: Records) -> None:
    network = await records.network("01")
    partner = await records.partner()
    await records.member(partner, network)
    path = f"/v1/networks/{network.id}/calendar-feed"
    assert (await caller.request("POST", path, coordinator("02"))).status_code == 404
    assert (await caller.request("DELETE", path, coordinator("02"))).status_code == 404
    assert (await caller.request("POST", path, partner_member(partner.id))).status_code == 403
    assert (await caller.request("POST", path, coordinator("01"))).status_code == 200
    group_path = f"/v1/working-groups/{(await records.group(network)).id}/calendar-feed"
    assert (await caller.request("POST", group_path, coordinator("02"))).status_code == 404
