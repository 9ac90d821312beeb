"""Offers: validation against the reference vocabularies, scope, publication, versions."""

from __future__ import annotations

from typing import Any

from shared.principal import ANONYMOUS, Role
from shared.testing import make_principal

from ..helpers import Api, problem_fields


def offer_body(provider_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "title_fr": "Cuisine marocaine",
        "description": "Préparer les plats de la cuisine marocaine traditionnelle.",
        "sector": "hospitality_catering",
        "mode": "in_person",
        "duration_hours": 120,
        "cost_mad": 0,
        **fields,
    }


async def test_created_offer_has_defaults_and_derived_fields(api: Api) -> None:
    provider = await api.provider(region="02", province="02.411")
    response = await api.request("POST", "/v1/offers", json=offer_body(provider["id"]))
    assert response.status_code == 201
    assert response.headers["etag"] == '"1"'
    offer = response.json()
    assert offer["status"] == "draft"
    assert offer["region"] == "02"
    assert offer["province"] == "02.411"
    assert offer["target_publics"] == ["all"]
    assert offer["is_free"] is True
    assert offer["next_session_start_date"] is None
    assert 0 <= offer["quality"]["score"] <= 100


async def test_invalid_fields_are_named(api: Api) -> None:
    provider = await api.provider()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"sector": "banking"}, "body.sector"),
        ({"isced_field": "11"}, "body.isced_field"),
        ({"isco_groups": ["7", "X"]}, "body.isco_groups.1"),
        ({"isco_groups": ["7", "7"]}, "body.isco_groups"),
        ({"title_ar": "Cuisine"}, "body.title_ar"),
        ({"title_fr": "ab"}, "body.title_fr"),
        ({"target_publics": ["all", "women"]}, "body.target_publics"),
        ({"target_publics": []}, "body.target_publics"),
        ({"target_publics": ["pensioners"]}, "body.target_publics.0"),
        ({"cost_mad": -5}, "body.cost_mad"),
        ({"duration_hours": 0}, "body.duration_hours"),
        ({"languages": ["French"]}, "body.languages.0"),
        ({"mode": "online"}, "body.mode"),
        ({"entry_level": "phd"}, "body.entry_level"),
        ({"status": "published"}, "body.status"),
        ({"provider_id": "not-a-uuid"}, "body.provider_id"),
    ]
    for change, field in cases:
        response = await api.request("POST", "/v1/offers", json=offer_body(provider["id"]) | change)
        assert field in problem_fields(response), (change, response.text)
    missing = await api.request("POST", "/v1/offers", json={"provider_id": provider["id"]})
    assert {"body.title_fr", "body.description", "body.sector"} <= set(problem_fields(missing))


async def test_broken_json_body_is_a_problem_not_a_crash(api: Api) -> None:
    response = await api.request(
        "POST", "/v1/offers", content=b'{"title_fr": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_offers_go_to_providers_in_scope_only(api: Api) -> None:
    own = await api.provider()
    other = await api.provider(name="Autre centre")
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=own["id"], regions=("01",))
    created = await api.request("POST", "/v1/offers", staff, json=offer_body(own["id"]))
    assert created.status_code == 201
    refused = await api.request("POST", "/v1/offers", staff, json=offer_body(other["id"]))
    assert problem_fields(refused) == ["body.provider_id"]
    viewer = make_principal(role=Role.VIEWER)
    assert (
        await api.request("POST", "/v1/offers", viewer, json=offer_body(own["id"]))
    ).status_code == 403
    anonymous = await api.client.post(
        "/v1/offers", json=offer_body(own["id"]), headers=api.headers(ANONYMOUS)
    )
    assert anonymous.status_code == 401


async def test_drafts_are_seen_by_their_editors_only(api: Api) -> None:
    provider = await api.provider(region="01")
    draft = await api.offer(provider["id"], publish=False)
    path = f"/v1/offers/{draft['id']}"
    assert (await api.client.get(path, headers=api.headers(ANONYMOUS))).status_code == 404
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider["id"], regions=("01",))
    assert (await api.request("GET", path, staff)).status_code == 200
    coordinator_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
    coordinator_02 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    assert (await api.request("GET", path, coordinator_01)).status_code == 200
    assert (await api.request("GET", path, coordinator_02)).status_code == 404
    listed = await api.client.get("/v1/offers", headers=api.headers(ANONYMOUS))
    assert listed.json()["items"] == []
    await api.request("POST", f"{path}/publish", coordinator_01)
    listed = await api.client.get("/v1/offers", headers=api.headers(ANONYMOUS))
    assert [o["id"] for o in listed.json()["items"]] == [draft["id"]]
    assert (await api.request("GET", path, coordinator_02)).status_code == 200
    # Seeing a published offer does not mean changing it.
    patched = await api.request("PATCH", path, coordinator_02, json={"duration_hours": 10})
    assert patched.status_code == 404


async def test_publication_needs_a_published_provider_and_a_coordinator(api: Api) -> None:
    provider = await api.provider(publish=False)
    offer = await api.offer(provider["id"], publish=False)
    path = f"/v1/offers/{offer['id']}"
    blocked = await api.request("POST", f"{path}/publish")
    assert blocked.status_code == 409
    assert blocked.json()["type"].endswith("/provider-not-published")
    await api.request("POST", f"/v1/providers/{provider['id']}/publish")
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider["id"], regions=("01",))
    assert (await api.request("POST", f"{path}/publish", staff)).status_code == 403
    published = await api.request("POST", f"{path}/publish")
    assert published.json()["status"] == "published"
    assert (await api.request("DELETE", path)).status_code == 409
    archived = await api.request("POST", f"{path}/archive")
    assert archived.json()["status"] == "archived"
    assert (await api.request("DELETE", path)).status_code == 204


async def test_patch_versions_and_stale_if_match(api: Api) -> None:
    offer = await api.offer()
    path = f"/v1/offers/{offer['id']}"
    version = offer["version"]
    changed = await api.request(
        "PATCH",
        path,
        json={"title_fr": "Électricité industrielle"},
        headers={"If-Match": f'"{version}"'},
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == version + 1
    assert changed.headers["etag"] == f'"{version + 1}"'
    stale = await api.request(
        "PATCH", path, json={"duration_hours": 10}, headers={"If-Match": f'"{version}"'}
    )
    assert stale.status_code == 412
    assert stale.json()["type"].endswith("/stale-version")
    assert (await api.request("GET", path)).json()["duration_hours"] == offer["duration_hours"]
    found = (await api.request("GET", "/v1/offers", params={"q": "industrielle"})).json()
    assert [o["id"] for o in found["items"]] == [offer["id"]]
    for field in ("title_fr", "sector", "target_publics"):
        assert problem_fields(await api.request("PATCH", path, json={field: None})) == [
            f"body.{field}"
        ]
    assert problem_fields(
        await api.request("PATCH", path, json={"provider_id": offer["provider_id"]})
    ) == ["body.provider_id"]


async def test_deleting_a_draft_deletes_its_sessions(api: Api) -> None:
    offer = await api.offer(publish=False)
    session = await api.session(offer["id"])
    assert (await api.request("DELETE", f"/v1/offers/{offer['id']}")).status_code == 204
    assert (await api.request("GET", f"/v1/sessions/{session['id']}")).status_code == 404
