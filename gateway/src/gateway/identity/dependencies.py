"""What the identity routes depend on: the identity runtime, the caller, and route policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from gateway.identity.passwords import Passwords
from gateway.identity.scopes import MANAGER_ROLES
from gateway.identity.tokens import AccessTokenSigner, access_token_keys
from gateway.principals import PrincipalResolver
from gateway.settings import Settings
from shared.auth import is_public
from shared.policy import ANY_ROLE, require
from shared.principal import Principal


@dataclass(frozen=True)
class Identity:
    """One per application: settings, password hashing, and access-token signing/verification."""

    settings: Settings
    passwords: Passwords
    signer: AccessTokenSigner
    resolver: PrincipalResolver

    @classmethod
    def from_settings(cls, settings: Settings) -> Identity:
        signer, verifier = access_token_keys(settings)
        return cls(
            settings=settings,
            passwords=passwords_for(settings),
            signer=signer,
            resolver=PrincipalResolver(verifier),
        )


def passwords_for(settings: Settings) -> Passwords:
    return Passwords(
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
        parallelism=settings.password_hash_parallelism,
    )


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(_identity)]


async def authenticate(request: Request) -> None:
    """Application-wide dependency of the gateway's own routes: who is calling.

    A route marked ``@public`` skips it (a bad token must not stop anyone from signing in); any
    other route gets the caller's principal, and a bad token is a 401 before the route runs.
    """
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    if endpoint is not None and is_public(endpoint):
        return
    identity: Identity = request.app.state.identity
    request.state.principal = identity.resolver.resolve(request.headers.get("authorization"))


SignedInUser = Annotated[Principal, require(roles=ANY_ROLE)]
UserManager = Annotated[Principal, require(roles=MANAGER_ROLES)]
Administrator = Annotated[Principal, require()]
