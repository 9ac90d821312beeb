"""``/v1/stats/activity``: what a region's networks did in a year."""

from __future__ import annotations

from network.events import recurrence
from shared.principal import Role
from shared.testing import make_principal

from ..activity_world import Caller, Records, partner_member


async def test_activity_of_a_region_for_a_year(caller: Caller, records: Records) -> None:
    north, east = await records.network("01"), await records.network("02")
    group = await records.group(north)
    one, two, three = (
        await records.partner("A"),
        await records.partner("B"),
        await records.partner("C"),
    )
    for partner in (one, two, three):
        await records.member(partner, north)
    year = recurrence.today().year
    await caller.event(
        group,
        starts_at=f"{year - 1}-11-10T10:00:00+01:00",
        ends_at=f"{year - 1}-11-10T12:00:00+01:00",
        recurrence="FREQ=MONTHLY;COUNT=6",  # Nov, Dec last year; Jan–Apr this year
    )
    training = await caller.event(
        north,
        kind="training",
        starts_at=f"{year}-06-02T09:00:00+01:00",
        ends_at=f"{year}-06-02T17:00:00+01:00",
    )
    await caller.request("PATCH", f"/v1/events/{training['id']}", json={"status": "held"})
    cancelled = await caller.event(
        north,
        kind="seminar",
        starts_at=f"{year}-07-01T09:00:00+01:00",
        ends_at=f"{year}-07-01T12:00:00+01:00",
    )
    await caller.request("PATCH", f"/v1/events/{cancelled['id']}", json={"status": "cancelled"})
    await caller.event(
        east,
        kind="training",
        starts_at=f"{year}-06-02T09:00:00+01:00",
        ends_at=f"{year}-06-02T17:00:00+01:00",
    )
    attendance = f"/v1/events/{training['id']}/attendance"
    for partner, present in ((one, True), (one, True), (two, True), (three, False)):
        body = {"partner_id": str(partner.id), "person_name": "Personne", "present": present}
        await caller.created(attendance, body)
    await caller.created(f"/v1/events/{training['id']}/decisions", {"text": "Un second module."})
    today = recurrence.today()
    items = f"/v1/events/{training['id']}/action-items"
    late = await caller.created(
        items, {"title": "Liste", "owner_partner_id": str(one.id), "due_date": f"{year}-01-01"}
    )
    done = await caller.created(
        items, {"title": "Salle", "owner_partner_id": str(two.id), "due_date": f"{year}-01-02"}
    )
    await caller.request("PATCH", f"/v1/action-items/{done['id']}", json={"status": "done"})
    agreement = await caller.created(
        "/v1/agreements",
        {
            "title": "Stages",
            "kind": "internships_apprenticeships",
            "region": "01",
            "party_ids": [str(one.id), str(two.id)],
            "start_date": f"{year - 1}-09-01",
            "status": "signed",
            "signed_date": f"{year - 1}-08-01",
            "commitments": [
                {
                    "description": "Stages",
                    "quantity": 30,
                    "unit": "internships",
                    "sector": "textile",
                }
            ],
        },
    )
    commitment = agreement["commitments"][0]["id"]
    progress = f"/v1/agreements/{agreement['id']}/commitments/{commitment}/progress"
    await caller.request("POST", progress, json={"reported_on": f"{year - 1}-12-31", "achieved": 4})
    await caller.request("POST", progress, json={"reported_on": today.isoformat(), "achieved": 9})

    viewer = make_principal(role=Role.VIEWER)
    response = await caller.request(
        "GET", "/v1/stats/activity", viewer, params={"region": "01", "year": year}
    )
    assert response.status_code == 200, response.text
    figures = response.json()
    kinds = {entry["kind"]: entry for entry in figures["events"]}
    assert list(kinds) == ["meeting", "training", "seminar", "study_visit", "workshop"]
    assert kinds["meeting"] == {"kind": "meeting", "scheduled": 4, "held": 0, "cancelled": 0}
    assert kinds["training"] == {"kind": "training", "scheduled": 0, "held": 1, "cancelled": 0}
    assert kinds["seminar"]["cancelled"] == 1
    assert figures["attendance"] == {"present": 3, "absent": 1, "active_partners": 2}
    assert figures["decisions"] == 1
    overdue = 1 if late["due_date"] < today.isoformat() else 0
    assert figures["action_items"] == {"open": 1, "done": 1, "cancelled": 0, "overdue": overdue}
    assert figures["agreements"] == {
        "agreements": 1,
        "by_kind": {"internships_apprenticeships": 1},
        "commitments": [
            {
                "unit": "internships",
                "sector": "textile",
                "commitments": 1,
                "committed": 30,
                "achieved": 9,
            }
        ],
    }
    last_year = (
        await caller.request(
            "GET", "/v1/stats/activity", viewer, params={"region": "01", "year": year - 1}
        )
    ).json()
    assert last_year["agreements"]["commitments"][0]["achieved"] == 4
    assert {entry["kind"]: entry["scheduled"] for entry in last_year["events"]}["meeting"] == 2
    east_figures = (
        await caller.request(
            "GET", "/v1/stats/activity", viewer, params={"region": "02", "year": year}
        )
    ).json()
    assert east_figures["attendance"]["present"] == 0
    # Without a year: every year up to this one (the series' six meetings, both years'
    # commitments' latest progress), and the partners active in the region today.
    ever = (
        await caller.request("GET", "/v1/stats/activity", viewer, params={"region": "01"})
    ).json()
    assert ever["year"] is None
    assert {entry["kind"]: entry["scheduled"] for entry in ever["events"]}["meeting"] == 6
    assert ever["agreements"]["commitments"][0]["achieved"] == 9
    assert ever["decisions"] == figures["decisions"]
    assert ever["partners"] == figures["partners"] == 3
    assert east_figures["partners"] == 0
    assert (
        await caller.request("GET", "/v1/stats/activity", partner_member(one.id))
    ).status_code == 403
    bad = await caller.request("GET", "/v1/stats/activity", viewer, params={"region": "99"})
    assert bad.status_code == 422
