"""Requests as one caller or another, records made through the API, problem assertions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx2

from shared.principal import Principal, Role
from shared.testing import Keys, make_principal

from .factories import ASSOCIATION, CONSENT, PERSON


class Api:
    """Requests to the service as one caller or another, and records made through it."""

    def __init__(self, client: httpx2.AsyncClient, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self.admin = make_principal(role=Role.ADMIN)

    def headers(self, principal: Principal | None = None, **extra: str) -> dict[str, str]:
        return {**self.keys.headers("beneficiaries", principal or self.admin), **extra}

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

    async def created(
        self, path: str, body: dict[str, Any], principal: Principal | None = None
    ) -> dict[str, Any]:
        response = await self.request("POST", path, principal, json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def association(self, **fields: Any) -> dict[str, Any]:
        return await self.created("/v1/associations", {**ASSOCIATION, **fields})

    async def person(
        self, association_id: str | UUID, principal: Principal | None = None, **fields: Any
    ) -> dict[str, Any]:
        body = {**PERSON, **fields}
        if principal is None or principal.role is Role.ADMIN:
            body["association_id"] = str(association_id)
        return await self.created("/v1/beneficiaries", body, principal)

    async def consent(
        self, person_id: str, principal: Principal | None = None, **fields: Any
    ) -> dict[str, Any]:
        return await self.created(
            f"/v1/beneficiaries/{person_id}/consents", {**CONSENT, **fields}, principal
        )


def staff(role: Role, association_id: str | UUID) -> Principal:
    return make_principal(role=role, regions=("01",), association_id=UUID(str(association_id)))


def problem_fields(response: httpx2.Response) -> list[str]:
    """The fields a 422 problem names (asserting it is one)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def assert_not_found(response: httpx2.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
