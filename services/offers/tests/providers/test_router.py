"""Providers: validation, scope, publication, versions, idempotent creation."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from shared.principal import ANONYMOUS, Role
from shared.testing import make_principal

from ..helpers import Api, problem_fields

COORDINATOR_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
COORDINATOR_02 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))


async def test_create_read_and_list(api: Api) -> None:
    provider = await api.provider(publish=False, name="Association Al Amal", kind="association")
    assert provider["status"] == "draft"
    assert provider["source"] == "kafaat"
    assert provider["external_id"] == provider["id"]
    assert provider["version"] == 1
    response = await api.request("GET", f"/v1/providers/{provider['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    listed = (await api.request("GET", "/v1/providers", params={"q": "AMAL"})).json()
    assert [p["id"] for p in listed["items"]] == [provider["id"]]


async def test_invalid_fields_are_named(api: Api) -> None:
    base = {"name": "Centre", "kind": "company", "region": "01"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"region": "13"}, "body.region"),
        ({"province": "02.411"}, "body.province"),
        ({"province": "01.999"}, "body.province"),
        ({"latitude": 35.5}, "body.longitude"),
        ({"latitude": -5.3, "longitude": 35.5}, "body.latitude"),
        ({"email": "not-an-email"}, "body.email"),
        ({"website": "ftp://x"}, "body.website"),
        ({"kind": "bank"}, "body.kind"),
        ({"name": "  "}, "body.name"),
        ({"colour": "blue"}, "body.colour"),
    ]
    for change, field in cases:
        response = await api.request("POST", "/v1/providers", json=base | change)
        assert field in problem_fields(response), (change, response.text)
    assert (await api.request("GET", "/v1/providers")).json()["items"] == []


async def test_anonymous_sees_published_providers_only(api: Api) -> None:
    draft = await api.provider(publish=False, name="Brouillon")
    published = await api.provider(name="Publié")
    anonymous = api.headers(ANONYMOUS)
    listed = (await api.client.get("/v1/providers", headers=anonymous)).json()
    assert [p["id"] for p in listed["items"]] == [published["id"]]
    missing = await api.client.get(f"/v1/providers/{draft['id']}", headers=anonymous)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    unknown = await api.client.get(f"/v1/providers/{uuid4()}", headers=anonymous)
    assert unknown.status_code == 404
    assert missing.json()["type"] == unknown.json()["type"]


async def test_coordinators_work_in_their_regions(api: Api) -> None:
    outside = await api.request(
        "POST",
        "/v1/providers",
        COORDINATOR_02,
        json={"name": "Centre", "kind": "company", "region": "01"},
    )
    assert problem_fields(outside) == ["body.region"]
    created = await api.request(
        "POST",
        "/v1/providers",
        COORDINATOR_01,
        json={"name": "Centre de Tanger", "kind": "company", "region": "01"},
    )
    assert created.status_code == 201
    provider_id = created.json()["id"]
    # Another region's draft is missing for them, and cannot be changed.
    path = f"/v1/providers/{provider_id}"
    assert (await api.request("GET", path, COORDINATOR_02)).status_code == 404
    renamed = await api.request("PATCH", path, COORDINATOR_02, json={"name": "Autre nom"})
    assert renamed.status_code == 404
    assert (await api.request("POST", f"{path}/publish", COORDINATOR_02)).status_code == 404
    published = await api.request("POST", f"{path}/publish", COORDINATOR_01)
    assert published.json()["status"] == "published"
    # Moving it out of the region is out of scope too.
    moved = await api.request("PATCH", path, COORDINATOR_01, json={"region": "02"})
    assert "body.region" in problem_fields(moved)


async def test_provider_staff_edit_their_own_provider_only(api: Api) -> None:
    own = await api.provider(publish=False, name="Mon centre")
    other = await api.provider(publish=False, name="Autre centre")
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=own["id"], regions=("01",))
    changed = await api.request(
        "PATCH", f"/v1/providers/{own['id']}", staff, json={"commune": "Martil"}
    )
    assert changed.status_code == 200
    assert changed.json()["commune"] == "Martil"
    hidden = await api.request(
        "PATCH", f"/v1/providers/{other['id']}", staff, json={"commune": "X"}
    )
    assert hidden.status_code == 404
    assert (
        await api.request("POST", f"/v1/providers/{own['id']}/publish", staff)
    ).status_code == 403
    created = await api.request(
        "POST", "/v1/providers", staff, json={"name": "N", "kind": "company", "region": "01"}
    )
    assert created.status_code == 403


async def test_only_coordinators_of_both_regions_or_admins_move_a_provider(api: Api) -> None:
    provider = await api.provider(name="Centre de Tétouan")
    path = f"/v1/providers/{provider['id']}"
    to_oriental = {"region": "02", "province": "02.411"}
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider["id"], regions=("01",))
    moved_by_staff = await api.request("PATCH", path, staff, json=to_oriental)
    assert problem_fields(moved_by_staff) == ["body.region"]
    assert "coordinators of both regions" in moved_by_staff.json()["errors"][0]["reason"]
    assert (await api.request("GET", path)).json()["region"] == "01"
    # The staff still edit everything else of their provider.
    renamed = await api.request("PATCH", path, staff, json={"region": "01", "commune": "Martil"})
    assert renamed.status_code == 200, renamed.text
    both = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01", "02"))
    moved = await api.request("PATCH", path, both, json=to_oriental)
    assert moved.status_code == 200, moved.text
    assert moved.json()["region"] == "02"
    back = await api.request("PATCH", path, json={"region": "01", "province": "01.571"})
    assert back.status_code == 200
    assert back.json()["region"] == "01"


async def test_a_staff_token_of_another_region_reaches_nothing_of_the_provider(api: Api) -> None:
    # A coordinator of region 02 who made a provider_staff account for a region-01 provider:
    # the gateway refuses it, and a token naming it carries region 02, which offers refuses.
    provider = await api.provider(publish=False, name="Centre de Tétouan")
    draft = await api.offer(provider["id"], publish=False)
    taken_over = make_principal(
        role=Role.PROVIDER_STAFF, provider_id=provider["id"], regions=("02",)
    )
    for path, change in (
        (f"/v1/providers/{provider['id']}", {"commune": "Martil"}),
        (f"/v1/offers/{draft['id']}", {"title_fr": "Soudure"}),
    ):
        assert (await api.request("GET", path, taken_over)).status_code == 404
        assert (await api.request("PATCH", path, taken_over, json=change)).status_code == 404
    listed = await api.request("GET", "/v1/offers", taken_over, params={"status": "draft"})
    assert listed.json()["items"] == []
    no_region = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider["id"])
    assert (await api.request("GET", f"/v1/offers/{draft['id']}", no_region)).status_code == 404
    own = make_principal(role=Role.PROVIDER_STAFF, provider_id=provider["id"], regions=("01",))
    assert (await api.request("GET", f"/v1/offers/{draft['id']}", own)).status_code == 200


async def test_api_clients_by_scope_and_region(api: Api) -> None:
    writer = make_principal(kind="client", scopes=("offers:read", "offers:write"), regions=("02",))
    reader = make_principal(kind="client", scopes=("offers:read",), regions=("02",))
    body = {"name": "Centre d'Oujda", "kind": "company", "region": "02"}
    assert (await api.request("POST", "/v1/providers", reader, json=body)).status_code == 403
    created = await api.request("POST", "/v1/providers", writer, json=body)
    assert created.status_code == 201
    assert (
        await api.request("GET", f"/v1/providers/{created.json()['id']}", reader)
    ).status_code == 404
    outside = await api.request("POST", "/v1/providers", writer, json=body | {"region": "01"})
    assert problem_fields(outside) == ["body.region"]


async def test_versions_etag_and_stale_if_match(api: Api) -> None:
    provider = await api.provider(publish=False)
    path = f"/v1/providers/{provider['id']}"
    first = await api.request(
        "PATCH", path, json={"commune": "Martil"}, headers={"If-Match": '"1"'}
    )
    assert first.status_code == 200
    assert first.headers["etag"] == '"2"'
    stale = await api.request("PATCH", path, json={"commune": "Mdiq"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert (await api.request("GET", path)).json()["commune"] == "Martil"
    unchanged = await api.request("PATCH", path, json={"commune": "Martil"})
    assert unchanged.json()["version"] == 2
    cleared = await api.request("PATCH", path, json={"name": None})
    assert problem_fields(cleared) == ["body.name"]
    stale_delete = await api.request("DELETE", path, headers={"If-Match": '"1"'})
    assert stale_delete.status_code == 412


async def test_idempotent_creation(api: Api) -> None:
    body = {"name": "Centre", "kind": "company", "region": "01"}
    key = {"Idempotency-Key": "create-centre-1"}
    first = await api.request("POST", "/v1/providers", json=body, headers=key)
    again = await api.request("POST", "/v1/providers", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len((await api.request("GET", "/v1/providers")).json()["items"]) == 1
    reused = await api.request("POST", "/v1/providers", json=body | {"name": "Autre"}, headers=key)
    assert problem_fields(reused) == ["header.idempotency-key"]


async def test_external_ids_are_unique_per_source(api: Api) -> None:
    body = {
        "name": "Centre",
        "kind": "company",
        "region": "01",
        "source": "ofppt",
        "external_id": "7",
    }
    assert (await api.request("POST", "/v1/providers", json=body)).status_code == 201
    duplicate = await api.request("POST", "/v1/providers", json=body)
    assert duplicate.status_code == 409
    other_source = await api.request("POST", "/v1/providers", json=body | {"source": "anapec"})
    assert other_source.status_code == 201


async def test_publication_moves(api: Api) -> None:
    provider = await api.provider(publish=False)
    path = f"/v1/providers/{provider['id']}"
    assert (await api.request("POST", f"{path}/archive")).json()["status"] == "archived"
    republished = await api.request("POST", f"{path}/publish")
    assert republished.json()["status"] == "published"
    assert republished.json()["published_at"] is not None
    again = await api.request("POST", f"{path}/publish")
    assert again.json()["version"] == republished.json()["version"]


async def test_archiving_a_provider_archives_its_offers(api: Api) -> None:
    provider = await api.provider()
    offer = await api.offer(provider["id"])
    archived = await api.request("POST", f"/v1/providers/{provider['id']}/archive")
    assert archived.status_code == 200
    after = (await api.request("GET", f"/v1/offers/{offer['id']}")).json()
    assert after["status"] == "archived"
    assert after["version"] == offer["version"] + 1
    new_offer = await api.request(
        "POST",
        "/v1/offers",
        json={
            "provider_id": provider["id"],
            "title_fr": "Nouvelle offre",
            "description": "Une offre de plus.",
            "sector": "tourism",
            "mode": "in_person",
            "duration_hours": 40,
            "cost_mad": 0,
        },
    )
    assert problem_fields(new_offer) == ["body.provider_id"]


async def test_delete_only_without_offers(api: Api) -> None:
    provider = await api.provider()
    offer = await api.offer(provider["id"], publish=False)
    blocked = await api.request("DELETE", f"/v1/providers/{provider['id']}")
    assert blocked.status_code == 409
    assert (await api.request("DELETE", f"/v1/offers/{offer['id']}")).status_code == 204
    assert (await api.request("DELETE", f"/v1/providers/{provider['id']}")).status_code == 204
    assert (await api.request("GET", f"/v1/providers/{provider['id']}")).status_code == 404


async def test_renaming_a_provider_updates_offer_search(api: Api) -> None:
    provider = await api.provider(name="Centre Alpha")
    await api.offer(provider["id"])
    assert len((await api.request("GET", "/v1/offers", params={"q": "alpha"})).json()["items"]) == 1
    await api.request("PATCH", f"/v1/providers/{provider['id']}", json={"name": "Centre Bêta"})
    assert (await api.request("GET", "/v1/offers", params={"q": "alpha"})).json()["items"] == []
    assert len((await api.request("GET", "/v1/offers", params={"q": "beta"})).json()["items"]) == 1
