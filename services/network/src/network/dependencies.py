"""Who may call a route, and with which record scope: the one set of route policies of the
service. Each alias checks the route policy (``shared.policy.require``) and hands the handler the
caller's :class:`~network.access.Access`::

    async def get_network(network_id: UUID, db: SessionDep, access: Reader) -> ...
"""

# No ``from __future__ import annotations``: FastAPI reads the signature of the dependency
# built in ``_access_for`` at run time, where the policy is a local value.

from typing import Annotated, Any

from fastapi import Depends

from network.access import (
    MANAGER_ROLES,
    NEED_EDITOR_ROLES,
    READ_SCOPE,
    READER_ROLES,
    STATS_ROLES,
    WRITE_SCOPE,
    Access,
)
from shared.policy import require
from shared.principal import Principal


def _access_for(policy: Any) -> Any:
    def access(principal: Annotated[Principal, policy]) -> Access:
        return Access(principal)

    return Depends(access)


# Coordinators, partner members and clients with network:read: the records of their scope.
Reader = Annotated[Access, _access_for(require(roles=READER_ROLES, scopes={READ_SCOPE}))]
# Coordinators (and clients with network:write) manage partners, networks, groups, memberships,
# announcements, events and agreements of their regions.
Manager = Annotated[Access, _access_for(require(roles=MANAGER_ROLES, scopes={WRITE_SCOPE}))]
# Partner members (their own partner) and managers declare labour needs.
NeedEditor = Annotated[Access, _access_for(require(roles=NEED_EDITOR_ROLES, scopes={WRITE_SCOPE}))]
# Everyone, anonymous included (through the gateway): reference data such as the models.
Everyone = Annotated[Access, _access_for(require(anonymous=True))]
# Admins only: the institutionalisation models every network chooses from.
Admin = Annotated[Access, _access_for(require())]
# Aggregate figures: viewers and coordinators, clients with network:read, the gateway's views.
StatsReader = Annotated[Access, _access_for(require(roles=STATS_ROLES, scopes={READ_SCOPE}))]
