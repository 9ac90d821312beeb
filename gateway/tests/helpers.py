"""Helpers the gateway's tests share (imported relatively: ``from ..helpers import ...``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import httpx2
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from gateway.identity import service
from gateway.identity.dependencies import Identity
from gateway.identity.scopes import UserScope
from gateway.settings import Settings
from shared.db import create_sessionmaker
from shared.principal import Role
from shared.settings import Environment
from shared.testing import Keys, free_port

PASSWORD = "correct horse battery"
GENEROUS = "100000/minute"


def gateway_settings(database_url: str, keys: Keys, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "service_token_private_key": SecretStr(keys.private_pem.decode()),
        "log_json": False,
        "rate_limit_per_ip": GENEROUS,
        "rate_limit_per_principal": GENEROUS,
        "rate_limit_auth_per_ip": GENEROUS,
    }
    values.update(overrides)
    return Settings(**values)


def identity_of(app: FastAPI) -> Identity:
    identity: Identity = app.state.identity
    return identity


async def add_person(
    app: FastAPI,
    email: str,
    role: Role = Role.ADMIN,
    *,
    password: str = PASSWORD,
    regions: tuple[str, ...] = (),
    association_id: UUID | None = None,
    provider_id: UUID | None = None,
    partner_id: UUID | None = None,
) -> UUID:
    """A person straight in the database (as the CLI does); their id."""
    async with create_sessionmaker(app.state.engine)() as session:
        user = await service.add_account(
            session,
            identity_of(app).passwords,
            email=email,
            full_name=email.split("@")[0].title(),
            password=password,
            scope=UserScope(
                role=role,
                regions=regions,
                association_id=association_id,
                provider_id=provider_id,
                partner_id=partner_id,
            ),
        )
        await session.commit()
    assert user is not None
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


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Run an ASGI application on a free loopback port for the time of the block; its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
