"""Who may call a route, and with which record scope: the one set of route policies of the
service. Each alias checks the route policy (``shared.policy.require``) and hands the handler the
caller's :class:`~beneficiaries.access.Access`::

    async def get_beneficiary(beneficiary_id: UUID, db: SessionDep, access: PersonReader) -> ...

Person routes let coordinators and viewers in only to answer them 404 (``Access.sees_people``
is false for them): see ``beneficiaries.access``.
"""

# No ``from __future__ import annotations``: FastAPI reads the signature of the dependency
# built in ``_access_for`` at run time, where the policy is a local value.

from typing import Annotated, Any

from fastapi import Depends, Request

from beneficiaries.access import (
    ACCESS_LOG_ROLES,
    ASSOCIATION_EDITOR_ROLES,
    ASSOCIATION_READER_ROLES,
    PERSON_ROUTE_ROLES,
    Access,
)
from beneficiaries.encryption import Vault
from shared.policy import require
from shared.principal import Principal, Role


def _access_for(policy: Any) -> Any:
    def access(principal: Annotated[Principal, policy]) -> Access:
        return Access(principal)

    return Depends(access)


# Reading and changing people's data: association staff of their association, admins.
PersonReader = Annotated[Access, _access_for(require(roles=PERSON_ROUTE_ROLES))]
PersonEditor = Annotated[Access, _access_for(require(roles=PERSON_ROUTE_ROLES))]
# A person's access log: their association's manager, admins.
AccessLogReader = Annotated[Access, _access_for(require(roles=ACCESS_LOG_ROLES))]
# Admin-only views (possible duplicates across associations).
AdminOnly = Annotated[Access, _access_for(require())]
# Associations: coordinators of the region and admins edit; their staff read their own.
AssociationReader = Annotated[Access, _access_for(require(roles=ASSOCIATION_READER_ROLES))]
AssociationEditor = Annotated[Access, _access_for(require(roles=ASSOCIATION_EDITOR_ROLES))]


def _vault(request: Request) -> Vault:
    vault: Vault = request.app.state.vault
    return vault


# The keys of personal identifiers (``beneficiaries.encryption``), made at start-up.
VaultDep = Annotated[Vault, Depends(_vault)]
# Figures only (``/v1/stats``): coordinators and viewers, managers (their association), API
# clients granted beneficiaries:stats; ``beneficiaries.stats.service`` narrows whose people.
FiguresReader = Annotated[
    Access,
    _access_for(
        require(
            roles=(Role.REGIONAL_COORDINATOR, Role.VIEWER, Role.ASSOCIATION_MANAGER),
            scopes={"beneficiaries:stats"},
        )
    ),
]
# Erasing a person's data: their association's manager, and admins.
Eraser = Annotated[Access, _access_for(require(roles=(Role.ASSOCIATION_MANAGER,)))]

# Referrals: association staff refer their people (coordinators and viewers are let in to be
# answered 404); provider staff see and move the referrals to their provider's sessions.
ReferralReader = Annotated[
    Access, _access_for(require(roles=(*PERSON_ROUTE_ROLES, Role.PROVIDER_STAFF)))
]
