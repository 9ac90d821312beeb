"""Turns a client's credentials into the principal forwarded to services.

``Authorization: Bearer <access token>`` of a person or an API client becomes their principal;
no header is the anonymous caller; anything else is a 401. The token is verified without a
database query (see ``gateway.identity.tokens``), and a verified token is remembered until it
expires, so the proxy pays for a signature check once per token rather than once per request.
"""

from __future__ import annotations

import time

from gateway.identity.tokens import AccessTokenVerifier, InvalidAccessToken
from shared.principal import ANONYMOUS, Principal
from shared.problems import ProblemError

_CACHE_LIMIT = 10_000


def unauthenticated(code: str, *, error: str = "invalid_token", **params: object) -> ProblemError:
    return ProblemError(
        401,
        code,
        params=params,
        slug="unauthenticated",
        headers={"WWW-Authenticate": f'Bearer realm="kafaat", error="{error}"'},
    )


class PrincipalResolver:
    """``await resolver(authorization_header) -> Principal`` (the proxy's and routes' contract)."""

    def __init__(self, verifier: AccessTokenVerifier) -> None:
        self.verifier = verifier
        self._cache: dict[str, tuple[float, Principal]] = {}

    async def __call__(self, authorization: str | None) -> Principal:
        return self.resolve(authorization)

    def resolve(self, authorization: str | None) -> Principal:
        return self.resolve_with_expiry(authorization)[0]

    def resolve_with_expiry(self, authorization: str | None) -> tuple[Principal, float | None]:
        """The principal and when its credentials expire (epoch seconds; None: never, for the
        anonymous caller)."""
        if not authorization:
            return ANONYMOUS, None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise unauthenticated("bearer_token_missing", error="invalid_request")
        now = time.time()
        cached = self._cache.get(token)
        if cached is not None and cached[0] > now:
            return cached[1], cached[0]
        try:
            verified = self.verifier.verify(token)
        except InvalidAccessToken as exc:
            raise unauthenticated("access_token_invalid", error=str(exc)) from exc
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        # Kept until the token's own expiry, never longer.
        self._cache[token] = (verified.expires_at, verified.principal)
        return verified.principal, verified.expires_at

    def resolve_quietly(self, authorization: str | None) -> Principal:
        """The principal, or anonymous when the credentials are not valid (for rate limiting:
        the 401 itself is answered further in)."""
        try:
            return self.resolve(authorization)
        except ProblemError:
            return ANONYMOUS
