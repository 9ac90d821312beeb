"""Forwarded addresses are believed only from the configured proxy networks: the client is the
right-most ``X-Forwarded-For`` hop that is not a trusted proxy, and ``X-Forwarded-Proto`` counts
(for HSTS) only from a trusted peer. The in-process client's peer address is 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from ipaddress import ip_network
from typing import Any

import httpx2
import pytest
from pydantic import AnyHttpUrl, ValidationError

from gateway.settings import Settings
from shared.forwarded import TrustedProxies, parse_networks
from shared.testing.echo import serve_echo

from .conftest import OpenGateway

LOGIN = "/api/v1/auth/login"
WRONG = {"email": "amina@example.org", "password": "wrong password!!"}
# The in-process client (127.0.0.1) stands for the edge; 10.0.0.0/8 for an ingress in front.
BEHIND_THE_EDGE = ["127.0.0.1/32", "10.0.0.0/8"]


def test_trusted_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFAAT_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,fd00::/8")
    assert Settings().trusted_proxies == [
        ip_network("10.0.0.0/8"),
        ip_network("192.168.1.7/32"),
        ip_network("fd00::/8"),
    ]
    monkeypatch.setenv("KAFAAT_GATEWAY_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("KAFAAT_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, the-edge")
    with pytest.raises(ValidationError, match=r"trusted_proxies\n.*'the-edge' is not a network"):
        Settings()


def _scope(peer: str, *headers: tuple[str, str], scheme: str = "http") -> dict[str, Any]:
    return {
        "type": "http",
        "scheme": scheme,
        "client": (peer, 5000),
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
    }


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # From an untrusted peer, X-Forwarded-For is the client's own say: ignored.
        ("203.0.113.50", ["198.51.100.1"], "203.0.113.50"),
        # The edge (trusted) forwards the client it saw.
        ("127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        # An ingress (trusted) in front of the edge: the client's forged hops on the left lose.
        ("127.0.0.1", ["6.6.6.6, 203.0.113.9, 10.1.2.3"], "203.0.113.9"),
        # Several header lines are one list.
        ("127.0.0.1", ["6.6.6.6", "203.0.113.9", "10.1.2.3"], "203.0.113.9"),
        # Only proxies of ours: the farthest is the closest we know to the client.
        ("127.0.0.1", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),
        # A trusted peer that forwarded nothing is the client.
        ("127.0.0.1", [], "127.0.0.1"),
        # Garbage in a hop is not an address we trust: it stops the walk (and counts alone).
        ("127.0.0.1", ["203.0.113.9, not-an-address"], "not-an-address"),
    ],
)
def test_the_client_is_the_rightmost_untrusted_hop(
    peer: str, forwarded: list[str], client: str
) -> None:
    trusted = TrustedProxies(parse_networks(BEHIND_THE_EDGE))
    scope = _scope(peer, *(("X-Forwarded-For", value) for value in forwarded))
    assert trusted.client_address(scope) == client


def test_the_scheme_is_believed_from_a_trusted_peer_only() -> None:
    trusted = TrustedProxies(parse_networks(BEHIND_THE_EDGE))
    https = ("X-Forwarded-Proto", "https")
    assert trusted.scheme(_scope("127.0.0.1", https)) == "https"
    assert trusted.scheme(_scope("203.0.113.50", https)) == "http"
    assert trusted.scheme(_scope("203.0.113.50", scheme="https")) == "https"
    assert TrustedProxies().scheme(_scope("127.0.0.1", https)) == "http"


async def _locks_out_after_three(client: httpx2.AsyncClient, address: str) -> None:
    headers = {"X-Forwarded-For": address}
    for _ in range(3):
        assert (await client.post(LOGIN, json=WRONG, headers=headers)).status_code == 401
    limited = await client.post(LOGIN, json=WRONG, headers=headers)
    assert limited.status_code == 429
    assert limited.json()["type"].endswith("/rate-limited")


async def test_clients_behind_a_trusted_proxy_have_their_own_counters(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(
        trusted_proxies=BEHIND_THE_EDGE, rate_limit_auth_per_ip="3/minute", login_max_failures=50
    ) as (_, client):
        await _locks_out_after_three(client, "203.0.113.1, 10.0.0.7")
        # Another client behind the same ingress still signs in (and fails) on its own budget.
        other = await client.post(LOGIN, json=WRONG, headers={"X-Forwarded-For": "203.0.113.2"})
        assert other.status_code == 401


async def test_an_untrusted_peers_forwarded_address_is_ignored(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(
        trusted_proxies=["10.0.0.0/8"], rate_limit_auth_per_ip="3/minute", login_max_failures=50
    ) as (_, client):
        await _locks_out_after_three(client, "203.0.113.1")
        # A made-up address is no fresh budget: the peer (127.0.0.1) is the client.
        forged = await client.post(LOGIN, json=WRONG, headers={"X-Forwarded-For": "203.0.113.2"})
        assert forged.status_code == 429


@pytest.fixture
async def echo_url() -> AsyncIterator[str]:
    async with serve_echo() as url:
        yield url


async def test_services_receive_the_client_as_the_gateway_decided(
    open_gateway: OpenGateway, echo_url: str
) -> None:
    forwarded = {
        "X-Forwarded-For": "6.6.6.6, 203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "api.kafaat.ma",
    }
    async with open_gateway(offers_url=AnyHttpUrl(echo_url), trusted_proxies=BEHIND_THE_EDGE) as (
        _,
        behind_edge,
    ):
        response = await behind_edge.get("/api/v1/offers", headers=forwarded)
        headers = dict(response.json()["headers"])
        assert headers["x-forwarded-for"] == "203.0.113.9"
        assert headers["x-forwarded-proto"] == "https"
        assert headers["x-forwarded-host"] == "api.kafaat.ma"
        # Behind TLS (as the trusted proxy says), HSTS on the proxied answer.
        assert response.headers["strict-transport-security"].startswith("max-age=")
    async with open_gateway(offers_url=AnyHttpUrl(echo_url)) as (_, exposed):
        response = await exposed.get("/api/v1/offers", headers=forwarded)
        headers = dict(response.json()["headers"])
        assert headers["x-forwarded-for"] == "127.0.0.1"
        assert headers["x-forwarded-proto"] == "http"
        assert headers["x-forwarded-host"] == "testserver"
        assert "strict-transport-security" not in response.headers
