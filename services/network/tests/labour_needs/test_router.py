"""Labour needs over HTTP: partner members manage their own partner's needs only."""

from __future__ import annotations

from typing import Any

from ..factories import NEED
from ..helpers import (
    COORDINATOR_01,
    COORDINATOR_02,
    Api,
    client,
    ids,
    partner_member,
    problem_fields,
)


async def test_a_partner_member_changing_another_partners_need_gets_404(api: Api) -> None:
    own = await api.partner(name="Mon entreprise")
    other = await api.partner(name="Autre entreprise")
    theirs = await api.need(other["id"])
    member = partner_member(own["id"])
    path = f"/v1/labour-needs/{theirs['id']}"
    changed = await api.request("PATCH", path, member, json={"positions": 1})
    assert changed.status_code == 404
    assert changed.headers["content-type"] == "application/problem+json"
    assert (await api.request("GET", path, member)).status_code == 404
    assert (await api.request("GET", path)).json()["positions"] == 12
    # Declaring one for another partner is refused by name.
    foreign = await api.request(
        "POST", "/v1/labour-needs", member, json=_need() | {"partner_id": other["id"]}
    )
    assert problem_fields(foreign) == ["body.partner_id"]


def _need(**fields: Any) -> dict[str, Any]:
    return NEED | fields


async def test_a_partner_member_declares_and_manages_its_own_needs(api: Api) -> None:
    own = await api.partner()
    member = partner_member(own["id"])
    created = await api.request("POST", "/v1/labour-needs", member, json=_need(horizon="2027"))
    assert created.status_code == 201, created.text
    need = created.json()
    assert need["partner_id"] == own["id"]
    assert need["horizon_year"] == 2027
    path = f"/v1/labour-needs/{need['id']}"
    filled = await api.request(
        "PATCH", path, member, json={"status": "filled"}, headers={"If-Match": '"1"'}
    )
    assert filled.json()["status"] == "filled"
    stale = await api.request(
        "PATCH", path, member, json={"positions": 3}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert ids(await api.request("GET", "/v1/labour-needs", member)) == [need["id"]]


async def test_invalid_needs_are_named(api: Api) -> None:
    partner = await api.partner()
    base = _need(partner_id=partner["id"])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"positions": 0}, "body.positions"),
        ({"horizon": "2027-Q5"}, "body.horizon"),
        ({"horizon": "next year"}, "body.horizon"),
        ({"province": "02.411"}, "body.province"),
        ({"province": "01.999"}, "body.province"),
        ({"isco_group": "12"}, "body.isco_group"),
        ({"sector": "mining"}, "body.sector"),
        ({"contract_type": "gig"}, "body.contract_type"),
        ({"status": "lost"}, "body.status"),
        ({"skills": ["soudure", "soudure"]}, "body.skills"),
        # The partner acts in region 01 only.
        ({"region": "02", "province": "02.411"}, "body.region"),
    ]
    for change, field in cases:
        response = await api.request("POST", "/v1/labour-needs", json=base | change)
        assert field in problem_fields(response), (change, response.text)


async def test_coordinators_and_clients_see_needs_of_their_regions(api: Api) -> None:
    partner = await api.partner(regions=["01", "02"])
    tanger = await api.need(partner["id"])
    oujda = await api.need(partner["id"], region="02", province="02.411", sector="tourism")
    assert ids(await api.request("GET", "/v1/labour-needs", COORDINATOR_02)) == [oujda["id"]]
    assert ids(await api.request("GET", "/v1/labour-needs", client("network:read"))) == [
        tanger["id"]
    ]
    moved = await api.request(
        "PATCH",
        f"/v1/labour-needs/{tanger['id']}",
        COORDINATOR_01,
        json={"region": "02", "province": "02.411"},
    )
    assert problem_fields(moved) == ["body.region"]
    filtered = await api.request("GET", "/v1/labour-needs", params={"sector": "tourism"})
    assert ids(filtered) == [oujda["id"]]
    by_year = await api.request("GET", "/v1/labour-needs", params={"horizon_year": 2028})
    assert ids(by_year) == []
