"""Who may call a route, and with which record scope: the one set of route policies of the
service. Each alias checks the route policy (``shared.policy.require``) and hands the handler the
caller's :class:`~offers.access.Access`::

    async def get_offer(offer_id: UUID, db: SessionDep, access: Reader) -> ...
"""

# No ``from __future__ import annotations``: FastAPI reads the signature of the dependency
# built in ``_access_for`` at run time, where the policy is a local value.

from typing import Annotated, Any

from fastapi import Depends

from offers.access import (
    EDITOR_ROLES,
    PUBLISHER_ROLES,
    RESERVE_SCOPE,
    RESERVER_ROLES,
    WRITE_SCOPE,
    Access,
)
from shared.policy import require
from shared.principal import Principal

# The services that reserve seats for their callers (KAFAAT_OFFERS_PEERS names their keys).
REFERRING_PEERS = ("beneficiaries",)


def _access_for(policy: Any) -> Any:
    def access(principal: Annotated[Principal, policy]) -> Access:
        return Access(principal)

    return Depends(access)


# Everyone, anonymous included: published records, plus those in the caller's scope.
Reader = Annotated[Access, _access_for(require(anonymous=True))]
# Provider staff and coordinators (and clients with offers:write) change records in their scope.
Editor = Annotated[Access, _access_for(require(roles=EDITOR_ROLES, scopes={WRITE_SCOPE}))]
# Coordinators (and clients with offers:write) publish, archive and add providers.
Publisher = Annotated[Access, _access_for(require(roles=PUBLISHER_ROLES, scopes={WRITE_SCOPE}))]
# People and systems that reserve seats for the beneficiaries they refer; the beneficiaries
# service does it for its counsellors (a peer token: the scope stays the counsellor's).
Reserver = Annotated[
    Access,
    _access_for(require(roles=RESERVER_ROLES, scopes={RESERVE_SCOPE}, peers=REFERRING_PEERS)),
]
# Reading one session: everyone, and the beneficiaries service for a counsellor referring to it.
SessionReader = Annotated[Access, _access_for(require(anonymous=True, peers=REFERRING_PEERS))]
