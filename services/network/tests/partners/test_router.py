"""Partners over HTTP: validation, scope (404), versions, idempotent creation, filters."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from ..helpers import (
    COORDINATOR_01,
    COORDINATOR_02,
    VIEWER,
    Api,
    client,
    ids,
    partner_member,
    problem_fields,
)


async def test_create_read_list_and_filter(api: Api) -> None:
    textile = await api.partner(name="Textiles du Détroit", sectors=["textile", "commerce"])
    chamber = await api.partner(
        name="Chambre de Commerce de l'Oriental", kind="chamber", regions=["02"], sectors=[]
    )
    assert textile["version"] == 1
    assert textile["status"] == "active"
    got = await api.request("GET", f"/v1/partners/{textile['id']}")
    assert got.headers["etag"] == '"1"'
    assert got.json()["sectors"] == ["textile", "commerce"]
    assert ids(await api.request("GET", "/v1/partners")) == [chamber["id"], textile["id"]]
    assert ids(await api.request("GET", "/v1/partners", params={"region": "02"})) == [chamber["id"]]
    assert ids(await api.request("GET", "/v1/partners", params={"sector": "commerce"})) == [
        textile["id"]
    ]
    assert ids(await api.request("GET", "/v1/partners", params={"kind": "chamber"})) == [
        chamber["id"]
    ]
    assert ids(await api.request("GET", "/v1/partners", params={"q": "DETROIT"})) == [textile["id"]]
    page = await api.request("GET", "/v1/partners", params={"limit": 1})
    second = await api.request(
        "GET", "/v1/partners", params={"limit": 1, "cursor": page.json()["next_cursor"]}
    )
    assert ids(page) + ids(second) == [chamber["id"], textile["id"]]


async def test_invalid_fields_are_named(api: Api) -> None:
    base = {"name": "Partenaire", "kind": "company", "regions": ["01"]}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"regions": []}, "body.regions"),
        ({"regions": ["13"]}, "body.regions.0"),
        ({"regions": ["01", "01"]}, "body.regions"),
        ({"kind": "bank"}, "body.kind"),
        ({"sectors": ["mining"]}, "body.sectors.0"),
        ({"email": "nope"}, "body.email"),
        ({"website": "ftp://x"}, "body.website"),
        ({"size_band": "huge"}, "body.size_band"),
        ({"name": " "}, "body.name"),
        ({"colour": "blue"}, "body.colour"),
    ]
    for change, field in cases:
        response = await api.request("POST", "/v1/partners", json=base | change)
        assert field in problem_fields(response), (change, response.text)
    assert ids(await api.request("GET", "/v1/partners")) == []


async def test_coordinators_manage_partners_of_their_regions(api: Api) -> None:
    outside = await api.request(
        "POST",
        "/v1/partners",
        COORDINATOR_02,
        json={"name": "Partenaire", "kind": "company", "regions": ["01"]},
    )
    assert problem_fields(outside) == ["body.regions"]
    created = await api.request(
        "POST",
        "/v1/partners",
        COORDINATOR_01,
        json={"name": "Partenaire", "kind": "company", "regions": ["01"]},
    )
    assert created.status_code == 201
    path = f"/v1/partners/{created.json()['id']}"
    assert (await api.request("GET", path, COORDINATOR_02)).status_code == 404
    assert (
        await api.request("PATCH", path, COORDINATOR_02, json={"name": "Autre nom"})
    ).status_code == 404
    # Adding a region the coordinator does not coordinate is out of its scope.
    widened = await api.request("PATCH", path, COORDINATOR_01, json={"regions": ["01", "02"]})
    assert problem_fields(widened) == ["body.regions"]
    assert ids(await api.request("GET", "/v1/partners", COORDINATOR_02)) == []


async def test_a_stale_if_match_is_412_and_an_unchanged_patch_keeps_the_version(
    api: Api,
) -> None:
    partner = await api.partner()
    path = f"/v1/partners/{partner['id']}"
    renamed = await api.request(
        "PATCH", path, json={"name": "Nouveau nom"}, headers={"If-Match": '"1"'}
    )
    assert renamed.status_code == 200
    assert renamed.headers["etag"] == '"2"'
    stale = await api.request("PATCH", path, json={"name": "Autre"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    same = await api.request("PATCH", path, json={"name": "Nouveau nom"})
    assert same.json()["version"] == 2
    cleared = await api.request("PATCH", path, json={"regions": None})
    assert problem_fields(cleared) == ["body.regions"]


async def test_idempotency_key_replays_the_first_creation(api: Api) -> None:
    body = {"name": "Coopérative Al Baraka", "kind": "cooperative", "regions": ["02"]}
    key = {"Idempotency-Key": uuid4().hex}
    first = await api.request("POST", "/v1/partners", json=body, headers=key)
    again = await api.request("POST", "/v1/partners", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = await api.request("POST", "/v1/partners", json=body | {"name": "Autre"}, headers=key)
    assert other.status_code == 422
    assert len(ids(await api.request("GET", "/v1/partners"))) == 1


async def test_partner_members_see_their_partner_and_its_fellow_members(api: Api) -> None:
    own = await api.partner(name="Mon entreprise")
    fellow = await api.partner(name="Partenaire du réseau")
    stranger = await api.partner(name="Hors réseau")
    network = await api.network()
    await api.member(own["id"], network_id=network["id"])
    await api.member(fellow["id"], network_id=network["id"])
    member = partner_member(own["id"])
    assert sorted(ids(await api.request("GET", "/v1/partners", member))) == sorted(
        [own["id"], fellow["id"]]
    )
    assert (await api.request("GET", f"/v1/partners/{stranger['id']}", member)).status_code == 404
    # They read, never write partners.
    path = f"/v1/partners/{own['id']}"
    assert (await api.request("PATCH", path, member, json={"name": "Autre nom"})).status_code == 403


async def test_viewers_see_no_partner_and_clients_read_their_regions(api: Api) -> None:
    partner = await api.partner()
    path = f"/v1/partners/{partner['id']}"
    assert (await api.request("GET", path, VIEWER)).status_code == 403
    assert (await api.request("GET", path, client("network:read"))).status_code == 200
    assert (
        await api.request("GET", path, client("network:read", regions=("02",)))
    ).status_code == 404
    assert (await api.request("GET", path, client("offers:read"))).status_code == 403
    writer = client("network:write")
    created = await api.request(
        "POST",
        "/v1/partners",
        writer,
        json={"name": "Partenaire", "kind": "company", "regions": ["01"]},
    )
    assert created.status_code == 201
