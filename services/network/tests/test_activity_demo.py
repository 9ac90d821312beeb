"""The demo activity: after `make run` the agenda, the feeds and the figures show something."""

from __future__ import annotations

from fastapi import FastAPI
from ical.calendar_stream import IcsCalendarStream

from network import demo
from network.events import recurrence
from shared.principal import ANONYMOUS, Role
from shared.testing import make_principal

from .activity_world import Caller, partner_member


async def test_the_demo_has_an_agenda_feeds_and_figures(
    app: FastAPI, caller: Caller, database_url: str
) -> None:
    await demo.seed(database_url)
    member = partner_member(demo.DEMO_PARTNER_ID)
    agenda = (
        await caller.request("GET", "/v1/events/agenda", member, params={"limit": 200})
    ).json()
    titles = [item["title"] for item in agenda["items"]]
    assert "Réunion mensuelle du groupe textile" in titles
    assert "Atelier saison estivale de Saïdia" not in titles  # another network
    monthly = [item for item in agenda["items"] if item["recurring"] and item["region"] == "01"]
    assert len(monthly) >= 10
    network = await caller.request("GET", f"/v1/networks/{demo.TANGER_NETWORK_ID}", member)
    url = network.json()["calendar_url"]
    # As a calendar application gets it: no credentials, forwarded as the anonymous caller.
    feed = await caller.request("GET", url.removeprefix("/api"), ANONYMOUS)
    assert feed.status_code == 200, feed.text
    calendar = IcsCalendarStream.calendar_from_ics(feed.text)
    assert {event.summary for event in calendar.events} >= {
        "Réunion mensuelle du groupe textile",
        "Séminaire régional adéquation formation-emploi",
    }
    figures = await caller.request(
        "GET",
        "/v1/stats/activity",
        make_principal(role=Role.VIEWER),
        params={"region": "01", "year": recurrence.today().year},
    )
    commitments = figures.json()["agreements"]["commitments"]
    assert commitments == [
        {
            "unit": "internships",
            "sector": "textile",
            "commitments": 1,
            "committed": 30,
            "achieved": 12,
        }
    ]
    # The demo partner's own overdue item; the network's history has others' (left undone).
    params = {"overdue": "true", "owner_partner_id": str(demo.DEMO_PARTNER_ID)}
    own = await caller.request("GET", "/v1/action-items", member, params=params)
    assert [item["title"] for item in own.json()["items"]] == ["Désigner les tuteurs en atelier"]
    overdue = await caller.request("GET", "/v1/action-items", member, params={"overdue": "true"})
    assert len(overdue.json()["items"]) > 1
