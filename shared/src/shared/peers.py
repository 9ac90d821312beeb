"""Calls from one service to another on behalf of the service's caller.

A service that needs a peer (beneficiaries reserving a seat in offers) holds one
:class:`PeerClient` per peer for the life of the process (opened in ``lifespan``). Each call
carries a peer token signed with the service's own key (:class:`shared.tokens.PeerTokenSigner`)
naming the original caller and the acting service, and the request id of the work it belongs to.
The peer's problem+json answers come back as :class:`PeerError`; a peer that cannot be reached, is
too slow or answers 502/503/504 is :class:`PeerUnavailable`, which a route answers as 503. Whether
the call took effect is then unknown: the caller must have recorded its intent before calling and
call with an idempotency key, so that a retry (or a compensation) can settle it later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx2

from shared.observability import current_request_id
from shared.principal import Principal
from shared.problems import ProblemError
from shared.settings import PeerCallerSettings
from shared.tokens import PeerTokenSigner, development_keypair

logger = logging.getLogger("kafaat.peers")

# Statuses that say the peer (or what is in front of it) cannot serve now, not that it refused.
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


class PeerError(Exception):
    """The peer answered with an error; ``problem`` is its problem+json body (or a stand-in)."""

    def __init__(self, peer: str, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{peer} answered {status}: {problem.get('detail') or ''}")
        self.peer = peer
        self.status = status
        self.problem = problem

    @property
    def slug(self) -> str | None:
        """The last segment of the problem's ``type`` (``no-seats-left``), if it has one."""
        kind = self.problem.get("type")
        if not isinstance(kind, str) or kind == "about:blank":
            return None
        return kind.rstrip("/").rsplit("/", 1)[-1]


class PeerUnavailable(PeerError):
    """The peer could not be reached or could not serve; the call may or may not have happened."""

    def __init__(self, peer: str, reason: str) -> None:
        super().__init__(peer, 503, {"detail": reason})
        self.reason = reason

    def as_problem(self, code: str = "peer_unavailable") -> ProblemError:
        """The 503 a route answers for it (``code``'s detail tells the caller what happens next;
        it may name the service: ``{service}``)."""
        return ProblemError(
            503,
            code,
            params={"service": self.peer},
            slug="peer-unavailable",
            headers={"Retry-After": "5"},
            extra={"service": self.peer},
        )


def peer_signer(settings: PeerCallerSettings, service: str) -> PeerTokenSigner:
    """The signer of ``service``'s peer tokens: its configured key, or in development one
    generated under ``var_dir`` (:func:`development_peer_key`)."""
    if settings.peer_token_private_key is not None:
        pem = settings.peer_token_private_key.get_secret_value().encode()
    else:
        pem, _ = development_peer_key(settings.var_dir, service)
    return PeerTokenSigner.from_pem(
        pem, service, lifetime_seconds=settings.peer_token_lifetime_seconds
    )


def development_peer_key(var_dir: Path, service: str) -> tuple[bytes, bytes]:
    """``service``'s development peer-token key pair (private, public PEM), created on first
    use; ``make run`` hands the public key to the peers it calls."""
    return development_keypair(var_dir, f"{service}-peer-token")


class PeerClient:
    """The one HTTP client of a service towards one peer (open it in ``lifespan``)."""

    def __init__(
        self,
        peer: str,
        base_url: str,
        signer: PeerTokenSigner,
        *,
        connect_timeout: float = 2.0,
        timeout: float = 10.0,
        max_connections: int = 20,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.peer = peer
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self._timeout = httpx2.Timeout(timeout, connect=connect_timeout, pool=connect_timeout)
        self._limits = httpx2.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._transport = transport
        self._client: httpx2.AsyncClient | None = None

    @classmethod
    def from_settings(
        cls, settings: PeerCallerSettings, service: str, peer: str, base_url: str
    ) -> PeerClient:
        return cls(
            peer,
            base_url,
            peer_signer(settings, service),
            connect_timeout=settings.peer_connect_timeout,
            timeout=settings.peer_timeout,
        )

    def open(self) -> None:
        self._client = httpx2.AsyncClient(
            base_url=self.base_url,
            timeout=self._timeout,
            limits=self._limits,
            transport=self._transport,
            trust_env=False,
            follow_redirects=False,
            # Services speak English to each other: a peer's detail may end up in a log, in a
            # record's history or inside another problem's detail.
            headers={"Accept-Language": "en"},
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(
        self,
        method: str,
        path: str,
        principal: Principal,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> httpx2.Response:
        """Call the peer for ``principal``; a 2xx answer is returned, anything else raised."""
        if self._client is None:
            raise RuntimeError("the peer client is not open (open it in the app's lifespan)")
        request_id = request_id or current_request_id()
        token = self.signer.sign(principal, self.peer, request_id=request_id)
        sent = {"Authorization": f"Bearer {token}", **(headers or {})}
        if request_id:
            sent["X-Request-ID"] = request_id
        try:
            response = await self._client.request(method, path, json=json, headers=sent)
        except httpx2.TransportError as exc:  # refused, reset, timed out
            reason = type(exc).__name__
            logger.warning("%s unreachable: %s %s (%s)", self.peer, method, path, reason)
            raise PeerUnavailable(self.peer, reason) from exc
        if response.is_success:
            return response
        if response.status_code in UNAVAILABLE_STATUSES:
            raise PeerUnavailable(self.peer, f"it answered {response.status_code}")
        raise PeerError(self.peer, response.status_code, _problem_of(response))


def _problem_of(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"status": response.status_code, "detail": response.reason_phrase}
