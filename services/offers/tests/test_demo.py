"""Demo data for `make run`: loads into both databases, twice without changing anything."""

from __future__ import annotations

from fastapi import FastAPI

from offers import demo
from shared.principal import Role
from shared.testing import make_principal

from .helpers import Api


async def test_demo_data_loads_and_reloads_unchanged(
    app: FastAPI, api: Api, database_url: str
) -> None:
    await demo.seed(database_url)
    offers = (
        await api.client.get("/v1/offers", headers=api.anonymous(), params={"limit": 200})
    ).json()
    assert len(offers["items"]) == len(demo.OFFERS)
    assert {offer["region"] for offer in offers["items"]} == {"01", "02"}
    assert any(offer["title_ar"] for offer in offers["items"])
    arabic = (
        await api.client.get("/v1/offers", headers=api.anonymous(), params={"q": "الشمسية"})
    ).json()
    assert [o["title_fr"] for o in arabic["items"]] == ["Installation de panneaux photovoltaïques"]
    # The gateway's demo provider account works for the first demo provider.
    staff = make_principal(role=Role.PROVIDER_STAFF, provider_id=demo.DEMO_PROVIDER_ID)
    path = f"/v1/providers/{demo.DEMO_PROVIDER_ID}"
    provider = (await api.request("GET", path, staff)).json()
    assert provider["name"] == "Institut Spécialisé de Technologie Appliquée de Tétouan"
    assert provider["status"] == "published"
    own = await api.request("GET", "/v1/offers", staff, params={"provider_id": provider["id"]})
    assert [o["external_id"] for o in own.json()["items"]] == ["electricite-batiment"]
    again = await demo.load(database_url)
    assert again.error_count == 0
    assert again.providers.unchanged == len(demo.PROVIDERS)
    assert again.offers.unchanged == len(demo.OFFERS)
    assert again.sessions.unchanged == len(demo.SESSIONS)
