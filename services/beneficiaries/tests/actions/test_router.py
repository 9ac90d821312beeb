"""Support actions: created once per Idempotency-Key, listed newest first, changed with If-Match."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..cases import Api, association, person, problem_fields, staff

WORKSHOP = {
    "kind": "workshop",
    "action_date": "2026-10-02",
    "duration_minutes": 120,
    "notes": "Atelier CV",
}


async def test_actions_are_recorded_listed_and_changed(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    counsellor = staff(home.id)
    path = f"/v1/beneficiaries/{salma.id}/actions"

    created = await api.request(
        "POST", path, counsellor, json=WORKSHOP, headers={"Idempotency-Key": "a-1"}
    )
    assert created.status_code == 201, created.text
    workshop = created.json()
    assert (workshop["attended"], workshop["author"]) == (True, counsellor.subject)
    replay = await api.request(
        "POST", path, counsellor, json=WORKSHOP, headers={"Idempotency-Key": "a-1"}
    )
    assert replay.json()["id"] == workshop["id"]
    reused = await api.request(
        "POST",
        path,
        counsellor,
        json=WORKSHOP | {"duration_minutes": 60},
        headers={"Idempotency-Key": "a-1"},
    )
    assert reused.status_code == 422
    coaching = await api.ok(
        "POST",
        path,
        counsellor,
        json={"kind": "coaching", "action_date": "2026-10-09", "duration_minutes": 45},
    )

    listed = await api.ok("GET", path, counsellor)
    assert [item["id"] for item in listed["items"]] == [coaching["id"], workshop["id"]]
    only = await api.ok("GET", path, counsellor, params={"kind": "workshop"})
    assert [item["id"] for item in only["items"]] == [workshop["id"]]

    one = f"{path}/{workshop['id']}"
    changed = await api.request(
        "PATCH",
        one,
        counsellor,
        json={"attended": False, "notes": None},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["attended"], changed.json()["notes"], changed.json()["version"]) == (
        False,
        None,
        2,
    )
    stale = await api.request(
        "PATCH", one, counsellor, json={"attended": True}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    delta = await api.ok(
        "GET", path, counsellor, params={"updated_since": changed.json()["updated_at"]}
    )
    assert [item["id"] for item in delta["items"]] == [workshop["id"]]
    assert (await api.ok("GET", one, counsellor))["attended"] is False


async def test_an_action_names_its_bad_fields(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/actions"
    bad = WORKSHOP | {"kind": "party", "duration_minutes": 0}
    assert problem_fields(await api.request("POST", path, json=bad)) == [
        "body.kind",
        "body.duration_minutes",
    ]
    action = await api.ok("POST", path, json=WORKSHOP)
    response = await api.request("PATCH", f"{path}/{action['id']}", json={"kind": None})
    assert problem_fields(response) == ["body.kind"]


async def test_outside_the_association_actions_are_404(api: Api, db: AsyncSession) -> None:
    home, elsewhere = await association(db), await association(db, name="Autre")
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/actions"
    action = await api.ok("POST", path, json=WORKSHOP)
    outsider = staff(elsewhere.id)
    for method, url, body in (
        ("GET", path, None),
        ("POST", path, WORKSHOP),
        ("GET", f"{path}/{action['id']}", None),
        ("PATCH", f"{path}/{action['id']}", {"attended": False}),
    ):
        assert (await api.request(method, url, outsider, json=body)).status_code == 404
    assert (await api.ok("GET", f"{path}/{action['id']}"))["attended"] is True
