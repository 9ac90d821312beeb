"""Decisions and action items: owners are member partners, overdue items listed by region."""

from __future__ import annotations

from datetime import timedelta

from network.events import recurrence

from ..activity_world import Caller, Records, coordinator, partner_member, problem_fields


async def test_decisions_of_an_event(caller: Caller, records: Records) -> None:
    network = await records.network()
    event = await caller.event(network)
    path = f"/v1/events/{event['id']}/decisions"
    decision = await caller.created(path, {"text": "Créer un groupe sur le tourisme."})
    one = f"{path}/{decision['id']}"
    changed = await caller.request(
        "PATCH", one, json={"text": "Créer deux groupes."}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'
    assert (
        await caller.request("PATCH", one, json={"text": "X"}, headers={"If-Match": '"1"'})
    ).status_code == 412
    assert problem_fields(await caller.request("POST", path, json={"text": ""})) == ["body.text"]
    listed = (await caller.request("GET", path)).json()["items"]
    assert [item["text"] for item in listed] == ["Créer deux groupes."]
    assert (await caller.request("GET", one, coordinator("02"))).status_code == 404


async def test_overdue_action_items_of_a_region(caller: Caller, records: Records) -> None:
    north, east = await records.network("01"), await records.network("02")
    owner, stranger = await records.partner("Owner"), await records.partner("Stranger")
    await records.member(owner, north)
    await records.member(owner, east)
    today = recurrence.today()
    late, soon = (today - timedelta(days=3)).isoformat(), (today + timedelta(days=30)).isoformat()
    north_event, east_event = await caller.event(north), await caller.event(east)
    decision = await caller.created(
        f"/v1/events/{north_event['id']}/decisions", {"text": "Former 20 couturières."}
    )

    async def item(event: dict[str, object], due: str, **fields: object) -> dict[str, object]:
        body = {
            "title": "Envoyer la liste",
            "owner_partner_id": str(owner.id),
            "due_date": due,
            **fields,
        }
        return await caller.created(f"/v1/events/{event['id']}/action-items", body)

    overdue = await item(north_event, late, decision_id=decision["id"])
    assert overdue["overdue"] is True
    assert overdue["region"] == "01"
    await item(north_event, soon)
    done = await item(north_event, late)
    await caller.request("PATCH", f"/v1/action-items/{done['id']}", json={"status": "done"})
    await item(east_event, late)
    listed = await caller.request(
        "GET", "/v1/action-items", params={"overdue": "true", "region": "01"}
    )
    assert [entry["id"] for entry in listed.json()["items"]] == [overdue["id"]]
    not_overdue = await caller.request(
        "GET", "/v1/action-items", params={"overdue": "false", "region": "01"}
    )
    assert len(not_overdue.json()["items"]) == 2
    refused = await caller.request(
        "POST",
        f"/v1/events/{north_event['id']}/action-items",
        json={"title": "X", "owner_partner_id": str(stranger.id), "due_date": soon},
    )
    assert problem_fields(refused) == ["body.owner_partner_id"]
    foreign_decision = await caller.request(
        "POST",
        f"/v1/events/{east_event['id']}/action-items",
        json={
            "title": "X",
            "owner_partner_id": str(owner.id),
            "due_date": soon,
            "decision_id": decision["id"],
        },
    )
    assert problem_fields(foreign_decision) == ["body.decision_id"]
    # Scope: the region's coordinators and the owner partner's people see the items.
    east_view = await caller.request("GET", "/v1/action-items", coordinator("02"))
    assert {entry["region"] for entry in east_view.json()["items"]} == {"02"}
    member_view = await caller.request("GET", "/v1/action-items", partner_member(owner.id))
    assert len(member_view.json()["items"]) == 4
    one = f"/v1/action-items/{overdue['id']}"
    assert (await caller.request("GET", one, coordinator("02"))).status_code == 404
    assert (
        await caller.request("PATCH", one, coordinator("02"), json={"status": "done"})
    ).status_code == 404
    assert (await caller.request("PATCH", one, json={"status": None})).status_code == 422
