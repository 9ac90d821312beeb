"""Forward-auth for an edge proxy (nginx ``auth_request``, Envoy ``ext_authz``, Traefik).

With an edge proxy as the data plane, the edge asks the gateway who the caller is and forwards the
request itself: the gateway answers 204 with the owning service and a service token for it, or the
problem the client must see (401, 403, 404, 429). The edge may cache an answer per
(``Authorization``, service) for less than half the token's lifetime.

The endpoint answers only callers presenting the configured edge secret, and does not exist at
all when none is configured, so a client can never obtain a service token directly.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from gateway.proxy import Proxy
from gateway.routing import resolve
from gateway.settings import Settings
from shared.auth import public
from shared.problems import ProblemError, problem_responses

FORWARD_AUTH_PATH = "/internal/forward-auth"
router = APIRouter(tags=["internal"])


def _not_found() -> ProblemError:
    return ProblemError(404, "No service owns this path.", slug="not-found")


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
        raise ProblemError(404, slug="not-found")
    if not hmac.compare_digest(edge_secret.encode(), expected.get_secret_value().encode()):
        raise ProblemError(404, slug="not-found")
    target = resolve(original_uri.split("?", 1)[0])
    if target is None:
        raise _not_found()
    service = target[0].service
    proxy: Proxy = request.app.state.proxy
    principal = await proxy.resolve_principal(authorization)
    token = proxy.minter.token_for(principal, service)
    return Response(
        status_code=204,
        headers={"X-Kafaat-Service": service, "X-Kafaat-Service-Token": token},
    )
