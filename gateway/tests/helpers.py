"""Helpers the gateway's tests share (imported relatively: ``from ..helpers import ...``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx2
from fastapi import FastAPI
from pydantic import SecretStr

from gateway.identity.dependencies import Identity
from gateway.settings import Settings
from shared.db import create_sessionmaker
from shared.principal import Role
from shared.testing import Keys, settings_for_test

from .factories import PASSWORD as PASSWORD
from .factories import Identities

GENEROUS = "100000/minute"


def gateway_settings(database_url: str, keys: Keys, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "service_token_private_key": SecretStr(keys.private_pem.decode()),
        "rate_limit_per_ip": GENEROUS,
        "rate_limit_per_principal": GENEROUS,
        "rate_limit_auth_per_ip": GENEROUS,
    }
    return settings_for_test(Settings, database_url, **(values | overrides))


def identity_of(app: FastAPI) -> Identity:
    identity: Identity = app.state.identity
    return identity


async def add_person(app: FastAPI, email: str, role: Role = Role.ADMIN, **fields: Any) -> UUID:
    """A person straight in the gateway's database (as the CLI does); their id. ``fields``:
    those of ``Identities.user`` (password, regions, association_id, ...)."""
    async with create_sessionmaker(app.state.engine)() as session:
        user = await Identities(session, identity_of(app).passwords).user(email, role, **fields)
    return user.id


async def sign_in(
    client: httpx2.AsyncClient, email: str, password: str = PASSWORD
) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signed_in_headers(
    app: FastAPI, client: httpx2.AsyncClient, email: str, role: Role = Role.ADMIN, **scope: Any
) -> dict[str, str]:
    await add_person(app, email, role, **scope)
    return bearer((await sign_in(client, email))["access_token"])
