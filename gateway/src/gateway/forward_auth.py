"""Forward-auth for an edge proxy (nginx ``auth_request``, Envoy ``ext_authz``, Traefik).

With an edge proxy as the data plane, the edge asks the gateway who the caller is and forwards the
request itself: the gateway answers 204 with the owning service and a service token for it, or the
problem the client must see (401, 403, 404, 429). The edge caches an answer per
(``Authorization``, service) for as long as ``X-Accel-Expires`` says, which nginx honours over
its own ``proxy_cache_valid``: :data:`AUTH_CACHE_SECONDS` (less than half a service token's
lifetime, so a cached service token is always valid), or less when the caller's access token
expires sooner, so a cached decision never outlives the credentials it was made for. Each call
is rate-limited as one request of the caller it asks about (see ``gateway.identity.rate_limits``).

The endpoint answers only callers presenting the configured edge secret, and does not exist at
all when none is configured, so a client can never obtain a service token directly.
"""

from __future__ import annotations

import hmac
import math
import time
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from gateway.principals import PrincipalResolver
from gateway.proxy import Proxy
from gateway.routing import resolve
from gateway.settings import Settings
from shared.auth import public
from shared.problems import ProblemError, problem_responses

FORWARD_AUTH_PATH = "/internal/forward-auth"
# The longest an edge may keep a decision: less than half the shortest service-token lifetime
# (60 s at most, see the settings), so a cached token is always valid when the edge uses it.
AUTH_CACHE_SECONDS = 25
router = APIRouter(tags=["internal"])


def _not_found() -> ProblemError:
    return ProblemError(404, "no_service_for_path", slug="not-found")


@router.get(
    FORWARD_AUTH_PATH,
    status_code=204,
    include_in_schema=False,
    responses=problem_responses(401, 403, 404),
)
@public  # authenticated by the edge secret below, then by the caller's own credentials
async def forward_auth(
    request: Request,
    original_uri: Annotated[str, Header(alias="X-Original-URI")],
    edge_secret: Annotated[str | None, Header(alias="X-Kafaat-Edge-Secret")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    settings: Settings = request.app.state.settings
    expected = settings.edge_secret
    if expected is None or edge_secret is None:
        raise ProblemError(404, "http_404", slug="not-found")
    if not hmac.compare_digest(edge_secret.encode(), expected.get_secret_value().encode()):
        raise ProblemError(404, "http_404", slug="not-found")
    target = resolve(original_uri.split("?", 1)[0])
    if target is None:
        raise _not_found()
    service = target[0].service
    proxy: Proxy = request.app.state.proxy
    resolver: PrincipalResolver = request.app.state.identity.resolver
    principal, expires_at = resolver.resolve_with_expiry(authorization)
    token = proxy.minter.token_for(principal, service)
    return Response(
        status_code=204,
        headers={
            "X-Kafaat-Service": service,
            "X-Kafaat-Service-Token": token,
            "X-Accel-Expires": str(cache_seconds(expires_at, settings)),
        },
    )


def cache_seconds(expires_at: float | None, settings: Settings) -> int:
    """How long the edge may keep this decision: 0 (not at all) once under a second is left."""
    longest = min(AUTH_CACHE_SECONDS, settings.service_token_lifetime_seconds // 2 - 1)
    if expires_at is None:
        return longest
    return max(0, min(longest, math.floor(expires_at - time.time())))
