"""Who is calling, behind proxies: forwarded headers are believed only from trusted networks.

A client can write any ``X-Forwarded-*`` header it likes; only a proxy we run (the edge, the
ingress) can be believed. :class:`TrustedProxies` holds the networks of those proxies: when the
socket peer is in one, the client address is the right-most ``X-Forwarded-For`` hop that is not
itself a trusted proxy (hops further left were written by the client: forgeable), and
``X-Forwarded-Proto``/``X-Forwarded-Host`` are honoured; from anyone else they are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.types import Scope

Network = IPv4Network | IPv6Network


def parse_networks(value: str | Iterable[str]) -> list[Network]:
    """CIDRs separated by commas or spaces (``10.0.0.0/8, 192.168.0.0/16``); a bare address is a
    network of one. Raises ``ValueError`` naming the entry that is not a network."""
    entries = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    networks = []
    for entry in entries:
        try:
            networks.append(ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"'{entry}' is not a network such as '10.0.0.0/8'") from exc
    return networks


def header_values(scope: Scope, name: bytes) -> list[bytes]:
    """Every value of a request header, in order (names are lower-case in ASGI)."""
    return [value for key, value in scope["headers"] if key == name]


def _list_items(values: list[bytes]) -> list[str]:
    # Several header lines of a list header are one comma-separated list (RFC 9110 §5.3).
    return [item.strip() for value in values for item in value.decode("latin-1").split(",")]


class TrustedProxies:
    """The proxies whose forwarded headers are believed; none by default."""

    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        if not self.networks:
            return False
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    @staticmethod
    def peer(scope: Scope) -> str:
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    def peer_is_trusted(self, scope: Scope) -> bool:
        return self.trusts(self.peer(scope))

    def client_address(self, scope: Scope) -> str:
        """The caller's address: the socket peer, or behind trusted proxies the right-most
        forwarded hop that is not one of them."""
        peer = self.peer(scope)
        if not self.trusts(peer):
            return peer
        hops = [hop for hop in _list_items(header_values(scope, b"x-forwarded-for")) if hop]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        # Every hop is one of ours: the left-most is the closest we know to the client.
        return hops[0] if hops else peer

    def scheme(self, scope: Scope) -> str:
        """``https`` when the request came over TLS, to us or to the trusted proxy in front."""
        scheme = str(scope.get("scheme", "http"))
        if scheme == "https" or not self.peer_is_trusted(scope):
            return scheme
        # The scheme the first proxy saw is the one the client used.
        forwarded = _list_items(header_values(scope, b"x-forwarded-proto"))
        if forwarded and forwarded[0].lower() in ("http", "https"):
            return forwarded[0].lower()
        return scheme

    def host(self, scope: Scope) -> str | None:
        """The host the client asked for (``X-Forwarded-Host`` from a trusted proxy)."""
        if self.peer_is_trusted(scope):
            forwarded = _list_items(header_values(scope, b"x-forwarded-host"))
            if forwarded and forwarded[0]:
                return forwarded[0]
        hosts = header_values(scope, b"host")
        return hosts[0].decode("latin-1") if hosts else None
