"""Requests as one caller or another, factories of valid records, problem assertions."""

from __future__ import annotations

from typing import Any

import httpx2

from shared.principal import ANONYMOUS, Principal, Role
from shared.testing import Keys, make_principal

from .factories import OFFER, PROVIDER, SESSION


class Api:
    """Requests to the service as one caller or another, and factories of valid records."""

    def __init__(self, client: httpx2.AsyncClient, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self.admin = make_principal(role=Role.ADMIN)

    def headers(self, principal: Principal | None = None, **extra: str) -> dict[str, str]:
        return {**self.keys.headers("offers", principal or self.admin), **extra}

    def anonymous(self) -> dict[str, str]:
        return self.headers(ANONYMOUS)

    async def request(
        self,
        method: str,
        path: str,
        principal: Principal | None = None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        all_headers = {**self.headers(principal), **(headers or {})}
        return await self.client.request(method, path, headers=all_headers, **kwargs)

    async def _created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.request("POST", path, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def provider(self, *, publish: bool = True, **fields: Any) -> dict[str, Any]:
        body = {**PROVIDER, **fields}
        provider = await self._created("/v1/providers", body)
        if publish:
            response = await self.request("POST", f"/v1/providers/{provider['id']}/publish")
            assert response.status_code == 200, response.text
            provider = response.json()
        return provider

    async def offer(
        self, provider_id: str | None = None, *, publish: bool = True, **fields: Any
    ) -> dict[str, Any]:
        if provider_id is None:
            provider_id = (await self.provider())["id"]
        body = {**OFFER, "provider_id": provider_id, **fields}
        offer = await self._created("/v1/offers", body)
        if publish:
            response = await self.request("POST", f"/v1/offers/{offer['id']}/publish")
            assert response.status_code == 200, response.text
            offer = response.json()
        return offer

    async def session(self, offer_id: str, **fields: Any) -> dict[str, Any]:
        body = {**SESSION, "offer_id": offer_id, **fields}
        return await self._created("/v1/sessions", body)


def problem_fields(response: httpx2.Response) -> list[str]:
    """The fields a 422 problem names (asserting it is one)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]
