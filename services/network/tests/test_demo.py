"""Demo data for `make run`: loads into both databases, and a second load changes nothing."""

from __future__ import annotations

from fastapi import FastAPI

from network import demo
from network.institution_models.programme import CHARTER_MODEL_ID, PUBLIC_MANDATE_MODEL_ID

from .helpers import Api, ids, partner_member


async def test_demo_data_loads_and_reloads_unchanged(
    app: FastAPI, api: Api, database_url: str
) -> None:
    await demo.seed(database_url)
    networks = (await api.request("GET", "/v1/networks")).json()["items"]
    by_region = {n["region"]: n for n in networks}
    assert by_region["01"]["id"] == str(demo.TANGER_NETWORK_ID)
    assert by_region["01"]["model_id"] == str(PUBLIC_MANDATE_MODEL_ID)
    assert by_region["02"]["id"] == str(demo.ORIENTAL_NETWORK_ID)
    assert by_region["02"]["model_id"] == str(CHARTER_MODEL_ID)
    # The gateway's demo partner account sees its partner, its network, its needs.
    member = partner_member(str(demo.DEMO_PARTNER_ID))
    own = await api.request("GET", f"/v1/partners/{demo.DEMO_PARTNER_ID}", member)
    assert own.json()["name"] == "Confections du Détroit SARL"
    assert ids(await api.request("GET", "/v1/networks", member)) == [str(demo.TANGER_NETWORK_ID)]
    needs = await api.request("GET", "/v1/labour-needs", member)
    assert len(ids(needs)) == 2
    partners = ids(await api.request("GET", "/v1/partners", params={"limit": 200}))
    await demo.seed(database_url)
    assert ids(await api.request("GET", "/v1/partners", params={"limit": 200})) == partners
    assert len(partners) == len(demo.PARTNERS)
