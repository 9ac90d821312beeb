"""The proxy data path, against a real upstream on loopback (``shared.testing.echo``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from pydantic import AnyHttpUrl, SecretStr

from gateway.main import create_app
from gateway.settings import Settings
from shared.settings import Environment
from shared.testing import Keys, asgi_client, free_port
from shared.testing.echo import serve_echo
from shared.tokens import ServiceTokenVerifier, load_public_keys

DEADLINE = 1.0


@pytest.fixture
async def echo_url() -> AsyncIterator[str]:
    async with serve_echo() as url:
        yield url


def gateway_app(keys: Keys, tmp_path: Path, echo_url: str) -> FastAPI:
    """Offers and network answer (echo); beneficiaries is down (nothing listens on its port)."""
    settings = Settings(
        environment=Environment.TEST,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/gateway.db",
        service_token_private_key=SecretStr(keys.private_pem.decode()),
        offers_url=AnyHttpUrl(echo_url),
        network_url=AnyHttpUrl(echo_url),
        beneficiaries_url=AnyHttpUrl(f"http://127.0.0.1:{free_port()}"),
        upstream_deadline=DEADLINE,
        connect_timeout=0.5,
        log_json=False,
    )
    return create_app(settings)


@pytest.fixture
async def gateway(keys: Keys, tmp_path: Path, echo_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    async with asgi_client(gateway_app(keys, tmp_path, echo_url)) as client:
        yield client


def received_headers(response: httpx2.Response) -> dict[str, str]:
    echoed: dict[str, Any] = response.json()
    return dict(echoed["headers"])


async def test_forwards_method_path_query_and_body(gateway: httpx2.AsyncClient) -> None:
    response = await gateway.post("/api/v1/offers/abc?region=01&q=%C3%A9", content=b"hello")
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/v1/offers/abc"
    assert echoed["query"] == "region=01&q=%C3%A9"
    assert echoed["body_size"] == 5


async def test_attaches_a_service_token_for_the_owning_service(
    gateway: httpx2.AsyncClient, keys: Keys
) -> None:
    headers = received_headers(await gateway.get("/api/v1/labour-needs"))
    scheme, token = headers["authorization"].split(" ")
    assert scheme == "Bearer"
    verifier = ServiceTokenVerifier(load_public_keys(keys.public_pem), audience="network")
    principal = verifier.verify(token)
    assert principal.kind == "anonymous"
    offers_verifier = ServiceTokenVerifier(load_public_keys(keys.public_pem), audience="offers")
    with pytest.raises(Exception, match="(?i)audience"):
        offers_verifier.verify(token)


async def test_strips_hop_by_hop_and_identity_headers(gateway: httpx2.AsyncClient) -> None:
    response = await gateway.get(
        "/api/v1/offers",
        headers={
            "Connection": "keep-alive, X-Drop-Me",
            "X-Drop-Me": "1",
            "TE": "trailers",
            "Proxy-Authorization": "Basic eDp5",
            "X-User-Id": "admin",
            "X-User-Role": "admin",
            "X-Principal": '{"role": "admin"}',
            "X-Forwarded-For": "6.6.6.6",
            "X-Kept": "yes",
        },
    )
    headers = received_headers(response)
    for dropped in (
        "x-drop-me",
        "te",
        "proxy-authorization",
        "x-user-id",
        "x-user-role",
        "x-principal",
    ):
        assert dropped not in headers
    assert headers["x-kept"] == "yes"
    assert "6.6.6.6" not in headers["x-forwarded-for"]
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] == "testserver"
    # Hop-by-hop headers of the upstream's response do not reach the client either.
    assert "x-secret-hop" not in response.headers
    assert "keep-alive" not in response.headers


async def test_propagates_the_request_id(gateway: httpx2.AsyncClient) -> None:
    response = await gateway.get("/api/v1/offers", headers={"X-Request-ID": "trace-42"})
    assert received_headers(response)["x-request-id"] == "trace-42"
    assert response.headers["x-request-id"] == "trace-42"
    generated = await gateway.get("/api/v1/offers")
    assert received_headers(generated)["x-request-id"] == generated.headers["x-request-id"]


async def test_streams_large_bodies_both_ways(gateway: httpx2.AsyncClient) -> None:
    payload = b"k" * (3 * 1024 * 1024 + 17)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 100_000):
            yield payload[start : start + 100_000]

    response = await gateway.post("/api/v1/offers/import", content=chunks())
    echoed = response.json()
    assert echoed["body_size"] == len(payload)
    assert echoed["body_sha256"] == hashlib.sha256(payload).hexdigest()
    streamed = await gateway.get("/api/v1/offers/stream?size=2000000")
    assert streamed.status_code == 200
    assert len(streamed.content) == 2_000_000


async def test_stopped_service_answers_503_naming_it(gateway: httpx2.AsyncClient) -> None:
    started = time.monotonic()
    response = await gateway.get("/api/v1/beneficiaries")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["service"] == "beneficiaries"
    assert "beneficiaries" in response.json()["detail"]
    assert time.monotonic() - started < DEADLINE + 1
    # The others keep answering.
    assert (await gateway.get("/api/v1/offers")).status_code == 200


async def test_stalled_service_answers_504_within_the_deadline(gateway: httpx2.AsyncClient) -> None:
    started = time.monotonic()
    response = await gateway.get("/api/v1/events/stall")
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert response.json()["service"] == "network"
    assert DEADLINE - 0.1 <= elapsed < DEADLINE + 1.5
    assert (await gateway.get("/api/v1/offers")).status_code == 200


async def test_unknown_prefix_is_not_proxied(gateway: httpx2.AsyncClient) -> None:
    response = await gateway.get("/api/v1/offersx")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_status_reports_each_service(gateway: httpx2.AsyncClient) -> None:
    body = (await gateway.get("/api/v1/status")).json()
    states = {s["service"]: s["status"] for s in body["services"]}
    # The echo answers /readyz with 200; nothing listens for beneficiaries.
    assert states == {"offers": "ready", "beneficiaries": "unreachable", "network": "ready"}
    assert body["status"] == "degraded"
