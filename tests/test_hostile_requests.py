"""Any byte sequence in a path, a query or a header gets an answer below 500 (a 4xx is a
problem+json), from the gateway in front of the real offers service and from the offers
application itself, on each backend.

A bounded, generated list rather than random draws: every byte 0x00-0xff percent-encoded in a
path segment and in a query value, raw control and non-ASCII bytes (which only an in-process
call can send: servers refuse them first), invalid UTF-8, and those bytes in each header the
platform interprets. Requests are ASGI calls made by hand, so nothing normalises them on the way.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
from asgi_lifespan import LifespanManager
from pydantic import AnyHttpUrl, SecretStr
from starlette.types import ASGIApp, Message

from gateway.main import create_app as create_gateway
from gateway.settings import Settings as GatewaySettings
from kafaat.testing import Platform
from offers.main import create_app as create_offers
from offers.settings import Settings as OffersSettings
from shared.settings import Environment
from shared.testing import Keys

GENEROUS = "1000000/minute"
CONTROL = [*range(0x00, 0x20), 0x7F]
INVALID_UTF8 = [
    b"%C3",
    b"%C3%28",
    b"%E2%82",
    b"%E2%28%A1",
    b"%F0%28%8C%BC",
    b"%ED%A0%80",  # a surrogate
    b"%C0%AF",  # an overlong '/'
    b"%F8%88%80%80%80",
    b"%FE%FF",
]
HEADERS = [
    b"authorization",
    b"idempotency-key",
    b"if-match",
    b"if-none-match",
    b"content-type",
    b"accept",
    b"accept-language",
    b"x-request-id",
    b"x-forwarded-for",
    b"x-forwarded-proto",
]
HEADER_VALUES = [
    *(bytes([byte]) for byte in CONTROL),
    *(bytes([byte]) for byte in (0x80, 0xA0, 0xC3, 0xFF)),
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"Bearer \x00",
    b"Bearer \xff\xfe",
    b'"\x0c"',
    b"W/\x7f",
    b"a" * 9000,
]


@dataclass(frozen=True)
class Hostile:
    method: str
    path: bytes  # raw, as on the request line; after /api for the gateway
    query: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.method} {self.path!r}?{self.query!r} {self.headers!r}"[:200]


def hostile_requests() -> Iterator[Hostile]:
    encoded = [f"%{byte:02X}".encode() for byte in range(256)] + INVALID_UTF8
    for index, escape in enumerate(encoded):
        method = ("GET", "DELETE", "PATCH")[index % 3]
        yield Hostile(method, b"/v1/providers/" + escape)
        yield Hostile("GET", b"/v1/offers/D" + escape + b"/jsonld")
        yield Hostile("DELETE", b"/v1/sessions/%3E%C2%AD" + escape + b"W")
        yield Hostile("GET", b"/v1/offers", b"q=" + escape + b"&region=" + escape)
    for byte in [*CONTROL, *range(0x80, 0x100)]:
        raw = bytes([byte])
        yield Hostile("GET", b"/v1/offers/" + raw)
        yield Hostile("GET", b"/v1/offers", b"q=" + raw)
    for name in HEADERS:
        for value in HEADER_VALUES:
            yield Hostile("GET", b"/v1/offers", headers=((name, value),))
            yield Hostile("POST", b"/v1/offers", headers=((name, value),))


HOSTILE = list(hostile_requests())


async def call(app: ASGIApp, request: Hostile, base_headers: list[tuple[bytes, bytes]]) -> Any:
    """One request straight into ``app``; its status, headers and body."""
    replaced = {name for name, _ in request.headers}
    headers = [(n, v) for n, v in base_headers if n not in replaced] + list(request.headers)
    body = b'{"title_fr": "x"}' if request.method in ("POST", "PATCH") else b""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        # What uvicorn does: percent-decoded, as text.
        "path": unquote(request.path.decode("latin-1"), encoding="utf-8", errors="replace"),
        "raw_path": request.path,
        "query_string": request.query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[Message] = []
    received = False

    async def receive() -> Message:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)
    except Exception as exc:  # a server answers 500 for it
        return 500, {}, repr(exc).encode()
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start.get("headers", [])), content


def check(request: Hostile, status: int, headers: dict[bytes, bytes], content: bytes) -> str:
    """Why the answer is wrong, or ''."""
    if status >= 500:
        return f"{status} for {request}: {content[:300]!r}"
    if status >= 400:
        if headers.get(b"content-type") != b"application/problem+json":
            return f"{status} without a problem for {request}"
        if json.loads(content)["status"] != status:
            return f"{status} with another status in its problem for {request}"
    return ""


@asynccontextmanager
async def started(app: ASGIApp) -> AsyncIterator[ASGIApp]:
    async with LifespanManager(app) as manager:
        yield manager.app


@pytest.fixture(scope="session")
async def offers_in_process(platform: Platform, keys: Keys) -> AsyncIterator[ASGIApp]:
    """The offers application, on the platform's offers database."""
    settings = OffersSettings(
        environment=Environment.TEST,
        database_url=platform.database_urls["offers"],
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_json=False,
    )
    async with started(create_offers(settings)) as app:
        yield app


