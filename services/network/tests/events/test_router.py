"""Events: one owner in the caller's regions, an end after the start, a valid recurrence, a
SEQUENCE that moves with what calendars show, scope as 404."""

from __future__ import annotations

from typing import Any

from ..activity_world import Caller, Records, coordinator, partner_member, problem_fields


async def test_create_and_read_in_casablanca_time(caller: Caller, records: Records) -> None:
    network = await records.network()
    event = await caller.event(
        network, starts_at="2027-01-12T09:00:00Z", ends_at="2027-01-12T11:00:00Z"
    )
    assert event["starts_at"] == "2027-01-12T10:00:00+01:00"
    assert event["time_zone"] == "Africa/Casablanca"
    assert event["region"] == "01"
    assert event["sequence"] == 0
    read = await caller.request("GET", f"/v1/events/{event['id']}")
    assert read.headers["etag"] == '"1"'
    assert read.json()["place"] == "Chambre de commerce, Tanger"


async def test_invalid_events_are_422_naming_the_field(caller: Caller, records: Records) -> None:
    network = await records.network()
    group = await records.group(network)
    base: dict[str, Any] = {
        "kind": "meeting",
        "network_id": str(network.id),
        "title": "Réunion",
        "starts_at": "2027-01-12T10:00:00+01:00",
        "ends_at": "2027-01-12T12:00:00+01:00",
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"ends_at": "2027-01-12T09:00:00+01:00"}, "body.ends_at"),
        ({"ends_at": "2027-01-12T10:00:00+01:00"}, "body.ends_at"),
        ({"starts_at": "2027-01-12T10:00:00"}, "body.starts_at"),
        ({"kind": "party"}, "body.kind"),
        ({"working_group_id": str(group.id)}, "body.network_id"),
        ({"network_id": None}, "body.network_id"),
        ({"recurrence": "FREQ=DAILY"}, "body.recurrence"),
        ({"recurrence": "FREQ=MONTHLY;COUNT=0"}, "body.recurrence"),
        ({"recurrence": "FREQ=MONTHLY;COUNT=3;UNTIL=20271231"}, "body.recurrence"),
        ({"recurrence": "FREQ=MONTHLY;BYDAY=MO"}, "body.recurrence"),
        ({"recurrence": "FREQ=WEEKLY;UNTIL=20261231"}, "body.recurrence"),
        ({"recurrence": "FREQ=WEEKLY;INTERVAL=13"}, "body.recurrence"),
        ({"status": "postponed"}, "body.status"),
        ({"colour": "blue"}, "body.colour"),
    ]
    for change, field in cases:
        response = await caller.request("POST", "/v1/events", json=base | change)
        assert problem_fields(response) == [field], (change, response.text)


async def test_events_outside_the_callers_regions_are_404(caller: Caller, records: Records) -> None:
    network = await records.network("01")
    event = await caller.event(network)
    path = f"/v1/events/{event['id']}"
    other = coordinator("02")
    assert (await caller.request("GET", path, other)).status_code == 404
    assert (await caller.request("PATCH", path, other, json={"title": "X"})).status_code == 404
    refused = await caller.request(
        "POST",
        "/v1/events",
        other,
        json={
            "kind": "meeting",
            "network_id": str(network.id),
            "title": "Réunion",
            "starts_at": "2027-01-12T10:00:00+01:00",
            "ends_at": "2027-01-12T12:00:00+01:00",
        },
    )
    assert problem_fields(refused) == ["body.network_id"]
    assert (await caller.request("GET", "/v1/events", other)).json()["items"] == []
    own = coordinator("01")
    assert (await caller.request("GET", path, own)).status_code == 200


async def test_partner_members_see_their_networks_events(caller: Caller, records: Records) -> None:
    mine, other = await records.network(name="Mine"), await records.network(name="Autre")
    partner = await records.partner()
    await records.member(partner, mine)
    seen = await caller.event(mine)
    unseen = await caller.event(other)
    member = partner_member(partner.id)
    assert (await caller.request("GET", f"/v1/events/{seen['id']}", member)).status_code == 200
    assert (await caller.request("GET", f"/v1/events/{unseen['id']}", member)).status_code == 404
    listed = await caller.request("GET", "/v1/events", member)
    assert [item["id"] for item in listed.json()["items"]] == [seen["id"]]
    changed = await caller.request("PATCH", f"/v1/events/{seen['id']}", member, json={"title": "X"})
    assert changed.status_code == 403


