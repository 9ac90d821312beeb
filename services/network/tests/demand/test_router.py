"""/v1/stats/demand: declared positions (open and filled) by sector, ISCO group and province."""

from __future__ import annotations

from typing import Any

from ..helpers import COORDINATOR_02, VIEWER, Api, client, partner_member, problem_fields


async def demand(api: Api, principal: Any = VIEWER, **params: Any) -> dict[str, Any]:
    response = await api.request("GET", "/v1/stats/demand", principal, params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_positions_declared_by_dimension(api: Api) -> None:
    partner = await api.partner(regions=["01", "02"])
    await api.need(partner["id"], positions=10, horizon="2027-Q1")
    await api.need(
        partner["id"],
        positions=5,
        horizon="2027",
        sector="tourism",
        isco_group="5",
        province="01.571",
        status="filled",
    )
    await api.need(partner["id"], positions=99, horizon="2027-Q2", status="withdrawn")
    await api.need(partner["id"], positions=7, horizon="2028-Q1")
    await api.need(partner["id"], positions=3, horizon="2027", region="02", province="02.411")
    result = await demand(api, region="01", year=2027)
    assert result["totals"] == {"needs": 2, "positions": 15}
    assert result["by_sector"] == [
        {"code": "textile", "needs": 1, "positions": 10},
        {"code": "tourism", "needs": 1, "positions": 5},
    ]
    assert result["by_isco_group"] == [
        {"code": "5", "needs": 1, "positions": 5},
        {"code": "7", "needs": 1, "positions": 10},
    ]
    assert result["by_province"] == [
        {"code": "01.511", "needs": 1, "positions": 10},
        {"code": "01.571", "needs": 1, "positions": 5},
    ]
    everywhere = await demand(api, COORDINATOR_02)
    assert everywhere["totals"] == {"needs": 4, "positions": 25}


async def test_who_reads_the_figures(api: Api) -> None:
    partner = await api.partner()
    assert (await demand(api, client("network:read")))["totals"]["needs"] == 0
    member = await api.request("GET", "/v1/stats/demand", partner_member(partner["id"]))
    assert member.status_code == 403
    bad = await api.request("GET", "/v1/stats/demand", VIEWER, params={"region": "13"})
    assert problem_fields(bad) == ["query.region"]
