"""Support plans: each change a new revision, earlier ones readable, If-Match on the revision."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..cases import Api, association, person, problem_fields, staff

PLAN = {
    "objectives": ["Trouver un emploi dans l'hôtellerie"],
    "steps": [{"description": "Atelier CV", "due_date": "2026-10-01"}],
}


async def test_each_change_is_a_new_revision_and_earlier_ones_stay(
    api: Api, db: AsyncSession
) -> None:
    home = await association(db)
    salma = await person(db, home)
    counsellor = staff(home.id)
    path = f"/v1/beneficiaries/{salma.id}/plan"

    assert (await api.request("GET", path, counsellor)).status_code == 404
    first = await api.request("PUT", path, counsellor, json=PLAN)
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    assert first.json()["steps"] == [
        {"description": "Atelier CV", "due_date": "2026-10-01", "done": False}
    ]
    second_plan = PLAN | {
        "steps": [{"description": "Atelier CV", "due_date": "2026-10-01", "done": True}]
    }
    second = await api.request(
        "PUT", path, counsellor, json=second_plan, headers={"If-Match": '"1"'}
    )
    assert second.status_code == 200, second.text
    assert second.json()["revision"] == 2
    stale = await api.request("PUT", path, counsellor, json=PLAN, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    unchanged = await api.ok("PUT", path, counsellor, json=second_plan)
    assert unchanged["revision"] == 2

    current = await api.ok("GET", path, counsellor)
    assert (current["revision"], current["steps"][0]["done"]) == (2, True)
    revisions = await api.ok("GET", path + "/revisions", counsellor)
    assert [item["revision"] for item in revisions["items"]] == [2, 1]
    old = await api.ok("GET", path + "/revisions/1", counsellor)
    assert old["steps"][0]["done"] is False
    assert old["author"] == counsellor.subject
    assert (await api.request("GET", path + "/revisions/3", counsellor)).status_code == 404
    assert problem_fields(await api.request("GET", path + "/revisions/0", counsellor)) == [
        "path.revision"
    ]
    page = await api.ok("GET", path + "/revisions", counsellor, params={"limit": 1})
    rest = await api.ok(
        "GET", path + "/revisions", counsellor, params={"limit": 1, "cursor": page["next_cursor"]}
    )
    assert [page["items"][0]["revision"], rest["items"][0]["revision"]] == [2, 1]


async def test_a_plan_needs_an_objective(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/plan"
    response = await api.request("PUT", path, json={"objectives": [], "steps": []})
    assert problem_fields(response) == ["body.objectives"]
    response = await api.request("PUT", path, json=PLAN | {"steps": [{"done": True}]})
    assert problem_fields(response) == ["body.steps.0.description"]


async def test_outside_the_association_the_plan_is_404(api: Api, db: AsyncSession) -> None:
    home, elsewhere = await association(db), await association(db, name="Autre")
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/plan"
    await api.ok("PUT", path, json=PLAN)
    outsider = staff(elsewhere.id)
    for method, url in (
        ("GET", path),
        ("GET", path + "/revisions"),
        ("GET", path + "/revisions/1"),
    ):
        assert (await api.request(method, url, outsider)).status_code == 404
    changed = PLAN | {"objectives": ["Autre chose"]}
    assert (await api.request("PUT", path, outsider, json=changed)).status_code == 404
    assert (await api.ok("GET", path))["revision"] == 1
