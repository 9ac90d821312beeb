"""``kafaat-gateway create-admin`` and the demo accounts of ``make run``."""

from __future__ import annotations

import asyncio
import base64

import httpx2
import pytest
from fastapi import FastAPI

from gateway import demo
from gateway.cli import run

from .helpers import bearer, sign_in


async def test_create_admin_from_the_environment(
    client: httpx2.AsyncClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFAAT_GATEWAY_DATABASE_URL", database_url)
    monkeypatch.setenv("KAFAAT_ADMIN_PASSWORD", "the first admin's passphrase")
    command = ["create-admin", "--email", "Root@Example.org", "--full-name", "Root"]
    assert await asyncio.to_thread(run, command) == 0
    pair = await sign_in(client, "root@example.org", "the first admin's passphrase")
    me = (await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))).json()
    assert me["role"] == "admin"
    assert me["full_name"] == "Root"
    # Once only: the same email again is refused.
    assert await asyncio.to_thread(run, command) == 1


async def test_create_admin_enforces_the_password_policy(
    client: httpx2.AsyncClient,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KAFAAT_GATEWAY_DATABASE_URL", database_url)
    monkeypatch.setenv("KAFAAT_ADMIN_PASSWORD", "too short")
    assert await asyncio.to_thread(run, ["create-admin", "--email", "root@example.org"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    login = {"email": "root@example.org", "password": "too short"}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 401


async def test_demo_accounts_of_every_role_can_sign_in(
    app: FastAPI, client: httpx2.AsyncClient, database_url: str
) -> None:
    await demo.seed(database_url)
    await demo.seed(database_url)  # idempotent
    roles = set()
    for email, _, scope in demo.DEMO_ACCOUNTS:
        pair = await sign_in(client, email, demo.DEMO_PASSWORD)
        me = (await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))).json()
        assert me["role"] == scope.role
        roles.add(me["role"])
    assert roles == {
        "admin",
        "regional_coordinator",
        "association_manager",
        "counsellor",
        "provider_staff",
        "partner_member",
        "viewer",
    }
    credentials = f"{demo.DEMO_CLIENT_ID}:{demo.DEMO_CLIENT_SECRET}".encode()
    token = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(credentials).decode()},
    )
    assert token.status_code == 200
    assert token.json()["scope"] == "offers:read offers:write network:read"
