"""Route policies: every non-public route declares who may call it, or a test fails.

    OfferReader = Annotated[
        Principal, require(anonymous=True, roles=ANY_ROLE, scopes={"offers:read"})
    ]

    @router.get("/offers")
    async def list_offers(principal: OfferReader) -> ...

Rules (any one grants access; admins always pass):
- ``anonymous=True``: everyone, even callers without credentials (forwarded as ``anonymous``);
- ``roles``: people whose role is listed;
- ``scopes``: API clients granted *all* the listed scopes.
A call a peer service makes for its caller (a peer token, see ``shared.tokens``) is refused with
403 unless the route names that service in ``peers=(...)``; where it does, the rules above apply
to the original caller, whose record scope the domain then checks as usual. So a peer reaches
only the operations its callee chose to open to it (deny by default, see
:func:`routes_open_to_peers`).
A caller who is not anonymous-allowed and has no credentials gets 401; one with credentials but
no matching rule gets 403. Object scope (region, association, provider, partner) is checked by the
domain service, and an object outside it answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth import current_principal, is_public
from shared.principal import Principal, Role
from shared.problems import ProblemError

ANY_ROLE: frozenset[Role] = frozenset(Role)
_POLICY_ATTRIBUTE = "__kafaat_policy__"


@dataclass(frozen=True)
class Policy:
    """Who a route lets in, as declared with :func:`require` (read by the OpenAPI document)."""

    anonymous: bool
    roles: frozenset[Role]
    scopes: frozenset[str]
    peers: frozenset[str] = frozenset()


def require(
    *,
    anonymous: bool = False,
    roles: Iterable[Role] = (),
    scopes: Iterable[str] = (),
    peers: Iterable[str] = (),
) -> Any:
    """A dependency that yields the principal when the policy allows it."""
    allowed_roles = frozenset(roles) | {Role.ADMIN}
    required_scopes = frozenset(scopes)
    allowed_peers = frozenset(peers)

    def check(request: Request) -> Principal:
        principal = current_principal(request)
        acting = principal.acting_service
        if acting is not None and acting not in allowed_peers:
            raise ProblemError(
                403, "peer_not_allowed", params={"service": acting}, slug="forbidden"
            )
        if anonymous:
            return principal
        if principal.kind == "anonymous":
            raise ProblemError(
                401,
                "sign_in_required",
                slug="unauthenticated",
                headers={"WWW-Authenticate": 'Bearer realm="kafaat"'},
            )
        if principal.kind == "user" and principal.role in allowed_roles:
            return principal
        if (
            principal.kind == "client"
            and required_scopes
            and required_scopes <= set(principal.scopes)
        ):
            return principal
        raise ProblemError(403, "action_not_allowed", slug="forbidden")

    policy = Policy(anonymous, allowed_roles, required_scopes, allowed_peers)
    setattr(check, _POLICY_ATTRIBUTE, policy)
    return Depends(check)


def policies_of(dependant: Dependant) -> list[Policy]:
    """The policies a route's dependencies declare (every one of them must let a caller in)."""
    found: Policy | None = getattr(dependant.call, _POLICY_ATTRIBUTE, None)
    policies = [found] if found is not None else []
    for sub in dependant.dependencies:
        policies.extend(policies_of(sub))
    return policies


def routes_without_policy(app: FastAPI) -> list[str]:
    """Routes that are neither ``@public`` nor guarded by :func:`require` (should be none)."""
    missing = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        endpoint: Callable[..., Any] = route.endpoint
        # The effective dependant also holds dependencies added by include_router().
        dependant: Dependant = getattr(context, "dependant", route.dependant)
        if is_public(endpoint) or policies_of(dependant):
            continue
        missing.append(f"{','.join(sorted(context.methods or ()))} {context.path}")
    return missing


def routes_open_to_peers(app: FastAPI) -> dict[str, frozenset[str]]:
    """The routes a peer service may call, with the peers each admits (every policy of the
    route must name the peer). A test holds this to the operations meant for peers."""
    open_routes: dict[str, frozenset[str]] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        dependant: Dependant = getattr(context, "dependant", route.dependant)
        policies = policies_of(dependant)
        if not policies:
            continue
        admitted = frozenset.intersection(*(policy.peers for policy in policies))
        if admitted:
            open_routes[f"{','.join(sorted(context.methods or ()))} {context.path}"] = admitted
    return open_routes
