"""People: intake, scope (404 outside, figures-only roles 404 everywhere), search, duplicates
by CIN, rectification with versions, idempotent intake."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from shared.principal import Role
from shared.testing import make_principal

from ..factories import PERSON
from ..helpers import Api, assert_not_found, problem_fields, staff

COORDINATOR_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
VIEWER = make_principal(role=Role.VIEWER)


async def two_associations(api: Api) -> tuple[str, str]:
    own = await api.association()
    other = await api.association(name="Association Tilila")
    return own["id"], other["id"]


async def test_a_counsellor_takes_a_person_in_and_reads_the_record_decrypted(api: Api) -> None:
    association_id, _ = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    created = await api.person(association_id, counsellor)
    assert created["association_id"] == association_id
    assert created["journey_stage"] == "intake"
    assert created["version"] == 1
    # Admin-only flag: nothing for the association.
    assert created["possible_duplicate"] is None
    read = await api.request("GET", f"/v1/beneficiaries/{created['id']}", counsellor)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    body = read.json()
    assert body["cin"] == PERSON["cin"]
    assert body["phone"] == PERSON["phone"]
    assert body["vulnerabilities"] == PERSON["vulnerabilities"]
    assert body["consents"] == []
    manager = staff(Role.ASSOCIATION_MANAGER, association_id)
    assert (
        await api.request("GET", f"/v1/beneficiaries/{created['id']}", manager)
    ).status_code == 200


async def test_another_associations_people_do_not_exist_for_staff(api: Api) -> None:
    own, other = await two_associations(api)
    theirs = await api.person(other)
    counsellor = staff(Role.COUNSELLOR, own)
    url = f"/v1/beneficiaries/{theirs['id']}"
    for method, body in (("GET", None), ("PATCH", {"commune": "Tétouan"})):
        outside = await api.request(method, url, counsellor, json=body)
        missing = await api.request(method, f"/v1/beneficiaries/{uuid4()}", counsellor, json=body)
        assert_not_found(outside)
        assert outside.json() | {"detail": ""} == missing.json() | {"detail": ""}
    for sub in ("/consents", "/access-log"):
        assert_not_found(await api.request("GET", url + sub, staff(Role.ASSOCIATION_MANAGER, own)))
    consent = await api.request(
        "POST",
        url + "/consents",
        counsellor,
        json={
            "purpose": "support",
            "status": "given",
            "decision_date": "2026-11-01",
            "method": "oral",
        },
    )
    assert_not_found(consent)
    listed = (await api.request("GET", "/v1/beneficiaries", counsellor)).json()
    assert listed["items"] == []
    # Naming another association on intake is refused like a missing one.
    refused = await api.request(
        "POST", "/v1/beneficiaries", counsellor, json=PERSON | {"association_id": other}
    )
    assert problem_fields(refused) == ["body.association_id"]


@pytest.mark.parametrize("principal", [COORDINATOR_01, VIEWER], ids=["coordinator", "viewer"])
async def test_figures_only_roles_get_404_on_every_person_route(api: Api, principal: Any) -> None:
    association_id, _ = await two_associations(api)
    person = await api.person(association_id)
    url = f"/v1/beneficiaries/{person['id']}"
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/v1/beneficiaries", None),
        ("GET", url, None),
        ("PATCH", url, {"commune": "Tétouan"}),
        ("GET", url + "/consents", None),
        ("GET", url + "/access-log", None),
        ("POST", "/v1/beneficiaries", PERSON | {"association_id": association_id}),
    ]
    for method, path, body in calls:
        response = await api.request(method, path, principal, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert "Khadija" not in response.text
    assert (await api.request("GET", "/v1/beneficiaries", principal)).status_code == 404
    assert (await api.request("GET", url, principal)).status_code == 404


async def test_roles_with_no_business_here_are_refused(api: Api) -> None:
    association_id, _ = await two_associations(api)
    person = await api.person(association_id)
    provider = make_principal(role=Role.PROVIDER_STAFF, regions=("01",), provider_id=uuid4())
    partner = make_principal(role=Role.PARTNER_MEMBER, regions=("01",), partner_id=uuid4())
    client = make_principal(kind="client", scopes=("offers:write",), regions=("01",))
    for principal in (provider, partner, client):
        response = await api.request("GET", f"/v1/beneficiaries/{person['id']}", principal)
        assert response.status_code == 403


async def test_search_needs_three_characters_and_finds_folded_names(api: Api) -> None:
    association_id, other = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    khadija = await api.person(association_id, counsellor)
    await api.person(association_id, counsellor, first_name="Youssef", last_name="Amrani", cin=None)
    # The same name elsewhere is not found.
    await api.person(other, first_name="Khadija", cin=None)
    for short in ("kh", " k ", "!!"):
        response = await api.request("GET", "/v1/beneficiaries", counsellor, params={"q": short})
        assert problem_fields(response) == ["query.q"]
    found = await api.request("GET", "/v1/beneficiaries", counsellor, params={"q": "KHÂD ouaz"})
    assert [p["id"] for p in found.json()["items"]] == [khadija["id"]]
    # A list shows no identifier.
    assert "cin" not in found.json()["items"][0]
    assert "phone" not in found.json()["items"][0]


async def test_filters_combine(api: Api) -> None:
    association_id, _ = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    nadia = await api.person(
        association_id,
        counsellor,
        cin=None,
        counsellor_id="user-nadia",
        vulnerabilities=[{"criterion": "person_with_disability", "since": "2020-01-01"}],
    )
    await api.person(association_id, counsellor, cin=None, province="01.511")

    async def ids(**params: str) -> list[str]:
        response = await api.request("GET", "/v1/beneficiaries", counsellor, params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids(criterion="person_with_disability") == [nadia["id"]]
    assert await ids(counsellor_id="user-nadia") == [nadia["id"]]
    assert await ids(province="01.571", journey_stage="intake") == [nadia["id"]]
    assert await ids(journey_stage="exited") == []
    assert len(await ids(updated_since="2020-01-01T00:00:00Z")) == 2
    assert await ids(updated_since="2100-01-01T00:00:00Z") == []
    first = await api.request("GET", "/v1/beneficiaries", counsellor, params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await api.request(
        "GET", "/v1/beneficiaries", counsellor, params={"limit": 1, "cursor": cursor}
    )
    assert second.json()["next_cursor"] is None
    assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]


async def test_invalid_fields_are_named(api: Api) -> None:
    association_id, _ = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"sex": "other"}, "body.sex"),
        # PostgreSQL cannot store a NUL byte: refused by name, never a 500.
        ({"first_name": "Kha\x00dija"}, "body.first_name"),
        ({"commune": "Mar\ntil"}, "body.commune"),
        ({"birth_date": "2999-01-01"}, "body.birth_date"),
        ({"cin": "12-AB"}, "body.cin"),
        ({"phone": "call me"}, "body.phone"),
        ({"province": "02.411"}, "body.province"),
        ({"region": "13"}, "body.region"),
        ({"education_level": "phd"}, "body.education_level"),
        (
            {"vulnerabilities": [{"criterion": "neet_youth", "since": "2999-01-01"}]},
            "body.vulnerabilities.0.since",
        ),
        (
            {
                "vulnerabilities": [
                    {"criterion": "neet_youth", "since": "2020-01-01"},
                    {"criterion": "neet_youth", "since": "2021-01-01"},
                ]
            },
            "body.vulnerabilities",
        ),
        (
            {"vulnerabilities": [{"criterion": "tall", "since": "2020-01-01"}]},
            "body.vulnerabilities.0.criterion",
        ),
    ]
    for change, field in cases:
        response = await api.request("POST", "/v1/beneficiaries", counsellor, json=PERSON | change)
        assert field in problem_fields(response), (change, response.text)
    # Admins name the association.
    assert problem_fields(await api.request("POST", "/v1/beneficiaries", json=PERSON)) == [
        "body.association_id"
    ]
    missing = await api.request(
        "POST", "/v1/beneficiaries", json=PERSON | {"association_id": str(uuid4())}
    )
    assert problem_fields(missing) == ["body.association_id"]


async def test_the_same_cin_in_the_association_is_a_409_naming_the_record(api: Api) -> None:
    association_id, other = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    first = await api.person(association_id, counsellor)
    # Written another way, it is the same card.
    again = await api.request(
        "POST", "/v1/beneficiaries", counsellor, json=PERSON | {"cin": "lc 347281"}
    )
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"
    assert first["id"] in again.json()["detail"]
    assert again.json()["existing_id"] == first["id"]
    assert [e["field"] for e in again.json()["errors"]] == ["body.cin"]
    # Rectifying another person to that CIN is refused the same way.
    second = await api.person(association_id, counsellor, cin="AB123456")
    changed = await api.request(
        "PATCH", f"/v1/beneficiaries/{second['id']}", counsellor, json={"cin": "LC347281"}
    )
    assert changed.status_code == 409


async def test_the_same_cin_elsewhere_is_created_and_flagged_for_admins_only(api: Api) -> None:
    association_id, other = await two_associations(api)
    theirs = await api.person(other)
    counsellor = staff(Role.COUNSELLOR, association_id)
    ours = await api.person(association_id, counsellor)
    # The caller learns nothing about the other association.
    assert theirs["id"] not in str(ours)
    assert ours["possible_duplicate"] is None
    read = await api.request("GET", f"/v1/beneficiaries/{ours['id']}", counsellor)
    assert read.json()["possible_duplicate"] is None
    as_admin = await api.request("GET", f"/v1/beneficiaries/{ours['id']}")
    assert as_admin.json()["possible_duplicate"] is True
    flagged = await api.request("GET", "/v1/beneficiaries/possible-duplicates")
    assert flagged.status_code == 200
    assert [(d["id"], d["matches"]) for d in flagged.json()["items"]] == [
        (ours["id"], [theirs["id"]])
    ]
    refused = await api.request("GET", "/v1/beneficiaries/possible-duplicates", counsellor)
    assert refused.status_code == 403


async def test_rectification_needs_the_current_version(api: Api) -> None:
    association_id, _ = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    person = await api.person(association_id, counsellor)
    url = f"/v1/beneficiaries/{person['id']}"
    changed = await api.request(
        "PATCH",
        url,
        counsellor,
        json={"last_name": "Ouazzani Chahdi", "phone": "+212 600 00 00 01"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert changed.json()["phone"] == "+212 600 00 00 01"
    assert changed.headers["etag"] == '"2"'
    stale = await api.request(
        "PATCH", url, counsellor, json={"commune": "Fnideq"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    # The same values again change nothing, the version included.
    same = await api.request("PATCH", url, counsellor, json={"cin": PERSON["cin"]})
    assert same.json()["version"] == 2
    found = await api.request("GET", "/v1/beneficiaries", counsellor, params={"q": "chahdi"})
    assert [p["id"] for p in found.json()["items"]] == [person["id"]]
    cleared = await api.request("PATCH", url, counsellor, json={"first_name": None})
    assert problem_fields(cleared) == ["body.first_name"]
    stage = await api.request("PATCH", url, counsellor, json={"journey_stage": "exited"})
    assert problem_fields(stage) == ["body.journey_stage"]


async def test_intake_is_idempotent_and_keeps_no_personal_data_with_the_key(api: Api) -> None:
    association_id, _ = await two_associations(api)
    counsellor = staff(Role.COUNSELLOR, association_id)
    key = {"Idempotency-Key": "intake-1"}
    first = await api.request("POST", "/v1/beneficiaries", counsellor, json=PERSON, headers=key)
    again = await api.request("POST", "/v1/beneficiaries", counsellor, json=PERSON, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    other = await api.request(
        "POST", "/v1/beneficiaries", counsellor, json=PERSON | {"commune": "Tétouan"}, headers=key
    )
    assert other.status_code == 422
    listed = (await api.request("GET", "/v1/beneficiaries", counsellor)).json()
    assert len(listed["items"]) == 1