async def test_sequence_moves_with_what_calendars_show(caller: Caller, records: Records) -> None:
    network = await records.network()
    event = await caller.event(network)
    path = f"/v1/events/{event['id']}"
    minutes = await caller.request("PATCH", path, json={"minutes": "Présents : 12."})
    assert (minutes.json()["sequence"], minutes.json()["version"]) == (0, 2)
    moved = await caller.request(
        "PATCH",
        path,
        json={"starts_at": "2027-01-12T14:00:00+01:00", "ends_at": "2027-01-12T16:00:00+01:00"},
    )
    assert (moved.json()["sequence"], moved.json()["version"]) == (1, 3)
    same = await caller.request("PATCH", path, json={"title": event["title"]})
    assert (same.json()["sequence"], same.json()["version"]) == (1, 3)
    cancelled = await caller.request("PATCH", path, json={"status": "cancelled"})
    assert cancelled.json()["sequence"] == 2
    assert (await caller.request("GET", path)).json()["status"] == "cancelled"


async def test_updates_check_the_merged_record_and_versions(
    caller: Caller, records: Records
) -> None:
    network = await records.network()
    event = await caller.event(network)
    path = f"/v1/events/{event['id']}"
    early = await caller.request("PATCH", path, json={"ends_at": "2027-01-11T12:00:00+01:00"})
    assert problem_fields(early) == ["body.ends_at"]
    cleared = await caller.request("PATCH", path, json={"title": None})
    assert problem_fields(cleared) == ["body.title"]
    stale = await caller.request(
        "PATCH", path, json={"title": "Nouveau"}, headers={"If-Match": '"7"'}
    )
    assert stale.status_code == 412
    fresh = await caller.request(
        "PATCH", path, json={"title": "Nouveau"}, headers={"If-Match": '"1"'}
    )
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"2"'


async def test_create_replays_with_the_same_idempotency_key(
    caller: Caller, records: Records
) -> None:
    network = await records.network()
    body = {
        "kind": "seminar",
        "network_id": str(network.id),
        "title": "Séminaire",
        "starts_at": "2027-02-01T09:00:00+01:00",
        "ends_at": "2027-02-01T17:00:00+01:00",
    }
    first = await caller.request("POST", "/v1/events", json=body, headers={"Idempotency-Key": "k1"})
    again = await caller.request("POST", "/v1/events", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = await caller.request(
        "POST", "/v1/events", json=body | {"title": "Autre"}, headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 422


async def test_list_filters_and_pages(caller: Caller, records: Records) -> None:
    network = await records.network()
    group = await records.group(network)
    ids = []
    for day in (10, 11, 12):
        event = await caller.event(
            network,
            starts_at=f"2027-03-{day}T10:00:00+01:00",
            ends_at=f"2027-03-{day}T11:00:00+01:00",
        )
        ids.append(event["id"])
    in_group = await caller.event(group, kind="workshop")
    first = (
        await caller.request(
            "GET", "/v1/events", params={"limit": 2, "network_id": str(network.id)}
        )
    ).json()
    second = (
        await caller.request(
            "GET",
            "/v1/events",
            params={"limit": 2, "network_id": str(network.id), "cursor": first["next_cursor"]},
        )
    ).json()
    listed = [item["id"] for item in first["items"] + second["items"]]
    assert listed == [in_group["id"], *ids]
    assert second["next_cursor"] is None
    workshops = (await caller.request("GET", "/v1/events", params={"kind": "workshop"})).json()
    assert [item["id"] for item in workshops["items"]] == [in_group["id"]]
    grouped = (
        await caller.request("GET", "/v1/events", params={"working_group_id": str(group.id)})
    ).json()
    assert [item["network_id"] for item in grouped["items"]] == [str(network.id)]
