"""``/v1/stats/overview``: a region's networks and their next meetings, for those who read the
region's figures, and nothing of another region."""

from __future__ import annotations

from datetime import timedelta

from network.events import recurrence
from shared.principal import Role
from shared.testing import make_principal

from ..activity_world import Caller, Records, partner_member


async def test_the_networks_of_a_region_and_their_next_meetings(
    caller: Caller, records: Records
) -> None:
    north = await records.network("01", name="Réseau du Nord")
    await records.network("02", name="Réseau de l'Est")
    soon = recurrence.today() + timedelta(days=20)
    later = recurrence.today() + timedelta(days=40)
    await caller.event(
        north,
        title="Forum de l'emploi",
        starts_at=f"{later}T09:00:00+01:00",
        ends_at=f"{later}T12:00:00+01:00",
    )
    await caller.event(
        north,
        title="Comité de pilotage",
        starts_at=f"{soon}T10:00:00+01:00",
        ends_at=f"{soon}T12:00:00+01:00",
        recurrence="FREQ=MONTHLY;COUNT=3",
    )
    viewer = make_principal(role=Role.VIEWER)
    response = await caller.request("GET", "/v1/stats/overview", viewer, params={"region": "01"})
    assert response.status_code == 200, response.text
    overview = response.json()
    assert [network["name"] for network in overview["networks"]] == ["Réseau du Nord"]
    titles = [meeting["title"] for meeting in overview["upcoming"]]
    # The series' first meeting, then the forum (day 40) and the series' second (day ~50).
    assert titles[:2] == ["Comité de pilotage", "Forum de l'emploi"]
    assert len(titles) == 4
    assert set(overview["upcoming"][0]) == {"event_id", "title", "kind", "starts_at", "place"}

    east_coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=["02"])
    outside = await caller.request(
        "GET", "/v1/stats/overview", east_coordinator, params={"region": "01"}
    )
    assert outside.json() == {"region": "01", "networks": [], "upcoming": []}
    own = await caller.request(
        "GET", "/v1/stats/overview", east_coordinator, params={"region": "02"}
    )
    assert [network["name"] for network in own.json()["networks"]] == ["Réseau de l'Est"]
    partner = partner_member(north.id)
    refused = await caller.request("GET", "/v1/stats/overview", partner, params={"region": "01"})
    assert refused.status_code == 403
    missing = await caller.request("GET", "/v1/stats/overview", viewer)
    assert missing.status_code == 422
