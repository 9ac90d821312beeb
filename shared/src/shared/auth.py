"""Deny-by-default authentication of every service route by the gateway's service token.

Every route needs a valid service token unless its endpoint is marked with ``@public``. The
check runs as an application-wide dependency, so a new route is protected without anyone
remembering to protect it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from shared.principal import Principal
from shared.problems import ProblemError
from shared.tokens import InvalidServiceToken, ServiceTokenVerifier

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_ATTRIBUTE = "__kafaat_public__"


def public(endpoint: F) -> F:
    """Mark a route as reachable without a service token (health checks, metrics)."""
    setattr(endpoint, _PUBLIC_ATTRIBUTE, True)
    return endpoint


def is_public(endpoint: Callable[..., Any]) -> bool:
    return bool(getattr(endpoint, _PUBLIC_ATTRIBUTE, False))


def _unauthorized(code: str, **params: object) -> ProblemError:
    return ProblemError(
        401,
        code,
        params=params,
        slug="unauthenticated",
        headers={"WWW-Authenticate": 'Bearer realm="kafaat-service"'},
    )


async def authenticate(request: Request) -> None:
    """Application-wide dependency: verify the service token unless the route is public."""
    route = request.scope.get("route")
    if route is not None and is_public(getattr(route, "endpoint", None) or (lambda: None)):
        return
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("service_token_missing")
    verifier: ServiceTokenVerifier = request.app.state.token_verifier
    try:
        request.state.principal = verifier.verify(token.strip())
    except InvalidServiceToken as exc:
        raise _unauthorized("service_token_invalid", error=str(exc)) from exc


def current_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:  # only reachable from a route marked public
        raise _unauthorized("caller_unauthenticated")
    assert isinstance(principal, Principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
