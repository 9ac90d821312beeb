"""The network's iCalendar feed through the gateway: a public route that calendar applications
call without credentials (the gateway forwards them as anonymous); its token alone opens it."""

from __future__ import annotations

import uuid

import httpx2
from ical.calendar_stream import IcsCalendarStream

from kafaat.testing import Platform
from network.institution_models.programme import PUBLIC_MANDATE_MODEL_ID

from .test_end_to_end import sign_in


async def test_a_calendar_subscribes_to_a_network_through_the_gateway(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    api = platform.base_url + "/api/v1"
    coordinator = await sign_in(http, platform, "coordinator.tanger@demo.kafaat.ma")
    created = await http.post(
        api + "/networks",
        headers=coordinator,
        json={
            "region": "01",
            "name": f"Réseau {uuid.uuid4().hex[:6]}",
            "model_id": str(PUBLIC_MANDATE_MODEL_ID),
        },
    )
    assert created.status_code == 201, created.text
    network_id = created.json()["id"]
    event = await http.post(
        api + "/events",
        headers=coordinator,
        json={
            "kind": "meeting",
            "network_id": network_id,
            "title": "Réunion de lancement",
            "starts_at": "2027-01-12T10:00:00+01:00",
            "ends_at": "2027-01-12T12:00:00+01:00",
            "recurrence": "FREQ=MONTHLY;COUNT=4",
        },
    )
    assert event.status_code == 201, event.text
    rotated = await http.post(api + f"/networks/{network_id}/calendar-feed", headers=coordinator)
    assert rotated.status_code == 200, rotated.text
    url = platform.base_url + rotated.json()["url"]
    shown = await http.get(api + f"/networks/{network_id}", headers=coordinator)
    assert platform.base_url + shown.json()["calendar_url"] == url

    feed = await http.get(url)  # no credentials, as a calendar application
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    [vevent] = IcsCalendarStream.calendar_from_ics(feed.text).events
    assert vevent.uid == f"event-{event.json()['id']}@network.kafaat.ma"
    assert vevent.rrule is not None
    assert vevent.rrule.count == 4

    wrong = await http.get(api + f"/networks/{network_id}/calendar.ics", params={"token": "x" * 43})
    assert wrong.status_code == 404
    revoked = await http.delete(api + f"/networks/{network_id}/calendar-feed", headers=coordinator)
    assert revoked.status_code == 204
    assert (await http.get(url)).status_code == 404
