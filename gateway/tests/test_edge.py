"""The gateway's edge: security headers, CORS and the body-size limit, on its own routes and
on proxied ones."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from fastapi import FastAPI
from pydantic import AnyHttpUrl

from shared.testing.echo import serve_echo

from .conftest import OpenGateway
from .helpers import add_person, bearer, sign_in

REGIONS = "/api/v1/reference/regions"
MAX_BODY = 4096


@pytest.fixture
async def edge(open_gateway: OpenGateway) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    async with (
        serve_echo() as echo_url,
        open_gateway(
            offers_url=AnyHttpUrl(echo_url),
            max_body_bytes=MAX_BODY,
            # The bulk-upload paths' own limit is set to the same figure here; the test of a
            # larger one below sets its own.
            max_upload_bytes=MAX_BODY,
            cors_origins=["https://app.kafaat.ma"],
        ) as opened,
    ):
        yield opened


def _has_security_headers(response: httpx2.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_every_answer_carries_security_headers(
    edge: tuple[FastAPI, httpx2.AsyncClient],
) -> None:
    _, client = edge
    answers = [
        await client.get(REGIONS),
        await client.get("/api/v1/nothing-here"),
        await client.get("/api/v1/users"),
        await client.get("/api/v1/offers"),
        await client.get("/healthz"),
        await client.post("/api/v1/auth/login", content=b"x" * (MAX_BODY + 1)),
    ]
    assert [a.status_code for a in answers] == [200, 404, 401, 200, 200, 413]
    for answer in answers:
        _has_security_headers(answer)


async def test_authenticated_answers_are_not_stored(
    edge: tuple[FastAPI, httpx2.AsyncClient],
) -> None:
    app, client = edge
    await add_person(app, "amina@example.org")
    token = (await sign_in(client, "amina@example.org"))["access_token"]
    for path in ("/api/v1/auth/me", "/api/v1/offers", REGIONS):
        response = await client.get(path, headers=bearer(token))
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
    assert "no-store" not in (await client.get(REGIONS)).headers.get("cache-control", "")


async def test_hsts_only_over_tls(open_gateway: OpenGateway) -> None:
    async with open_gateway() as (_, plain):
        assert "strict-transport-security" not in (await plain.get(REGIONS)).headers
        # A client cannot ask for HSTS by claiming TLS when no trusted proxy stands in front.
        claimed = await plain.get(REGIONS, headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in claimed.headers
    async with open_gateway(trusted_proxies=["127.0.0.1/32"]) as (_, behind_proxy):
        forwarded = await behind_proxy.get(REGIONS, headers={"X-Forwarded-Proto": "https"})
        assert forwarded.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "strict-transport-security" not in (await behind_proxy.get(REGIONS)).headers
    async with open_gateway() as (app, _):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="https://testserver") as tls:
            response = await tls.get(REGIONS)
            assert "max-age=" in response.headers["strict-transport-security"]


async def test_a_declared_oversized_body_is_413_without_reaching_a_service(
    edge: tuple[FastAPI, httpx2.AsyncClient],
) -> None:
    _, client = edge
    for path in ("/api/v1/users", "/api/v1/offers/import"):
        response = await client.post(path, content=b"x" * (MAX_BODY + 1))
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert str(MAX_BODY) in response.json()["detail"]
    assert (await client.post("/api/v1/offers/import", content=b"x" * MAX_BODY)).status_code == 200


async def _chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 1024):
        yield b"x" * 1024


async def test_a_streamed_oversized_body_is_413(edge: tuple[FastAPI, httpx2.AsyncClient]) -> None:
    _, client = edge
    for path in ("/api/v1/auth/login", "/api/v1/offers/import"):
        response = await client.post(
            path, content=_chunks(MAX_BODY * 4), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413, path
        assert response.headers["content-type"] == "application/problem+json"
    form = await client.post(
        "/api/v1/auth/token",
        content=_chunks(MAX_BODY * 4),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 413
    small = await client.post("/api/v1/offers/import", content=_chunks(MAX_BODY))
    assert small.status_code == 200
    assert small.json()["body_size"] == MAX_BODY


async def test_cors_only_for_configured_origins(edge: tuple[FastAPI, httpx2.AsyncClient]) -> None:
    _, client = edge
    allowed = await client.get(REGIONS, headers={"Origin": "https://app.kafaat.ma"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.kafaat.ma"
    unknown = await client.get(REGIONS, headers={"Origin": "https://evil.example"})
    assert unknown.status_code == 200
    assert "access-control-allow-origin" not in unknown.headers
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = await client.options(
        "/api/v1/users",
        headers=preflight
        | {"Origin": "https://app.kafaat.ma", "Access-Control-Request-Headers": "authorization"},
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://app.kafaat.ma"
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    refused = await client.options(
        "/api/v1/users", headers=preflight | {"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in refused.headers
    proxied = await client.get("/api/v1/offers", headers={"Origin": "https://app.kafaat.ma"})
    assert proxied.headers["access-control-allow-origin"] == "https://app.kafaat.ma"


async def test_no_cors_grant_when_no_origin_is_configured(client: httpx2.AsyncClient) -> None:
    response = await client.get(REGIONS, headers={"Origin": "https://app.kafaat.ma"})
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options(
        REGIONS,
        headers={"Origin": "https://app.kafaat.ma", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_bulk_uploads_have_a_limit_of_their_own(open_gateway: OpenGateway) -> None:
    upload_limit = MAX_BODY * 8
    async with (
        serve_echo() as echo_url,
        open_gateway(
            offers_url=AnyHttpUrl(echo_url),
            max_body_bytes=MAX_BODY,
            max_upload_bytes=upload_limit,
        ) as (_, client),
    ):
        file = b"x" * (MAX_BODY * 4)
        # Larger than any other request may be, within the import's limit: it reaches offers.
        accepted = await client.post("/api/v1/offers/import", content=file)
        assert accepted.status_code == 200
        assert accepted.json()["body_size"] == len(file)
        streamed = await client.post("/api/v1/offers/import", content=_chunks(len(file)))
        assert streamed.status_code == 200
        # The same body elsewhere, even under the import's own prefix, is refused.
        for path in ("/api/v1/offers", "/api/v1/offers/import/x", "/api/v1/users"):
            refused = await client.post(path, content=file)
            assert refused.status_code == 413, path
            assert str(MAX_BODY) in refused.json()["detail"]
        too_large = await client.post("/api/v1/offers/import", content=_chunks(upload_limit * 2))
        assert too_large.status_code == 413
        assert too_large.headers["content-type"] == "application/problem+json"
        assert str(upload_limit) in too_large.json()["detail"]
