"""The agenda: occurrences in a window, series expanded the way their RRULE reads, in start
order, a page at a time."""

from __future__ import annotations

from ..activity_world import Caller, Records, coordinator, problem_fields

WINDOW = {"from": "2027-01-01T00:00:00+01:00", "to": "2027-07-01T00:00:00+01:00"}


async def test_series_are_expanded_within_the_window(caller: Caller, records: Records) -> None:
    network = await records.network()
    group = await records.group(network)
    monthly = await caller.event(
        group,
        title="Groupe textile",
        starts_at="2026-11-05T10:00:00+01:00",
        ends_at="2026-11-05T12:00:00+01:00",
        recurrence="FREQ=MONTHLY;COUNT=6",
    )
    single = await caller.event(
        network,
        kind="seminar",
        starts_at="2027-02-20T09:00:00+01:00",
        ends_at="2027-02-20T17:00:00+01:00",
    )
    agenda = (await caller.request("GET", "/v1/events/agenda", params=WINDOW)).json()
    starts = [(item["event_id"], item["starts_at"]) for item in agenda["items"]]
    assert starts == [
        (monthly["id"], "2027-01-05T10:00:00+01:00"),
        (monthly["id"], "2027-02-05T10:00:00+01:00"),
        (single["id"], "2027-02-20T08:00:00+00:00"),  # Ramadan: Morocco is at UTC+0
        (monthly["id"], "2027-03-05T10:00:00+00:00"),
        (monthly["id"], "2027-04-05T10:00:00+01:00"),
    ]
    first = agenda["items"][0]
    assert first["ends_at"] == "2027-01-05T12:00:00+01:00"
    assert first["recurring"] is True
    assert first["working_group_id"] == str(group.id)
    assert agenda["next_cursor"] is None


async def test_agenda_pages_through_occurrences(caller: Caller, records: Records) -> None:
    network = await records.network()
    await caller.event(
        network,
        starts_at="2027-01-04T10:00:00+01:00",
        ends_at="2027-01-04T11:00:00+01:00",
        recurrence="FREQ=WEEKLY;INTERVAL=2",
    )
    await caller.event(
        network, starts_at="2027-01-20T10:00:00+01:00", ends_at="2027-01-20T11:00:00+01:00"
    )
    window = {"from": "2027-01-01T00:00:00+01:00", "to": "2027-03-01T00:00:00+01:00"}
    whole = (await caller.request("GET", "/v1/events/agenda", params=window)).json()["items"]
    assert len(whole) == 5  # 4, 18 Jan, 1, 15 Feb and the 20 Jan single event
    seen = []
    cursor = None
    while True:
        params = {**window, "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await caller.request("GET", "/v1/events/agenda", params=params)).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole


async def test_agenda_of_a_region_within_scope(caller: Caller, records: Records) -> None:
    north, east = await records.network("01"), await records.network("02")
    kept = await caller.event(north)
    await caller.event(east)
    cancelled = await caller.event(north, title="Annulée")
    await caller.request("PATCH", f"/v1/events/{cancelled['id']}", json={"status": "cancelled"})
    regional = await caller.request("GET", "/v1/events/agenda", params={**WINDOW, "region": "01"})
    assert [item["event_id"] for item in regional.json()["items"]] == [kept["id"]]
    with_cancelled = await caller.request(
        "GET", "/v1/events/agenda", params={**WINDOW, "region": "01", "include_cancelled": "true"}
    )
    assert len(with_cancelled.json()["items"]) == 2
    outsider = await caller.request("GET", "/v1/events/agenda", coordinator("03"), params=WINDOW)
    assert outsider.json()["items"] == []


async def test_bad_windows_are_422(caller: Caller) -> None:
    too_long = {"from": "2027-01-01T00:00:00+01:00", "to": "2028-06-01T00:00:00+01:00"}
    assert problem_fields(await caller.request("GET", "/v1/events/agenda", params=too_long)) == [
        "query.to"
    ]
    backwards = {"from": "2027-01-01T00:00:00+01:00", "to": "2026-06-01T00:00:00+01:00"}
    assert problem_fields(await caller.request("GET", "/v1/events/agenda", params=backwards)) == [
        "query.to"
    ]
    ancient = {"from": "0001-01-01T00:00:00+05:00"}
    assert problem_fields(await caller.request("GET", "/v1/events/agenda", params=ancient)) == [
        "query.from"
    ]
    naive = {"from": "2027-01-01T00:00:00"}
    assert problem_fields(await caller.request("GET", "/v1/events/agenda", params=naive)) == [
        "query.from"
    ]
