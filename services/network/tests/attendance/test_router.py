"""Attendance: members of the event's network on the day only (422 saying why), one
occurrence of a series at a time, people seen by their own partner only."""

from __future__ import annotations

from datetime import date

from ..activity_world import (
    Caller,
    Records,
    coordinator,
    partner_member,
    problem_fields,
    problem_reasons,
)


def person(partner_id: object, **fields: object) -> dict[str, object]:
    return {
        "partner_id": str(partner_id),
        "person_name": "Salma Idrissi",
        "person_function": "DRH",
        **fields,
    }


async def test_members_attend_and_others_are_refused_with_the_reason(
    caller: Caller, records: Records
) -> None:
    network, elsewhere = await records.network(), await records.network(name="Autre réseau")
    member, stranger, former = (
        await records.partner("Membre"),
        await records.partner("Étranger"),
        await records.partner("Ancien"),
    )
    await records.member(member, network)
    await records.member(stranger, elsewhere)
    await records.member(former, network, until=date(2026, 12, 31))
    event = await caller.event(network)
    path = f"/v1/events/{event['id']}/attendance"
    added = await caller.request("POST", path, json=person(member.id))
    assert added.status_code == 201, added.text
    assert added.json()["occurrence_at"] == "2027-01-12T10:00:00+01:00"
    assert added.json()["present"] is True
    refused = await caller.request("POST", path, json=person(stranger.id))
    assert problem_reasons(refused) == {
        "body.partner_id": "the partner is not a member of the event's network on 2027-01-12"
    }
    ended = await caller.request("POST", path, json=person(former.id))
    assert problem_fields(ended) == ["body.partner_id"]
    unknown = await caller.request(
        "POST", path, json=person("00000000-0000-4000-8000-000000000000")
    )
    assert problem_reasons(unknown) == {"body.partner_id": "no partner has this id"}
    listed = (await caller.request("GET", path)).json()["items"]
    assert [item["partner_id"] for item in listed] == [str(member.id)]


async def test_a_working_groups_event_takes_its_members_and_its_networks(
    caller: Caller, records: Records
) -> None:
    network = await records.network()
    textile, tourism = await records.group(network), await records.group(network, "Tourisme")
    in_group, in_network, in_other_group = (
        await records.partner("A"),
        await records.partner("B"),
        await records.partner("C"),
    )
    await records.member(in_group, network, textile)
    await records.member(in_network, network)
    await records.member(in_other_group, network, tourism)
    event = await caller.event(textile)
    path = f"/v1/events/{event['id']}/attendance"
    assert (await caller.request("POST", path, json=person(in_group.id))).status_code == 201
    assert (await caller.request("POST", path, json=person(in_network.id))).status_code == 201
    refused = await caller.request("POST", path, json=person(in_other_group.id))
    assert problem_reasons(refused)["body.partner_id"].startswith(
        "the partner is not a member of the event's working group or its network"
    )


async def test_a_series_is_attended_one_occurrence_at_a_time(
    caller: Caller, records: Records
) -> None:
    network = await records.network()
    partner = await records.partner()
    # A member from March only: the January meeting is before it joined.
    await records.member(partner, network, since=date(2027, 3, 1))
    event = await caller.event(
        network,
        starts_at="2027-01-05T10:00:00+01:00",
        ends_at="2027-01-05T12:00:00+01:00",
        recurrence="FREQ=MONTHLY;COUNT=6",
    )
    path = f"/v1/events/{event['id']}/attendance"
    assert problem_fields(await caller.request("POST", path, json=person(partner.id))) == [
        "body.occurrence_at"
    ]
    not_one = await caller.request(
        "POST", path, json=person(partner.id, occurrence_at="2027-03-06T10:00:00+01:00")
    )
    assert problem_fields(not_one) == ["body.occurrence_at"]
    january = await caller.request(
        "POST", path, json=person(partner.id, occurrence_at="2027-01-05T10:00:00+01:00")
    )
    assert problem_reasons(january)["body.partner_id"].endswith("on 2027-01-05")
    march = await caller.request(
        "POST", path, json=person(partner.id, occurrence_at="2027-03-05T10:00:00+00:00")
    )
    assert march.status_code == 201, march.text
    assert march.json()["occurrence_at"] == "2027-03-05T10:00:00+00:00"


async def test_cancelled_events_take_no_attendance(caller: Caller, records: Records) -> None:
    network = await records.network()
    partner = await records.partner()
    await records.member(partner, network)
    event = await caller.event(network, status="cancelled")
    refused = await caller.request(
        "POST", f"/v1/events/{event['id']}/attendance", json=person(partner.id)
    )
    assert refused.status_code == 422


async def test_changes_versions_and_scope(caller: Caller, records: Records) -> None:
    network = await records.network()
    mine, theirs = await records.partner("Mine"), await records.partner("Theirs")
    await records.member(mine, network)
    await records.member(theirs, network)
    event = await caller.event(network)
    path = f"/v1/events/{event['id']}/attendance"
    own = await caller.created(path, person(mine.id))
    await caller.created(path, person(theirs.id, person_name="Karim Alaoui"))
    one = f"{path}/{own['id']}"
    absent = await caller.request(
        "PATCH", one, json={"present": False}, headers={"If-Match": '"1"'}
    )
    assert absent.status_code == 200
    assert absent.json()["present"] is False
    stale = await caller.request("PATCH", one, json={"present": True}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    member = partner_member(mine.id)
    seen = (await caller.request("GET", path, member)).json()["items"]
    assert [item["id"] for item in seen] == [own["id"]]
    assert (await caller.request("GET", one, member)).status_code == 200
    assert (await caller.request("POST", path, member, json=person(mine.id))).status_code == 403
    outsider = coordinator("02")
    assert (await caller.request("GET", path, outsider)).status_code == 404
    assert (await caller.request("DELETE", one, outsider)).status_code == 404
    assert (await caller.request("DELETE", one)).status_code == 204
    assert (await caller.request("GET", one)).status_code == 404
