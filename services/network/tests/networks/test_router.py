"""Networks and working groups over HTTP."""

from __future__ import annotations

from uuid import uuid4

from network.institution_models.programme import CHARTER_MODEL_ID

from ..helpers import (
    COORDINATOR_01,
    COORDINATOR_02,
    Api,
    client,
    ids,
    partner_member,
    problem_fields,
)


async def test_a_network_must_use_an_existing_model(api: Api) -> None:
    unknown = await api.request(
        "POST", "/v1/networks", json={"region": "01", "name": "Réseau", "model_id": str(uuid4())}
    )
    assert problem_fields(unknown) == ["body.model_id"]
    missing = await api.request("POST", "/v1/networks", json={"region": "01", "name": "Réseau"})
    assert problem_fields(missing) == ["body.model_id"]
    network = await api.network(model_id=str(CHARTER_MODEL_ID))
    assert network["model_id"] == str(CHARTER_MODEL_ID)
    path = f"/v1/networks/{network['id']}"
    moved = await api.request("PATCH", path, json={"model_id": str(uuid4())})
    assert problem_fields(moved) == ["body.model_id"]
    # A network never changes region.
    assert problem_fields(await api.request("PATCH", path, json={"region": "02"})) == [
        "body.region"
    ]


async def test_coordinators_manage_networks_of_their_regions(api: Api) -> None:
    outside = await api.request(
        "POST",
        "/v1/networks",
        COORDINATOR_02,
        json={"region": "01", "name": "Réseau", "model_id": str(CHARTER_MODEL_ID)},
    )
    assert problem_fields(outside) == ["body.region"]
    network = await api.network()
    path = f"/v1/networks/{network['id']}"
    assert (await api.request("GET", path, COORDINATOR_02)).status_code == 404
    renamed = await api.request("PATCH", path, COORDINATOR_02, json={"name": "Autre"})
    assert renamed.status_code == 404
    ok = await api.request("PATCH", path, COORDINATOR_01, json={"status": "dormant"})
    assert ok.json()["status"] == "dormant"
    assert ok.headers["etag"] == '"2"'
    stale = await api.request(
        "PATCH", path, COORDINATOR_01, json={"name": "Nom"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert ids(await api.request("GET", "/v1/networks", COORDINATOR_02)) == []
    assert ids(await api.request("GET", "/v1/networks", params={"region": "01"})) == [network["id"]]
    assert ids(await api.request("GET", "/v1/networks", params={"status": "active"})) == []


async def test_partner_members_see_only_their_networks_and_groups(api: Api) -> None:
    own = await api.partner()
    mine = await api.network(name="Réseau A")
    other = await api.network(name="Réseau B")
    mine_group = await api.group(mine["id"])
    other_group = await api.group(other["id"])
    await api.member(own["id"], network_id=mine["id"])
    member = partner_member(own["id"])
    assert ids(await api.request("GET", "/v1/networks", member)) == [mine["id"]]
    assert ids(await api.request("GET", "/v1/networks", params={"partner_id": own["id"]})) == [
        mine["id"]
    ]
    assert ids(await api.request("GET", "/v1/working-groups", member)) == [mine_group["id"]]
    for path in (f"/v1/networks/{other['id']}", f"/v1/working-groups/{other_group['id']}"):
        assert (await api.request("GET", path, member)).status_code == 404
    assert (await api.request("POST", "/v1/networks", member, json={})).status_code == 403


async def test_working_groups_need_a_theme_or_sector_and_a_chair_of_the_region(api: Api) -> None:
    network = await api.network()
    oriental = await api.partner(regions=["02"])
    body = {"network_id": network["id"], "name": "Groupe"}
    assert problem_fields(await api.request("POST", "/v1/working-groups", json=body)) == [
        "body.theme"
    ]
    chair = await api.request(
        "POST",
        "/v1/working-groups",
        json=body | {"theme": "Stages", "chair_partner_id": oriental["id"]},
    )
    assert problem_fields(chair) == ["body.chair_partner_id"]
    unknown = await api.request(
        "POST", "/v1/working-groups", json=body | {"network_id": str(uuid4()), "theme": "Stages"}
    )
    assert problem_fields(unknown) == ["body.network_id"]
    outside = await api.request(
        "POST", "/v1/working-groups", COORDINATOR_02, json=body | {"theme": "Stages"}
    )
    assert problem_fields(outside) == ["body.network_id"]
    group = await api.group(network["id"], theme="Stages et apprentissage", sector=None)
    assert group["region"] == "01"
    path = f"/v1/working-groups/{group['id']}"
    cleared = await api.request("PATCH", path, json={"theme": None})
    assert problem_fields(cleared) == ["body.theme"]
    assert (
        await api.request("PATCH", path, COORDINATOR_02, json={"name": "Autre"})
    ).status_code == 404
    filtered = await api.request("GET", "/v1/working-groups", params={"network_id": network["id"]})
    assert ids(filtered) == [group["id"]]


async def test_clients_need_network_write_to_add_networks(api: Api) -> None:
    body = {"region": "01", "name": "Réseau", "model_id": str(CHARTER_MODEL_ID)}
    reader = await api.request("POST", "/v1/networks", client("network:read"), json=body)
    assert reader.status_code == 403
    writer = await api.request("POST", "/v1/networks", client("network:write"), json=body)
    assert writer.status_code == 201
    other_region = client("network:read", regions=("02",))
    got = await api.request("GET", f"/v1/networks/{writer.json()['id']}", other_region)
    assert got.status_code == 404
