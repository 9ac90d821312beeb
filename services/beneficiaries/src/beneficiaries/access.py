"""Object scope: whose personal data a caller may see and change.

Route policies (``dependencies.py``) decide who may call a route at all; this decides which
records. Every person belongs to one association:

- counsellors and association managers see and change the people of their own association
  (``principal.association_id``), and nothing else;
- admins see and change everyone;
- regional coordinators and viewers get figures only, never a name: person routes let them in
  (so they are told nothing a stranger is not told) and then answer 404 to every id and every
  list, as for an id outside one's scope (ARCHITECTURE: "an object outside the caller's scope
  answers 404, exactly like a missing one"). Roles that have no business here at all (provider
  staff, partner members, API clients) get the policy's 403;
- coordinators see and edit the associations of their regions; managers and counsellors read
  their own association.

Lists, searches and exports filter with the same scope in the query:
``beneficiaries.repository.beneficiary_visible`` turns an :class:`Access` into a WHERE clause.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from shared.principal import Principal, Role

# People who work on case files (their association's) — and admins, always.
ASSOCIATION_STAFF_ROLES = (Role.ASSOCIATION_MANAGER, Role.COUNSELLOR)
# Let into person routes to be answered 404 there (figures only, never a name).
FIGURES_ONLY_ROLES = (Role.REGIONAL_COORDINATOR, Role.VIEWER)
PERSON_ROUTE_ROLES = ASSOCIATION_STAFF_ROLES + FIGURES_ONLY_ROLES
# Who may read an association record (scope below narrows it).
ASSOCIATION_READER_ROLES = (
    Role.REGIONAL_COORDINATOR,
    Role.ASSOCIATION_MANAGER,
    Role.COUNSELLOR,
)
ASSOCIATION_EDITOR_ROLES = (Role.REGIONAL_COORDINATOR,)
# Who may read one person's access log: their association's manager, and admins.
ACCESS_LOG_ROLES = (Role.ASSOCIATION_MANAGER,) + FIGURES_ONLY_ROLES


class Owned(Protocol):
    """A record that belongs to one association (a person, or anything hanging from one)."""

    @property
    def association_id(self) -> UUID: ...


class Access:
    """The record scope of one caller."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.everything = principal.is_admin
        is_user = principal.kind == "user"
        staff = is_user and principal.role in ASSOCIATION_STAFF_ROLES
        # A manager or counsellor token without an association reaches nobody (fail closed).
        self.association_id: UUID | None = principal.association_id if staff else None
        self.manager = staff and principal.role is Role.ASSOCIATION_MANAGER
        self.regions: frozenset[str] = (
            frozenset(principal.regions)
            if is_user and principal.role is Role.REGIONAL_COORDINATOR
            else frozenset()
        )

    @property
    def subject(self) -> str:
        return self.principal.subject

    @property
    def sees_people(self) -> bool:
        """Whether the caller may see any person's data at all."""
        return self.everything or self.association_id is not None

    def may_see(self, association_id: UUID) -> bool:
        """Whether the caller may see the people of ``association_id``."""
        return self.everything or (
            self.association_id is not None and association_id == self.association_id
        )

    def may_change(self, record: Owned) -> bool:
        """Whether the caller may change ``record`` (a person or part of their case file)."""
        return self.may_see(record.association_id)

    def may_read_access_log(self, record: Owned) -> bool:
        return self.everything or (self.manager and self.may_see(record.association_id))

    def may_see_association(self, association_id: UUID, region: str) -> bool:
        return (
            self.everything
            or region in self.regions
            or (self.association_id is not None and association_id == self.association_id)
        )

    def may_edit_association(self, region: str) -> bool:
        """Admins, and coordinators of the association's region."""
        return self.everything or region in self.regions
