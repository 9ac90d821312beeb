"""Associations: who adds and edits which, who reads which, the gateway's organisation check."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from shared.principal import Role
from shared.testing import make_principal

from ..helpers import Api, assert_not_found, problem_fields, staff

COORDINATOR_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
COORDINATOR_02 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))


async def test_a_coordinator_adds_associations_in_its_regions_only(api: Api) -> None:
    created = await api.created(
        "/v1/associations",
        {"name": "Association Nour", "region": "01", "province": "01.571"},
        COORDINATOR_01,
    )
    assert created["status"] == "active"
    assert created["version"] == 1
    elsewhere = await api.request(
        "POST", "/v1/associations", COORDINATOR_01, json={"name": "Ailleurs", "region": "02"}
    )
    assert problem_fields(elsewhere) == ["body.region"]
    # The gateway reads the region as the coordinator making an account: one of another
    # region answers exactly like a missing one.
    url = f"/v1/associations/{created['id']}"
    seen = await api.request("GET", url, COORDINATOR_01)
    assert seen.status_code == 200
    assert seen.json()["region"] == "01"
    assert seen.headers["etag"] == '"1"'
    assert_not_found(await api.request("GET", url, COORDINATOR_02))
    assert_not_found(await api.request("GET", f"/v1/associations/{uuid4()}", COORDINATOR_01))


async def test_invalid_fields_are_named(api: Api) -> None:
    base: dict[str, Any] = {"name": "Association", "region": "01"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"region": "13"}, "body.region"),
        ({"province": "02.411"}, "body.province"),
        ({"sectors": ["textile", "textile"]}, "body.sectors"),
        ({"sectors": ["banking"]}, "body.sectors.0"),
        ({"contact_email": "nobody"}, "body.contact_email"),
        ({"status": "closed"}, "body.status"),
        ({"colour": "blue"}, "body.colour"),
    ]
    for change, field in cases:
        response = await api.request("POST", "/v1/associations", json=base | change)
        assert field in problem_fields(response), (change, response.text)


async def test_staff_read_their_own_association_and_no_other(api: Api) -> None:
    own = await api.association()
    other = await api.association(name="Association Tilila")
    for role in (Role.ASSOCIATION_MANAGER, Role.COUNSELLOR):
        member = staff(role, own["id"])
        assert (
            await api.request("GET", f"/v1/associations/{own['id']}", member)
        ).status_code == 200
        assert_not_found(await api.request("GET", f"/v1/associations/{other['id']}", member))
        listed = (await api.request("GET", "/v1/associations", member)).json()
        assert [a["id"] for a in listed["items"]] == [own["id"]]
        # Staff read, they do not edit.
        change = await api.request(
            "PATCH", f"/v1/associations/{own['id']}", member, json={"name": "Autre"}
        )
        assert change.status_code == 403
    # Provider staff and viewers have no business with associations.
    viewer = make_principal(role=Role.VIEWER)
    assert (await api.request("GET", "/v1/associations", viewer)).status_code == 403


async def test_lists_follow_the_regions_and_filters(api: Api) -> None:
    tanger = await api.association(name="Association Nour Tanger", sectors=["crafts"])
    await api.association(
        name="Association Oujda", region="02", province=None, sectors=["agriculture_agrifood"]
    )
    listed = (await api.request("GET", "/v1/associations", COORDINATOR_01)).json()
    assert [a["id"] for a in listed["items"]] == [tanger["id"]]
    everything = (await api.request("GET", "/v1/associations")).json()["items"]
    assert len(everything) == 2
    found = await api.request("GET", "/v1/associations", params={"q": "nour", "sector": "crafts"})
    assert [a["id"] for a in found.json()["items"]] == [tanger["id"]]
    none = await api.request("GET", "/v1/associations", params={"sector": "textile"})
    assert none.json()["items"] == []


async def test_an_update_needs_the_current_version_and_stays_in_the_regions(api: Api) -> None:
    created = await api.created(
        "/v1/associations", {"name": "Association Nour", "region": "01"}, COORDINATOR_01
    )
    url = f"/v1/associations/{created['id']}"
    changed = await api.request(
        "PATCH", url, COORDINATOR_01, json={"contact_name": "Samira"}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = await api.request(
        "PATCH", url, COORDINATOR_01, json={"contact_name": "X"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    moved = await api.request("PATCH", url, COORDINATOR_01, json={"region": "02"})
    assert problem_fields(moved) == ["body.region"]
    assert_not_found(await api.request("PATCH", url, COORDINATOR_02, json={"name": "Pris"}))
    cleared = await api.request("PATCH", url, COORDINATOR_01, json={"name": None})
    assert problem_fields(cleared) == ["body.name"]


async def test_creation_is_idempotent(api: Api) -> None:
    body = {"name": "Association Nour", "region": "01"}
    key = {"Idempotency-Key": "k-1"}
    first = await api.request("POST", "/v1/associations", json=body, headers=key)
    again = await api.request("POST", "/v1/associations", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = await api.request("POST", "/v1/associations", json=body | {"name": "B"}, headers=key)
    assert other.status_code == 422
