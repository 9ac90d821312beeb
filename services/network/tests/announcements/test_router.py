"""Announcements over HTTP: read by whoever sees the network, written by its managers."""

from __future__ import annotations

from ..helpers import COORDINATOR_01, COORDINATOR_02, Api, ids, partner_member, problem_fields

BODY = {
    "title": "Journée portes ouvertes",
    "body": "Les entreprises du réseau accueillent les stagiaires le 12 mars.",
    "audience": ["company", "training_institution"],
    "links": [{"title": "Programme", "url": "https://example.ma/programme.pdf"}],
}


async def test_members_and_coordinators_read_what_the_network_shares(api: Api) -> None:
    partner = await api.partner()
    stranger = await api.partner(name="Hors réseau")
    network = await api.network()
    await api.member(partner["id"], network_id=network["id"])
    posted = await api.request(
        "POST", f"/v1/networks/{network['id']}/announcements", COORDINATOR_01, json=BODY
    )
    assert posted.status_code == 201, posted.text
    announcement = posted.json()
    assert announcement["network_id"] == network["id"]
    assert announcement["working_group_id"] is None
    one = f"/v1/announcements/{announcement['id']}"
    listed = f"/v1/networks/{network['id']}/announcements"
    assert (await api.request("GET", one, partner_member(partner["id"]))).status_code == 200
    assert ids(await api.request("GET", listed, partner_member(partner["id"]))) == [
        announcement["id"]
    ]
    for outsider in (partner_member(stranger["id"]), COORDINATOR_02):
        assert (await api.request("GET", one, outsider)).status_code == 404
        assert (await api.request("GET", listed, outsider)).status_code == 404
    assert ids(await api.request("GET", listed, params={"audience": "chamber"})) == []
    assert ids(await api.request("GET", listed, params={"audience": "company"})) == [
        announcement["id"]
    ]
    edited = await api.request(
        "PATCH", one, COORDINATOR_01, json={"title": "Report"}, headers={"If-Match": '"1"'}
    )
    assert edited.json()["version"] == 2
    stale = await api.request("DELETE", one, COORDINATOR_01, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    member_edit = await api.request(
        "PATCH", one, partner_member(partner["id"]), json={"title": "X y"}
    )
    assert member_edit.status_code == 403


async def test_a_working_group_has_its_own_announcements(api: Api) -> None:
    network = await api.network()
    group = await api.group(network["id"])
    posted = await api.request("POST", f"/v1/working-groups/{group['id']}/announcements", json=BODY)
    assert posted.json()["working_group_id"] == group["id"]
    assert ids(await api.request("GET", f"/v1/networks/{network['id']}/announcements")) == []
    in_group = await api.request("GET", f"/v1/working-groups/{group['id']}/announcements")
    assert ids(in_group) == [posted.json()["id"]]


async def test_invalid_announcements_are_named(api: Api) -> None:
    network = await api.network()
    path = f"/v1/networks/{network['id']}/announcements"
    for change, field in (
        ({"title": ""}, "body.title"),
        ({"audience": ["aliens"]}, "body.audience.0"),
        ({"links": [{"title": "x", "url": "javascript:alert(1)"}]}, "body.links.0.url"),
    ):
        assert field in problem_fields(await api.request("POST", path, json=BODY | change))
