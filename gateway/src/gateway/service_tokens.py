"""Mints the service tokens the gateway attaches to every proxied request.

Signing costs more CPU than the rest of the proxy path, so a token is reused for the same
caller and service for a third of its lifetime; an edge proxy may cache it for another third
(see forward_auth), and services never accept one past its expiry.
"""

from __future__ import annotations

import time

from shared.principal import Principal
from shared.tokens import ServiceTokenSigner

_CACHE_LIMIT = 10_000


class ServiceTokenMinter:
    def __init__(self, signer: ServiceTokenSigner) -> None:
        self.signer = signer
        self._reuse_for = signer.lifetime_seconds / 3
        self._cache: dict[tuple[Principal, str], tuple[float, str]] = {}

    def token_for(self, principal: Principal, audience: str) -> str:
        now = time.monotonic()
        key = (principal, audience)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        token = self.signer.sign(principal, audience)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (now + self._reuse_for, token)
        return token
