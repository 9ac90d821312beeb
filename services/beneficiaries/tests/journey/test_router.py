"""Stage moves: checked transitions, If-Match, history with author and time, scope, audit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.principal import Role
from shared.testing import make_principal

from ..audit_helpers import entries
from ..cases import Api, association, person, problem_fields, staff


async def test_a_person_moves_forward_and_every_move_is_kept(
    api: Api, db: AsyncSession, engine: AsyncEngine
) -> None:
    home = await association(db)
    salma = await person(db, home)
    counsellor = staff(home.id)
    path = f"/v1/beneficiaries/{salma.id}"

    journey = await api.ok("GET", path + "/journey", counsellor)
    assert (journey["stage"], journey["history"]) == ("intake", [])
    etag = f'"{journey["version"]}"'
    for stage in ("diagnosis", "plan", "training", "job_search"):
        response = await api.request(
            "POST", path + "/stage", counsellor, json={"stage": stage}, headers={"If-Match": etag}
        )
        assert response.status_code == 200, response.text
        assert response.json()["stage"] == stage
        assert response.headers["ETag"] != etag
        etag = response.headers["ETag"]

    journey = await api.ok("GET", path + "/journey", counsellor)
    moves = [(move["from_stage"], move["to_stage"]) for move in journey["history"]]
    assert moves == [
        ("intake", "diagnosis"),
        ("diagnosis", "plan"),
        ("plan", "training"),
        ("training", "job_search"),
    ]
    assert {move["moved_by"] for move in journey["history"]} == {counsellor.subject}
    times = [move["moved_at"] for move in journey["history"]]
    assert times == sorted(times)
    audit = [entry for entry in await entries(engine) if entry[0] == counsellor.subject]
    assert [action for _, action, _, _ in audit] == ["read"] + ["update"] * 4 + ["read"]
    assert all(people == [str(salma.id)] for _, _, _, people in audit)


async def test_a_move_not_allowed_names_the_current_and_requested_stage(
    api: Api, db: AsyncSession
) -> None:
    home = await association(db)
    salma = await person(db, home)
    response = await api.request(
        "POST", f"/v1/beneficiaries/{salma.id}/stage", json={"stage": "training"}
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["current_stage"] == "intake"
    assert problem["requested_stage"] == "training"
    assert "intake" in problem["detail"]
    assert "training" in problem["detail"]


async def test_exited_is_final(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    gone = await person(db, home, journey_stage="exited")
    response = await api.request(
        "POST", f"/v1/beneficiaries/{gone.id}/stage", json={"stage": "intake"}
    )
    assert response.status_code == 409
    assert response.json()["current_stage"] == "exited"


async def test_exiting_needs_an_outcome_or_a_reason(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    first, second = await person(db, home), await person(db, home, first_name="Youssef")
    stage = f"/v1/beneficiaries/{first.id}/stage"

    response = await api.request("POST", stage, json={"stage": "exited"})
    assert problem_fields(response) == ["body.exit_reason"]
    left = await api.ok("POST", stage, json={"stage": "exited", "exit_reason": "moved_away"})
    assert left["stage"] == "exited"
    assert left["history"][-1]["exit_reason"] == "moved_away"

    outcome = {"type": "employment", "outcome_date": "2026-10-01", "sector": "tourism"}
    await api.ok("POST", f"/v1/beneficiaries/{second.id}/outcomes", json=outcome)
    left = await api.ok("POST", f"/v1/beneficiaries/{second.id}/stage", json={"stage": "exited"})
    assert left["history"][-1]["exit_reason"] is None


async def test_a_reason_is_only_for_exiting(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    response = await api.request(
        "POST",
        f"/v1/beneficiaries/{salma.id}/stage",
        json={"stage": "diagnosis", "exit_reason": "health"},
    )
    assert problem_fields(response) == ["body.exit_reason"]


async def test_a_stale_if_match_is_412_and_moves_nothing(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}"
    await api.ok("POST", path + "/stage", json={"stage": "diagnosis"})
    response = await api.request(
        "POST", path + "/stage", json={"stage": "plan"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert (await api.ok("GET", path + "/journey"))["stage"] == "diagnosis"


async def test_moving_to_the_current_stage_changes_nothing(api: Api, db: AsyncSession) -> None:
    home = await association(db)
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}"
    journey = await api.ok("POST", path + "/stage", json={"stage": "intake"})
    assert (journey["history"], journey["version"]) == ([], 1)


async def test_outside_the_association_the_journey_is_404(api: Api, db: AsyncSession) -> None:
    home, elsewhere = await association(db), await association(db, name="Autre")
    salma = await person(db, home)
    path = f"/v1/beneficiaries/{salma.id}"
    outsiders = [
        staff(elsewhere.id),
        staff(elsewhere.id, Role.ASSOCIATION_MANAGER),
        make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",)),
        make_principal(role=Role.VIEWER),
    ]
    for outsider in outsiders:
        assert (await api.request("GET", path + "/journey", outsider)).status_code == 404
        response = await api.request("POST", path + "/stage", outsider, json={"stage": "diagnosis"})
        assert response.status_code == 404
    assert (await api.ok("GET", path + "/journey"))["stage"] == "intake"
    partner = make_principal(role=Role.PARTNER_MEMBER)
    assert (await api.request("GET", path + "/journey", partner)).status_code == 403
