"""Requests as one caller or another, factories of valid records, problem assertions."""

from __future__ import annotations

from typing import Any

import httpx2

from shared.principal import Principal, Role
from shared.testing import Keys, make_principal

from .factories import GROUP, NEED, NETWORK, PARTNER

COORDINATOR_01 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
COORDINATOR_02 = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))
VIEWER = make_principal(role=Role.VIEWER)


def partner_member(partner_id: str, regions: tuple[str, ...] = ("01",)) -> Principal:
    return make_principal(role=Role.PARTNER_MEMBER, partner_id=partner_id, regions=regions)


def client(*scopes: str, regions: tuple[str, ...] = ("01",)) -> Principal:
    return make_principal(kind="client", scopes=scopes, regions=regions)


class Api:
    """Requests to the service as one caller or another, and valid records made as an admin."""

    def __init__(self, client: httpx2.AsyncClient, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self.admin = make_principal(role=Role.ADMIN)

    async def request(
        self,
        method: str,
        path: str,
        principal: Principal | None = None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        all_headers = {**self.keys.headers("network", principal or self.admin), **(headers or {})}
        return await self.client.request(method, path, headers=all_headers, **kwargs)

    async def created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.request("POST", path, json=body)
        assert response.status_code == 201, response.text
        record: dict[str, Any] = response.json()
        return record

    async def partner(self, **fields: Any) -> dict[str, Any]:
        return await self.created("/v1/partners", PARTNER | fields)

    async def network(self, **fields: Any) -> dict[str, Any]:
        return await self.created("/v1/networks", NETWORK | fields)

    async def group(self, network_id: str, **fields: Any) -> dict[str, Any]:
        return await self.created("/v1/working-groups", GROUP | {"network_id": network_id} | fields)

    async def member(
        self,
        partner_id: str,
        *,
        network_id: str | None = None,
        group_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        path = (
            f"/v1/working-groups/{group_id}/members"
            if group_id is not None
            else f"/v1/networks/{network_id}/members"
        )
        return await self.created(path, {"partner_id": partner_id, "since": "2025-01-01"} | fields)

    async def need(self, partner_id: str, **fields: Any) -> dict[str, Any]:
        return await self.created("/v1/labour-needs", NEED | {"partner_id": partner_id} | fields)


def problem_fields(response: httpx2.Response) -> list[str]:
    """The fields a 422 problem names (asserting it is one)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def ids(response: httpx2.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]
