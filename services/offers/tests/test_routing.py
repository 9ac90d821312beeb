"""Ids are typed in the paths: a segment that is not a UUID never reaches a route that reads one,
so the routers may be included in any order."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from offers import main
from offers.catalogue.router import router as offers_router
from offers.exchange.router import router as exchange_router
from offers.imports.router import router as imports_router
from offers.providers.router import router as providers_router
from offers.sessions.router import router as sessions_router
from offers.stats.router import router as stats_router
from shared.principal import ANONYMOUS
from shared.testing import Keys, asgi_client

from .helpers import Api


async def test_export_is_found_with_offers_included_before_exchange(
    app: FastAPI, api: Api, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = await api.offer()
    # The service as it would be built with the offers router first: /v1/offers/{offer_id}
    # then stands before /v1/offers/export.
    reordered = [
        offers_router,
        sessions_router,
        providers_router,
        stats_router,
        imports_router,
        exchange_router,
    ]
    assert sorted(map(id, reordered)) == sorted(map(id, main.ROUTERS))
    monkeypatch.setattr(main, "ROUTERS", reordered)
    reordered_app = main.create_app(app.state.settings)
    headers = keys.headers("offers", ANONYMOUS)
    async with asgi_client(reordered_app) as client:
        exported = await client.get("/v1/offers/export", headers=headers)
        fetched = await client.get(f"/v1/offers/{offer['id']}", headers=headers)
    assert exported.status_code == 200, exported.text
    assert exported.text.count('"record":"offer"') == 1
    assert fetched.json()["id"] == offer["id"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/offers/not-an-id",
        "/v1/offers/not-an-id/jsonld",
        "/v1/providers/42",
        "/v1/sessions/export",
        "/v1/sessions/0b7f/reservations/1",
    ],
)
async def test_an_id_that_is_not_a_uuid_is_a_404_problem(api: Api, path: str) -> None:
    response = await api.client.get(path, headers=api.headers())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_list_filter_out_of_its_vocabulary_is_a_422_on_the_query(
    client: httpx2.AsyncClient, api: Api
) -> None:
    response = await client.get(
        "/v1/offers", params={"sector": "astrology", "min_quality": 101}, headers=api.headers()
    )
    assert response.status_code == 422
    fields = sorted(error["field"] for error in response.json()["errors"])
    assert fields == ["query.min_quality", "query.sector"]