@pytest.fixture(scope="session")
async def gateway_in_process(platform: Platform, keys: Keys) -> AsyncIterator[ASGIApp]:
    """A gateway (limits out of the way) in front of the platform's real offers process."""
    settings = GatewaySettings(
        environment=Environment.TEST,
        database_url=platform.database_urls["gateway"],
        service_token_private_key=SecretStr(keys.private_pem.decode()),
        offers_url=AnyHttpUrl(platform.url("offers")),
        rate_limit_per_ip=GENEROUS,
        rate_limit_per_principal=GENEROUS,
        rate_limit_auth_per_ip=GENEROUS,
        log_json=False,
    )
    async with started(create_gateway(settings)) as app:
        yield app


async def test_the_gateway_never_answers_500_to_hostile_bytes(
    gateway_in_process: ASGIApp,
) -> None:
    wrong = []
    for request in HOSTILE:
        proxied = Hostile(request.method, b"/api" + request.path, request.query, request.headers)
        wrong.append(check(proxied, *await call(gateway_in_process, proxied, [])))
    assert [w for w in wrong if w] == []


async def test_the_offers_service_never_answers_500_to_hostile_bytes(
    offers_in_process: ASGIApp, keys: Keys
) -> None:
    token = keys.headers("offers")["Authorization"].encode()
    wrong = []
    for request in HOSTILE:
        status, headers, content = await call(
            offers_in_process, request, [(b"authorization", token)]
        )
        wrong.append(check(request, status, headers, content))
    assert [w for w in wrong if w] == []


@pytest.mark.parametrize(
    "path",
    [
        b"/v1/offers/../../metrics",
        b"/v1/offers/%2e%2e/%2e%2e/readyz",
        b"/v1/offers/%2e%2e/%2e%2e/v1/stats/supply",
        b"/v1/offers/.%2E/readyz",
        b"/v1/offers/..%2f..%2fmetrics",
        b"/v1/offers/..%5Creadyz",
    ],
)
async def test_dot_segments_name_no_resource_in_any_application(
    gateway_in_process: ASGIApp, offers_in_process: ASGIApp, keys: Keys, path: bytes
) -> None:
    token = keys.headers("offers")["Authorization"].encode()
    for app, target in ((gateway_in_process, b"/api" + path), (offers_in_process, path)):
        status, headers, content = await call(
            app, Hostile("GET", target), [(b"authorization", token)]
        )
        assert status == 404, (target, content)
        assert headers[b"content-type"] == b"application/problem+json"
        assert json.loads(content)["errors"][0]["field"] == "path"
