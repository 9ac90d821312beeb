"""Rate limits per IP, per principal and on sign-in endpoints; in memory and shared in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx2
import pytest
from pydantic import AnyHttpUrl, SecretStr
from redis.asyncio import Redis

from shared.testing import free_port
from shared.testing.echo import serve_echo

from .conftest import OpenGateway
from .helpers import add_person, bearer, sign_in

REGIONS = "/api/v1/reference/regions"
REDIS_URL = os.environ.get("KAFAAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _is_rate_limited(response: httpx2.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/rate-limited")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_per_ip_limit_with_headers(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limit_per_ip="3/minute") as (_, client):
        remaining = []
        for _ in range(3):
            response = await client.get(REGIONS)
            assert response.status_code == 200
            assert response.headers["ratelimit-limit"] == "3"
            assert response.headers["ratelimit-policy"] == "3;w=60"
            assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
            remaining.append(int(response.headers["ratelimit-remaining"]))
        assert remaining == [2, 1, 0]
        _is_rate_limited(await client.get(REGIONS))
        # Health probes are never limited.
        assert (await client.get("/healthz")).status_code == 200


async def test_proxied_requests_are_limited_too(open_gateway: OpenGateway) -> None:
    async with (
        serve_echo() as echo_url,
        open_gateway(rate_limit_per_ip="2/minute", offers_url=AnyHttpUrl(echo_url)) as (_, client),
    ):
        assert (await client.get("/api/v1/offers")).status_code == 200
        assert (await client.get("/api/v1/offers")).headers["ratelimit-remaining"] == "0"
        _is_rate_limited(await client.get("/api/v1/offers"))


async def test_sign_in_endpoints_are_stricter(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limit_auth_per_ip="2/minute") as (_, client):
        attempt = {"email": "nobody@example.org", "password": "whatever it is"}
        for _ in range(2):
            assert (await client.post("/api/v1/auth/login", json=attempt)).status_code == 401
        _is_rate_limited(await client.post("/api/v1/auth/login", json=attempt))
        token = await client.post("/api/v1/auth/token", data={"grant_type": "client_credentials"})
        _is_rate_limited(token)
        # Other routes still answer from the same address.
        assert (await client.get(REGIONS)).status_code == 200


async def test_each_principal_has_its_own_budget(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_limit_per_principal="3/minute") as (app, client):
        await add_person(app, "amina@example.org")
        await add_person(app, "karim@example.org")
        amina = bearer((await sign_in(client, "amina@example.org"))["access_token"])
        karim = bearer((await sign_in(client, "karim@example.org"))["access_token"])
        for _ in range(3):
            assert (await client.get("/api/v1/auth/me", headers=amina)).status_code == 200
        _is_rate_limited(await client.get("/api/v1/auth/me", headers=amina))
        assert (await client.get("/api/v1/auth/me", headers=karim)).status_code == 200
        assert (await client.get(REGIONS)).status_code == 200


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(rate_limit_per_ip="1/minute") as (_, client):
        assert (await client.get(REGIONS, headers={"X-Forwarded-For": "10.0.0.1"})).is_success
        # A client cannot get a fresh budget by making up an address.
        forged = await client.get(REGIONS, headers={"X-Forwarded-For": "10.0.0.2"})
        assert forged.status_code == 429
    async with open_gateway(rate_limit_per_ip="1/minute", trust_forwarded_headers=True) as (
        _,
        client,
    ):
        first = {"X-Forwarded-For": "203.0.113.9, 10.0.0.1"}
        assert (await client.get(REGIONS, headers=first)).status_code == 200
        assert (await client.get(REGIONS, headers=first)).status_code == 429
        other = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
        assert (await client.get(REGIONS, headers=other)).status_code == 200


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards (and only them)."""
    prefix = f"kafaat-test-{uuid.uuid4().hex}"
    yield prefix
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def test_replicas_share_one_budget_through_redis(
    open_gateway: OpenGateway, redis_prefix: str
) -> None:
    shared = {
        "redis_url": SecretStr(REDIS_URL),
        "rate_limit_key_prefix": redis_prefix,
        "rate_limit_per_ip": "3/minute",
    }
    async with open_gateway(**shared) as (_, first), open_gateway(**shared) as (_, second):
        assert (await first.get(REGIONS)).status_code == 200
        assert (await second.get(REGIONS)).status_code == 200
        assert (await first.get(REGIONS)).headers["ratelimit-remaining"] == "0"
        _is_rate_limited(await second.get(REGIONS))
    redis = Redis.from_url(REDIS_URL)
    try:
        assert [key async for key in redis.scan_iter(match=f"{redis_prefix}:*")]
    finally:
        await redis.aclose()


async def test_an_unreachable_redis_falls_back_to_memory(open_gateway: OpenGateway) -> None:
    settings = {
        "redis_url": SecretStr(f"redis://127.0.0.1:{free_port()}/0"),
        "rate_limit_per_ip": "2/minute",
    }
    async with open_gateway(**settings) as (_, client):
        assert (await client.get(REGIONS)).status_code == 200
        assert (await client.get(REGIONS)).status_code == 200
        _is_rate_limited(await client.get(REGIONS))
