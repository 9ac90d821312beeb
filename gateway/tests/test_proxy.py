"""The proxy data path, against a real upstream on loopback (``shared.testing.echo``)."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx2
import pytest
from fastapi import FastAPI
from pydantic import AnyHttpUrl, SecretStr

from gateway.failures import failure_reason
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


# --- the hot path's client (aiohttp) adds nothing, keeps nothing, decodes nothing -------------

GZIPPED = gzip.compress(b'{"compressed": true}')


@asynccontextmanager
async def odd_upstream() -> AsyncIterator[str]:
    """A service written by hand, byte for byte: it answers with a cookie, a gzip body (on
    ``/gzip``) and header names in capitals, and tells the cookies it received. Its URL names
    a host (``localhost``): a client keeps cookies for host names, not for IP addresses."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                lines = head.decode("latin-1").split("\r\n")
                cookies = [
                    line.split(":", 1)[1].strip()
                    for line in lines
                    if line.lower().startswith("cookie:")
                ]
                gzipped = lines[0].split(" ")[1].endswith("/gzip")
                body = GZIPPED if gzipped else b"{}"
                writer.write(
                    b"HTTP/1.1 200 OK\r\n"
                    b"Set-Cookie: session=for-the-first-caller-only; Path=/\r\n"
                    b"Connection: X-Secret-Hop\r\n"
                    b"X-Secret-Hop: must not reach the client\r\n"
                    b"X-Cookies-Received: "
                    + json.dumps(cookies).encode()
                    + b"\r\n"
                    + (b"Content-Encoding: gzip\r\n" if gzipped else b"")
                    + b"Content-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield f"http://localhost:{server.sockets[0].getsockname()[1]}"


@pytest.fixture
async def odd_gateway(keys: Keys, tmp_path: Path) -> AsyncIterator[httpx2.AsyncClient]:
    async with (
        odd_upstream() as url,
        asgi_client(gateway_app(keys, tmp_path, url)) as client,
    ):
        yield client


async def test_a_services_cookie_is_never_sent_back_for_another_caller(
    odd_gateway: httpx2.AsyncClient,
) -> None:
    first = await odd_gateway.get("/api/v1/offers")
    # The caller gets the cookie the service set for it...
    assert first.headers["set-cookie"] == "session=for-the-first-caller-only; Path=/"
    odd_gateway.cookies.clear()
    # ... and the gateway keeps none: the next caller's request carries no cookie.
    second = await odd_gateway.get("/api/v1/offers")
    assert json.loads(second.headers["x-cookies-received"]) == []


async def test_compressed_answers_pass_through_byte_for_byte(
    odd_gateway: httpx2.AsyncClient,
) -> None:
    async with odd_gateway.stream(
        "GET", "/api/v1/offers/gzip", headers={"Accept-Encoding": "gzip"}
    ) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "gzip"
    assert raw == GZIPPED


async def test_hop_by_hop_headers_named_in_capitals_are_stripped(
    odd_gateway: httpx2.AsyncClient,
) -> None:
    response = await odd_gateway.get("/api/v1/offers")
    assert response.status_code == 200
    assert "x-secret-hop" not in response.headers


async def test_the_service_gets_the_callers_headers_and_none_of_its_own(
    gateway: httpx2.AsyncClient,
) -> None:
    response = await gateway.post(
        "/api/v1/offers/abc",
        content=b"{}",
        headers={"User-Agent": "kafaat-app/1.0", "Accept-Encoding": "identity", "Accept": "*/*"},
    )
    received = received_headers(response)
    assert received["user-agent"] == "kafaat-app/1.0"
    assert received["accept-encoding"] == "identity"
    # No Content-Type the caller did not send (a client would add application/octet-stream).
    assert "content-type" not in received
    assert response.status_code == 200


async def test_a_header_that_is_not_utf8_is_a_400_naming_it(
    gateway: httpx2.AsyncClient,
) -> None:
    response = await gateway.get("/api/v1/offers", headers={b"X-Note": b"caf\xe9"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "x-note" in response.json()["detail"]


# --- one classification of upstream failures, whichever client made the call -----------------


async def _failure_with_aiohttp(url: str) -> BaseException:
    timeout = aiohttp.ClientTimeout(total=None, connect=0.5, sock_read=0.3)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            async with session.get(url) as response:
                await response.read()
        except aiohttp.ClientError as exc:
            return exc
    raise AssertionError(f"{url} answered")


async def _failure_with_httpx2(url: str) -> BaseException:
    timeout = httpx2.Timeout(connect=0.5, read=0.3, write=0.3, pool=0.5)
    async with httpx2.AsyncClient(timeout=timeout, trust_env=False) as client:
        try:
            await client.get(url)
        except httpx2.TransportError as exc:
            return exc
    raise AssertionError(f"{url} answered")


@asynccontextmanager
async def broken_upstream() -> AsyncIterator[str]:
    """Something listening that answers no HTTP at all."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


@pytest.mark.parametrize("fetch", [_failure_with_aiohttp, _failure_with_httpx2])
async def test_both_clients_failures_are_classified_alike(
    echo_url: str, fetch: Callable[[str], Awaitable[BaseException]]
) -> None:
    assert failure_reason(await fetch(f"http://127.0.0.1:{free_port()}/")) == "unavailable"
    assert failure_reason(await fetch(echo_url + "/v1/events/stall")) == "timeout"
    async with broken_upstream() as url:
        assert failure_reason(await fetch(url)) == "broken"


async def test_no_free_connection_in_time_is_a_503_naming_the_service(
    keys: Keys, tmp_path: Path, echo_url: str
) -> None:
    """One connection per service, held by a stalled call: the next call waits for the pool
    (``pool_timeout`` plus ``connect_timeout``), then answers 503, long before the deadline."""
    settings = Settings(
        environment=Environment.TEST,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/gateway.db",
        service_token_private_key=SecretStr(keys.private_pem.decode()),
        network_url=AnyHttpUrl(echo_url),
        max_connections_per_service=1,
        pool_timeout=0.3,
        connect_timeout=0.3,
        upstream_deadline=5.0,
        log_json=False,
    )
    async with asgi_client(create_app(settings)) as gateway:
        stalled = asyncio.create_task(gateway.get("/api/v1/events/stall"))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        response = await gateway.get("/api/v1/labour-needs")
        elapsed = time.monotonic() - started
        stalled.cancel()
    assert response.status_code == 503
    assert response.json()["service"] == "network"
    assert response.headers["retry-after"] == "5"
    assert elapsed < 2.0
