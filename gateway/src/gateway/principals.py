"""Turns a client's credentials into the principal forwarded to services.

The foundation knows only anonymous callers; people and client systems come with the identity
module, which replaces :func:`resolve_principal`'s body, not its contract.
"""

from __future__ import annotations

from shared.principal import ANONYMOUS, Principal
from shared.problems import ProblemError


def unauthenticated(detail: str) -> ProblemError:
    return ProblemError(
        401, detail, slug="unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="kafaat"'}
    )


async def resolve_principal(authorization: str | None) -> Principal:
    if not authorization:
        return ANONYMOUS
    raise unauthenticated("The access token is not valid.")
