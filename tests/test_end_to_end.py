"""A user's journey through the real gateway and the real offers service, on each backend."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2

from gateway.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD
from kafaat.testing import Platform


async def sign_in(http: httpx2.AsyncClient, platform: Platform, email: str) -> dict[str, str]:
    response = await http.post(
        platform.base_url + "/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["access_token"]}


async def client_token(
    http: httpx2.AsyncClient, platform: Platform, client_id: str, secret: str
) -> dict[str, str]:
    response = await http.post(
        platform.base_url + "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["access_token"]}


def offer_body(provider_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "provider_id": provider_id,
        "title_fr": "Électricité du bâtiment",
        "title_ar": "كهرباء البناء",
        "description": "Installer et entretenir les réseaux électriques des bâtiments.",
        "sector": "construction",
        "mode": "in_person",
        "duration_hours": 600,
        "cost_mad": 0,
    }
    return {**body, **overrides}


async def create_provider(
    http: httpx2.AsyncClient, platform: Platform, admin: dict[str, str], region: str
) -> str:
    response = await http.post(
        platform.base_url + "/api/v1/providers",
        headers=admin,
        json={"name": f"Centre {uuid.uuid4().hex[:6]}", "kind": "private_school", "region": region},
    )
    assert response.status_code == 201, response.text
    provider_id: str = response.json()["id"]
    published = await http.post(
        platform.base_url + f"/api/v1/providers/{provider_id}/publish", headers=admin
    )
    assert published.status_code == 200, published.text
    return provider_id


async def test_publishing_an_offer_makes_it_visible_to_everyone(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    provider_id = await create_provider(http, platform, admin, "01")
    created = await http.post(
        platform.base_url + "/api/v1/offers", headers=admin, json=offer_body(provider_id)
    )
    assert created.status_code == 201, created.text
    offer = created.json()
    assert offer["status"] == "draft"

    # A draft is invisible to anonymous callers: 404, like a missing offer.
    url = platform.base_url + f"/api/v1/offers/{offer['id']}"
    assert (await http.get(url)).status_code == 404

    published = await http.post(url + "/publish", headers=admin)
    assert published.status_code == 200, published.text
    anonymous = await http.get(url)
    assert anonymous.status_code == 200
    assert anonymous.json()["title_fr"] == "Électricité du bâtiment"
    # Accent-insensitive search through the gateway.
    found = await http.get(platform.base_url + "/api/v1/offers", params={"q": "electricite"})
    assert offer["id"] in [item["id"] for item in found.json()["items"]]


async def test_bad_input_is_a_problem_naming_the_field(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    provider_id = await create_provider(http, platform, admin, "01")
    unknown_field = await http.post(
        platform.base_url + "/api/v1/offers",
        headers=admin,
        json=offer_body(provider_id, colour="blue"),
    )
    assert unknown_field.status_code == 422
    assert unknown_field.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in unknown_field.json()["errors"]] == ["body.colour"]
    wrong_type = await http.post(
        platform.base_url + "/api/v1/offers",
        headers=admin,
        json=offer_body(provider_id, duration_hours="long"),
    )
    assert wrong_type.status_code == 422
    assert [e["field"] for e in wrong_type.json()["errors"]] == ["body.duration_hours"]


async def test_stale_if_match_is_412(platform: Platform, http: httpx2.AsyncClient) -> None:
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    provider_id = await create_provider(http, platform, admin, "01")
    created = await http.post(
        platform.base_url + "/api/v1/offers", headers=admin, json=offer_body(provider_id)
    )
    url = platform.base_url + f"/api/v1/offers/{created.json()['id']}"
    etag = created.headers["etag"]
    first = await http.patch(url, headers={**admin, "If-Match": etag}, json={"duration_hours": 650})
    assert first.status_code == 200, first.text
    stale = await http.patch(url, headers={**admin, "If-Match": etag}, json={"duration_hours": 700})
    assert stale.status_code == 412
    assert (await http.get(url, headers=admin)).json()["duration_hours"] == 650


async def test_client_systems_are_held_to_their_scopes_and_regions(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    tanger = await create_provider(http, platform, admin, "01")
    oriental = await create_provider(http, platform, admin, "02")

    # A read-only client of region 01 cannot write.
    created = await http.post(
        platform.base_url + "/api/v1/api-clients",
        headers=admin,
        json={"name": "Lecture seule Tanger", "scopes": ["offers:read"], "regions": ["01"]},
    )
    assert created.status_code == 201, created.text
    reader = await client_token(
        http, platform, created.json()["client_id"], created.json()["client_secret"]
    )
    refused = await http.post(
        platform.base_url + "/api/v1/offers", headers=reader, json=offer_body(tanger)
    )
    assert refused.status_code == 403

    # The demo client of region 01 writes in region 01, and region 02 does not exist for it.
    writer = await client_token(http, platform, str(DEMO_CLIENT_ID), DEMO_CLIENT_SECRET)
    in_region = await http.post(
        platform.base_url + "/api/v1/offers", headers=writer, json=offer_body(tanger)
    )
    assert in_region.status_code == 201, in_region.text
    out_of_region = await http.post(
        platform.base_url + "/api/v1/offers", headers=writer, json=offer_body(oriental)
    )
    # A provider outside its regions is answered exactly like one that does not exist.
    missing = await http.post(
        platform.base_url + "/api/v1/offers", headers=writer, json=offer_body(str(uuid.uuid4()))
    )
    assert out_of_region.status_code == missing.status_code == 422
    assert out_of_region.headers["content-type"] == "application/problem+json"
    assert out_of_region.json()["errors"] == missing.json()["errors"]
    assert out_of_region.json()["errors"][0]["field"] == "body.provider_id"
    # A draft of region 02 does not exist for it; the admin sees it.
    draft = await http.post(
        platform.base_url + "/api/v1/offers", headers=admin, json=offer_body(oriental)
    )
    draft_url = platform.base_url + f"/api/v1/offers/{draft.json()['id']}"
    assert (await http.get(draft_url, headers=writer)).status_code == 404
    assert (await http.get(draft_url, headers=admin)).status_code == 200


async def test_forged_identity_headers_change_nothing(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    provider_id = await create_provider(http, platform, admin, "01")
    forged = await http.post(
        platform.base_url + "/api/v1/offers",
        headers={"X-User-Role": "admin", "X-Principal": '{"role": "admin"}'},
        json=offer_body(provider_id),
    )
    assert forged.status_code == 401
