"""Which scope each role carries, and whom a manager may manage.

- ``admin`` manages everyone.
- A ``regional_coordinator`` manages people of any role but ``admin`` whose regions are all among
  its own (and who have at least one region): never someone reaching a region it does not.
- An ``association_manager`` manages the ``association_manager``s and ``counsellor``s of its own
  association, within its own regions.
- Nobody else manages people.
A manager never grants more than it holds: the rules apply to the person as they are and as
they will be after the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.principal import Principal, Role
from shared.problems import FieldIssue, msg

ORGANISATION_FIELDS = ("association_id", "provider_id", "partner_id")
_ORGANISATION_OF_ROLE: dict[Role, str] = {
    Role.ASSOCIATION_MANAGER: "association_id",
    Role.COUNSELLOR: "association_id",
    Role.PROVIDER_STAFF: "provider_id",
    Role.PARTNER_MEMBER: "partner_id",
}
MANAGER_ROLES = frozenset({Role.ADMIN, Role.REGIONAL_COORDINATOR, Role.ASSOCIATION_MANAGER})


@dataclass(frozen=True)
class UserScope:
    """A person's role and scope."""

    role: Role
    regions: tuple[str, ...] = ()
    association_id: UUID | None = None
    provider_id: UUID | None = None
    partner_id: UUID | None = None


def scope_problems(scope: UserScope) -> list[FieldIssue]:
    """What is missing or out of place for the role (field names as in the request body)."""
    problems: list[FieldIssue] = []
    if scope.role is Role.ADMIN and scope.regions:
        problems.append(("body.regions", "admin_has_no_regions"))
    if scope.role is Role.REGIONAL_COORDINATOR and not scope.regions:
        problems.append(("body.regions", "coordinator_needs_regions"))
    required = _ORGANISATION_OF_ROLE.get(scope.role)
    for field in ORGANISATION_FIELDS:
        value = getattr(scope, field)
        if field == required and value is None:
            problems.append((f"body.{field}", msg("required_for_role", role=scope.role.value)))
        elif field != required and value is not None:
            problems.append((f"body.{field}", msg("unused_by_role", role=scope.role.value)))
    return problems


@dataclass(frozen=True)
class ManagementScope:
    """The people a manager may see and change."""

    everyone: bool = False
    roles: frozenset[Role] = frozenset()
    # Every region of a managed person must be among these (None: no region rule).
    region_limit: frozenset[str] | None = None
    regions_required: bool = False
    # A managed person must belong to this association (None: no association rule).
    association_id: UUID | None = None

    def covers(self, scope: UserScope) -> bool:
        if self.everyone:
            return True
        if scope.role not in self.roles:
            return False
        if self.regions_required and not scope.regions:
            return False
        if self.region_limit is not None and not set(scope.regions) <= self.region_limit:
            return False
        return self.association_id is None or scope.association_id == self.association_id


def management_scope(principal: Principal) -> ManagementScope | None:
    """What ``principal`` may manage, or None when it manages nobody."""
    if principal.kind != "user":
        return None
    if principal.role is Role.ADMIN:
        return ManagementScope(everyone=True)
    if principal.role is Role.REGIONAL_COORDINATOR and principal.regions:
        return ManagementScope(
            roles=frozenset(Role) - {Role.ADMIN},
            region_limit=frozenset(principal.regions),
            regions_required=True,
        )
    if principal.role is Role.ASSOCIATION_MANAGER and principal.association_id is not None:
        return ManagementScope(
            roles=frozenset({Role.ASSOCIATION_MANAGER, Role.COUNSELLOR}),
            region_limit=frozenset(principal.regions),
            association_id=principal.association_id,
        )
    return None
