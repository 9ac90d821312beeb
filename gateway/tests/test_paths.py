"""Request targets and headers no route may see: refused by the request guard before routing,
rate limiting or proxying. The gateway runs on a real server (uvicorn decodes the path as in
production) in front of the echo upstream, which answers 200 to whatever reaches it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from pydantic import AnyHttpUrl

from shared.testing import TEST_LANGUAGE_HEADERS, serve
from shared.testing.echo import serve_echo

from .conftest import OpenGateway

# Each of these reached /metrics, /readyz or an internal service route through the proxy.
DOT_SEGMENTS_AND_ENCODED_SLASHES = [
    "/api/v1/offers/../../metrics",
    "/api/v1/offers/%2e%2e/%2e%2e/readyz",
    "/api/v1/offers/%2e%2e/%2e%2e/v1/stats/supply",
    "/api/v1/offers/%2E%2E/%2E%2E/metrics",
    "/api/v1/offers/.%2e/.%2E/readyz",
    "/api/v1/offers/%2e./%2e./readyz",
    "/api/v1/offers/./../../healthz",
    "/api/v1/offers/%2e/../../readyz",
    "/api/v1/offers/..%2f..%2fmetrics",
    "/api/v1/offers%2f..%2f..%2fmetrics",
    "/api/v1/offers/%2e%2e%2f%2e%2e%2freadyz",
    "/api/v1/offers/..%5c..%5cmetrics",
    "/api/v1/offers/..%5C..%5Cv1%5Cstats%5Csupply",
    "/api/v1/offers/..\\..\\metrics",
    "/api/v1/sessions/../../internal/forward-auth",
    "/api/v1/networks/../offers/1",
    "/api/v1/reference/../../../metrics",
    "/api/v1/offers/..",
    "/api/v1/offers/.",
    "/api/v1/offers/%2e%2e",
    "/api/v1/offers/%2e%2e?next=/metrics",
]
# Each of these answered 500 (the proxy could not build the upstream URL).
CONTROL_CHARACTERS = [
    ("GET", "/api/v1/providers/%18"),
    ("GET", "/api/v1/offers/D%0C/jsonld"),
    ("DELETE", "/api/v1/sessions/%3E%C2%AD%0CW"),
    ("GET", "/api/v1/offers/%00"),
    ("GET", "/api/v1/offers/%7F"),
    ("GET", "/api/v1/offers/%FF%FE"),
    ("GET", "/api/v1/offers?q=%00"),
    ("GET", "/api/v1/offers?q=%C3"),
    ("GET", "/api/v1/reference/regions/%0A"),
]


@pytest.fixture
async def gateway(open_gateway: OpenGateway) -> AsyncIterator[httpx2.AsyncClient]:
    async with (
        serve_echo() as echo_url,
        open_gateway(
            offers_url=AnyHttpUrl(echo_url),
            beneficiaries_url=AnyHttpUrl(echo_url),
            network_url=AnyHttpUrl(echo_url),
        ) as (app, _),
        serve(app) as url,
        httpx2.AsyncClient(base_url=url, trust_env=False) as client,
    ):
        yield client


async def _raw(client: httpx2.AsyncClient, method: str, target: str) -> httpx2.Response:
    # Sent byte for byte: httpx would otherwise resolve the dot segments itself.
    return await client.request(method, "/", extensions={"target": target.encode()})


def _is_problem(response: httpx2.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("target", DOT_SEGMENTS_AND_ENCODED_SLASHES)
async def test_dot_segments_and_encoded_slashes_are_refused_before_routing(
    gateway: httpx2.AsyncClient, target: str
) -> None:
    response = await _raw(gateway, "GET", target)
    _is_problem(response, 404)
    assert response.json()["errors"][0]["field"] == "path"


async def test_ordinary_paths_still_reach_the_service(gateway: httpx2.AsyncClient) -> None:
    # Dots inside a segment, or three of them, are no dot segment.
    for target in ("/api/v1/offers/abc..def/x", "/api/v1/offers/%2E%2E.x", "/api/v1/offers/..."):
        assert (await _raw(gateway, "GET", target)).status_code == 200, target
    echoed = (await _raw(gateway, "GET", "/api/v1/offers/caf%C3%A9%20x?q=a%26b")).json()
    assert echoed["path"] == "/v1/offers/café x"
    assert echoed["query"] == "q=a%26b"


@pytest.mark.parametrize(("method", "target"), CONTROL_CHARACTERS)
async def test_control_characters_and_broken_utf8_are_a_400_problem(
    gateway: httpx2.AsyncClient, method: str, target: str
) -> None:
    response = await _raw(gateway, method, target)
    _is_problem(response, 400)
    field = "query" if "?" in target else "path"
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "name", ["Authorization", "Idempotency-Key", "If-Match", "X-Forwarded-Proto", "X-Request-ID"]
)
@pytest.mark.parametrize("path", ["/api/v1/offers", "/api/v1/auth/me"])
async def test_a_repeated_identity_or_write_header_is_a_400_problem(
    open_gateway: OpenGateway, name: str, path: str
) -> None:
    async with (
        serve_echo() as echo_url,
        open_gateway(offers_url=AnyHttpUrl(echo_url), rate_limit_per_ip="2/minute") as (app, _),
        serve(app) as url,
        httpx2.AsyncClient(base_url=url, trust_env=False, headers=TEST_LANGUAGE_HEADERS) as client,
    ):
        for _ in range(3):
            response = await client.get(path, headers=[(name, "Bearer one"), (name, "Bearer two")])
            _is_problem(response, 400)
            assert response.json()["errors"] == [
                {
                    "field": f"header.{name.lower()}",
                    "reason": "sent more than once",
                    "code": "duplicate",
                }
            ]
            # Refused before the rate limiter counted it (and before any service saw it).
            assert "ratelimit-limit" not in response.headers
        assert (await client.get("/api/v1/offers")).status_code == 200
