"""Outcomes and follow-ups: employment details, follow-ups at months 3, 6 and 12, recording
them, a counsellor's due list, scope and audit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.principal import Role

from ..audit_helpers import entries
from ..cases import Api, association, person, problem_fields, staff

JOB = {
    "type": "employment",
    "outcome_date": "2026-01-31",
    "evidence_note": "Contrat vu le 2 février",
    "employer": "Hôtel Riad Tétouan",
    "contract_type": "fixed_term",
    "sector": "tourism",
    "isco_group": "5",
}


async def test_an_outcome_schedules_three_follow_ups(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    counsellor = staff(home.id)
    path = f"/v1/beneficiaries/{salma.id}"

    response = await api.request(
        "POST", path + "/outcomes", counsellor, json=JOB, headers={"Idempotency-Key": "o-1"}
    )
    assert response.status_code == 201, response.text
    outcome = response.json()
    assert response.headers["ETag"] == '"1"'
    assert (outcome["type"], outcome["employer"], outcome["recorded_by"]) == (
        "employment",
        "Hôtel Riad Tétouan",
        counsellor.subject,
    )
    replay = await api.request(
        "POST", path + "/outcomes", counsellor, json=JOB, headers={"Idempotency-Key": "o-1"}
    )
    assert replay.json()["id"] == outcome["id"]

    follow_ups = (await api.ok("GET", path + "/follow-ups", counsellor))["items"]
    # The end of the month when the day does not exist (31 January + 1 month…).
    assert [(f["month"], f["due_date"], f["status"]) for f in follow_ups] == [
        (3, "2026-04-30", "scheduled"),
        (6, "2026-07-31", "scheduled"),
        (12, "2027-01-31", "scheduled"),
    ]
    assert {f["outcome_id"] for f in follow_ups} == {outcome["id"]}
    listed = (await api.ok("GET", path + "/outcomes", counsellor))["items"]
    assert [item["id"] for item in listed] == [outcome["id"]]
    one = await api.ok("GET", f"{path}/outcomes/{outcome['id']}", counsellor)
    assert one == outcome


async def test_no_outcome_schedules_nothing(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}"
    await api.ok("POST", path + "/outcomes", json={"type": "none", "outcome_date": "2026-03-01"})
    assert (await api.ok("GET", path + "/follow-ups"))["items"] == []


async def test_employment_details_belong_to_a_job(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}/outcomes"
    response = await api.request("POST", path, json=JOB | {"type": "cooperative"})
    assert problem_fields(response) == ["body.employer", "body.contract_type"]
    response = await api.request(
        "POST", path, json={"type": "none", "outcome_date": "2026-01-01", "sector": "crafts"}
    )
    assert problem_fields(response) == ["body.sector"]
    response = await api.request("POST", path, json=JOB | {"type": "promotion"})
    assert problem_fields(response) == ["body.type"]
    response = await api.request("POST", path, json=JOB | {"isco_group": "12"})
    assert problem_fields(response) == ["body.isco_group"]
    assert (await api.ok("GET", path))["items"] == []


async def test_a_follow_up_is_done_with_whether_it_holds_or_missed(
    api: Api, db: AsyncSession
) -> None:
    home = await association(db)
    salma = await person(db, home)
    counsellor = staff(home.id)
    path = f"/v1/beneficiaries/{salma.id}"
    await api.ok("POST", path + "/outcomes", counsellor, json=JOB)
    first = (await api.ok("GET", path + "/follow-ups", counsellor))["items"][0]
    one = f"{path}/follow-ups/{first['id']}"

    response = await api.request("PATCH", one, counsellor, json={"status": "done"})
    assert problem_fields(response) == ["body.outcome_holds"]
    response = await api.request(
        "PATCH",
        one,
        counsellor,
        json={"status": "done", "outcome_holds": True},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    done = response.json()
    assert (done["status"], done["outcome_holds"], done["recorded_by"]) == (
        "done",
        True,
        counsellor.subject,
    )
    assert done["recorded_at"] is not None
    stale = await api.request(
        "PATCH", one, counsellor, json={"status": "missed"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    missed = await api.ok("PATCH", one, counsellor, json={"status": "missed"})
    assert (missed["status"], missed["outcome_holds"]) == ("missed", None)
    response = await api.request(
        "PATCH", one, counsellor, json={"status": "missed", "outcome_holds": False}
    )
    assert problem_fields(response) == ["body.outcome_holds"]
    assert (await api.ok("GET", one, counsellor))["status"] == "missed"


async def test_a_counsellor_sees_the_follow_ups_due_in_their_association(
    api: Api, db: AsyncSession, engine: AsyncEngine
) -> None:
    home, elsewhere = await association(db), await association(db, name="Autre")
    counsellor = staff(home.id)
    colleague = staff(home.id)
    mine = await person(db, home, counsellor_id=counsellor.subject)
    theirs = await person(db, home, first_name="Youssef", counsellor_id=colleague.subject)
    stranger = await person(db, elsewhere, first_name="Karim")
    for someone, day in ((mine, "2026-02-01"), (theirs, "2026-01-01"), (stranger, "2026-01-01")):
        await api.ok(
            "POST", f"/v1/beneficiaries/{someone.id}/outcomes", json=JOB | {"outcome_date": day}
        )

    due = await api.ok(
        "GET", "/v1/beneficiaries/follow-ups", counsellor, params={"due_by": "2026-06-30"}
    )
    assert [(item["first_name"], item["month"], item["due_date"]) for item in due["items"]] == [
        ("Youssef", 3, "2026-04-01"),
        ("Salma", 3, "2026-05-01"),
    ]
    assert {item["outcome_type"] for item in due["items"]} == {"employment"}
    just_mine = await api.ok(
        "GET", "/v1/beneficiaries/follow-ups", counsellor, params={"mine": "true"}
    )
    assert [(i["first_name"], i["month"]) for i in just_mine["items"]] == [
        ("Salma", 3),
        ("Salma", 6),
        ("Salma", 12),
    ]
    paged = await api.ok("GET", "/v1/beneficiaries/follow-ups", counsellor, params={"limit": 4})
    rest = await api.ok(
        "GET",
        "/v1/beneficiaries/follow-ups",
        counsellor,
        params={"limit": 4, "cursor": paged["next_cursor"]},
    )
    assert len(paged["items"]) + len(rest["items"]) == 6
    assert rest["next_cursor"] is None
    listed = [e for e in await entries(engine) if e[0] == counsellor.subject and e[1] == "list"]
    assert sorted(listed[0][3]) == sorted({str(mine.id), str(theirs.id)})
    coordinator = staff(home.id, Role.REGIONAL_COORDINATOR)
    nobody = await api.ok("GET", "/v1/beneficiaries/follow-ups", coordinator)
    assert nobody["items"] == []


async def test_outside_the_association_outcomes_and_follow_ups_are_404(
    api: Api, db: AsyncSession
) -> None:
    home, elsewhere = await association(db), await association(db, name="Autre")
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}"
    outcome = await api.ok("POST", path + "/outcomes", json=JOB)
    follow_up = (await api.ok("GET", path + "/follow-ups"))["items"][0]
    outsider = staff(elsewhere.id)
    for method, url, body in (
        ("GET", path + "/outcomes", None),
        ("POST", path + "/outcomes", JOB),
        ("GET", f"{path}/outcomes/{outcome['id']}", None),
        ("GET", path + "/follow-ups", None),
        ("GET", f"{path}/follow-ups/{follow_up['id']}", None),
        ("PATCH", f"{path}/follow-ups/{follow_up['id']}", {"status": "missed"}),
    ):
        response = await api.request(method, url, outsider, json=body)
        assert response.status_code == 404, (method, url, response.text)
    # An outcome of one person is not reachable through another's path.
    other = await person(db, home, first_name="Youssef")
    response = await api.request("GET", f"/v1/beneficiaries/{other.id}/outcomes/{outcome['id']}")
    assert response.status_code == 404
    assert (await api.ok("GET", f"{path}/follow-ups/{follow_up['id']}"))["status"] == "scheduled"
