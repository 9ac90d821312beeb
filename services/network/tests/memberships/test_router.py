"""Memberships over HTTP: overlapping seats and reversed periods are 422, scope is 404."""

from __future__ import annotations

from uuid import uuid4

from ..helpers import COORDINATOR_01, COORDINATOR_02, Api, ids, partner_member, problem_fields


async def test_overlapping_memberships_with_the_same_role_are_refused(api: Api) -> None:
    partner = await api.partner()
    network = await api.network()
    first = await api.member(
        partner["id"], network_id=network["id"], since="2025-01-01", until="2025-12-31"
    )
    path = f"/v1/networks/{network['id']}/members"
    overlapping = await api.request(
        "POST", path, json={"partner_id": partner["id"], "since": "2025-06-01"}
    )
    assert problem_fields(overlapping) == ["body.since"]
    assert first["id"] in overlapping.json()["errors"][0]["reason"]
    # Another role at the same time, or the same role afterwards, is a new seat.
    chair = await api.request(
        "POST", path, json={"partner_id": partner["id"], "role": "chair", "since": "2025-06-01"}
    )
    assert chair.status_code == 201
    later = await api.request(
        "POST", path, json={"partner_id": partner["id"], "since": "2026-01-01"}
    )
    assert later.status_code == 201
    # The same role in one of the network's working groups is another body.
    group = await api.group(network["id"])
    in_group = await api.member(partner["id"], group_id=group["id"], since="2025-06-01")
    assert in_group["network_id"] == network["id"]
    assert in_group["working_group_id"] == group["id"]
    # Stretching the first one over the later one is refused too.
    stretched = await api.request("PATCH", f"/v1/memberships/{first['id']}", json={"until": None})
    assert problem_fields(stretched) == ["body.since"]
    assert len(ids(await api.request("GET", path))) == 3
    assert ids(await api.request("GET", f"/v1/working-groups/{group['id']}/members")) == [
        in_group["id"]
    ]


async def test_a_membership_ending_before_it_starts_is_422(api: Api) -> None:
    partner = await api.partner()
    network = await api.network()
    path = f"/v1/networks/{network['id']}/members"
    reversed_period = await api.request(
        "POST",
        path,
        json={"partner_id": partner["id"], "since": "2025-06-01", "until": "2025-05-31"},
    )
    assert problem_fields(reversed_period) == ["body.until"]
    member = await api.member(partner["id"], network_id=network["id"], since="2025-06-01")
    patched = await api.request(
        "PATCH", f"/v1/memberships/{member['id']}", json={"until": "2025-01-01"}
    )
    assert problem_fields(patched) == ["body.until"]


async def test_members_act_in_the_network_region_and_exist(api: Api) -> None:
    network = await api.network()
    oriental = await api.partner(regions=["02"])
    path = f"/v1/networks/{network['id']}/members"
    wrong_region = await api.request(
        "POST", path, json={"partner_id": oriental["id"], "since": "2025-01-01"}
    )
    assert problem_fields(wrong_region) == ["body.partner_id"]
    unknown = await api.request(
        "POST", path, json={"partner_id": str(uuid4()), "since": "2025-01-01"}
    )
    assert problem_fields(unknown) == ["body.partner_id"]
    bad_role = await api.request(
        "POST", path, json={"partner_id": oriental["id"], "since": "2025-01-01", "role": "boss"}
    )
    assert problem_fields(bad_role) == ["body.role"]


async def test_scope_of_memberships(api: Api) -> None:
    partner = await api.partner()
    network = await api.network()
    membership = await api.member(partner["id"], network_id=network["id"])
    one = f"/v1/memberships/{membership['id']}"
    members = f"/v1/networks/{network['id']}/members"
    assert (await api.request("GET", one, COORDINATOR_02)).status_code == 404
    assert (await api.request("GET", members, COORDINATOR_02)).status_code == 404
    assert (await api.request("DELETE", one, COORDINATOR_02)).status_code == 404
    adding = await api.request(
        "POST", members, COORDINATOR_02, json={"partner_id": partner["id"], "since": "2027-01-01"}
    )
    assert adding.status_code == 404
    # The member partner reads its network's members but does not change them.
    member = partner_member(partner["id"])
    assert ids(await api.request("GET", members, member)) == [membership["id"]]
    assert (await api.request("PATCH", one, member, json={"role": "chair"})).status_code == 403
    stale = await api.request("DELETE", one, COORDINATOR_01, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert (await api.request("DELETE", one, COORDINATOR_01)).status_code == 204
    assert (await api.request("GET", one)).status_code == 404
