"""The beneficiaries service behind the real gateway: accounts are bound only to associations
it vouches for in the maker's regions, and people are reached only through their association."""

from __future__ import annotations

import uuid

import httpx2

from kafaat.testing import Platform

from .test_end_to_end import sign_in

PASSWORD = "a-long-enough-password"


async def test_accounts_bind_to_associations_in_the_makers_regions_and_see_their_people(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    base = platform.base_url + "/api/v1"
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    coordinator = await sign_in(http, platform, "coordinator.tanger@demo.kafaat.ma")
    ids = {}
    for region in ("01", "02"):
        response = await http.post(
            base + "/associations",
            headers=admin,
            json={"name": f"Association {uuid.uuid4().hex[:6]}", "region": region},
        )
        assert response.status_code == 201, response.text
        ids[region] = response.json()["id"]

    def counsellor(association_id: str) -> dict[str, object]:
        return {
            "email": f"counsellor-{uuid.uuid4().hex[:6]}@example.org",
            "full_name": "Nadia Test",
            "role": "counsellor",
            "regions": ["01"],
            "association_id": association_id,
            "password": PASSWORD,
        }

    outside = await http.post(base + "/users", headers=coordinator, json=counsellor(ids["02"]))
    missing = await http.post(
        base + "/users", headers=coordinator, json=counsellor(str(uuid.uuid4()))
    )
    assert outside.status_code == missing.status_code == 404, outside.text
    assert outside.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in outside.json()["errors"]] == ["body.association_id"]
    body = counsellor(ids["01"])
    inside = await http.post(base + "/users", headers=coordinator, json=body)
    assert inside.status_code == 201, inside.text

    login = await http.post(
        base + "/auth/login", json={"email": body["email"], "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    nadia = {"Authorization": "Bearer " + login.json()["access_token"]}
    person = await http.post(
        base + "/beneficiaries",
        headers=nadia,
        json={
            "first_name": "Khadija",
            "last_name": "Test",
            "sex": "female",
            "birth_date": "1998-04-12",
            "region": "01",
        },
    )
    assert person.status_code == 201, person.text
    url = base + f"/beneficiaries/{person.json()['id']}"
    assert (await http.get(url, headers=nadia)).status_code == 200
    # The coordinator gets figures elsewhere, never the person.
    assert (await http.get(url, headers=coordinator)).status_code == 404
    assert (await http.get(base + "/beneficiaries", headers=coordinator)).status_code == 404
    # The demo counsellor works for another association.
    other = await sign_in(http, platform, "counsellor@demo.kafaat.ma")
    assert (await http.get(url, headers=other)).status_code == 404
