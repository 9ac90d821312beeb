"""Object scope: which records a caller may see, change and publish.

Route policies (``shared.policy.require``) decide who may call a route at all; this decides which
records. Every record belongs to its provider, and through it to the provider's region:

- everyone, anonymous included, sees published records;
- provider staff see and edit their own provider's records (``principal.provider_id``), while
  the provider lies in the regions of their token (the gateway puts the provider's region
  there): a token naming a provider of another region reaches nothing of it;
- regional coordinators see, edit and publish the records of their regions;
- API clients with the ``offers:write`` scope see, edit and publish in their regions;
- admins see, edit and publish everything.

Seat reservations have a scope of their own (``may_reserve_in``, ``may_handle_reservation``): a
reservation belongs to who made it, their association, and the coordinators of its session's
region.

A record outside the caller's scope answers 404, exactly like a missing one. The same scope
filters lists: ``offers.repository`` turns an :class:`Access` into a WHERE clause.
"""

from __future__ import annotations

from uuid import UUID

from offers.vocabulary import PublicationStatus
from shared.principal import Principal, Role

READ_SCOPE = "offers:read"
WRITE_SCOPE = "offers:write"
RESERVE_SCOPE = "offers:reserve"

EDITOR_ROLES = (Role.REGIONAL_COORDINATOR, Role.PROVIDER_STAFF)
PUBLISHER_ROLES = (Role.REGIONAL_COORDINATOR,)
# People who refer beneficiaries to sessions; systems do it with the offers:reserve scope.
RESERVER_ROLES = (Role.REGIONAL_COORDINATOR, Role.ASSOCIATION_MANAGER, Role.COUNSELLOR)


class Access:
    """The record scope of one caller."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.everything = principal.is_admin
        self.regions: frozenset[str] = frozenset()
        self.provider_id: UUID | None = None
        # Where the provider of a provider_staff may lie: the regions of its token.
        self.provider_regions: frozenset[str] = frozenset()
        self.publisher = self.everything
        if principal.kind == "user" and principal.role is Role.REGIONAL_COORDINATOR:
            self.regions = frozenset(principal.regions)
            self.publisher = True
        elif principal.kind == "user" and principal.role is Role.PROVIDER_STAFF:
            self.provider_regions = frozenset(principal.regions)
            # No region in the token: no provider either (fail closed).
            self.provider_id = principal.provider_id if self.provider_regions else None
        elif principal.kind == "client" and WRITE_SCOPE in principal.scopes:
            self.regions = frozenset(principal.regions)
            self.publisher = True

    def may_edit(self, region: str, provider_id: UUID | None) -> bool:
        """Whether the caller may change a record of ``provider_id`` in ``region``."""
        if self.everything or region in self.regions:
            return True
        return (
            provider_id is not None
            and provider_id == self.provider_id
            and region in self.provider_regions
        )

    def may_move(self, from_region: str, to_region: str) -> bool:
        """Whether the caller may move a provider (and its offers) from one region to another:
        admins, and coordinators (or ``offers:write`` clients) of both regions."""
        return self.everything or {from_region, to_region} <= self.regions

    def may_publish(self, region: str) -> bool:
        return self.everything or (self.publisher and region in self.regions)

    def may_see(self, status: str, region: str, provider_id: UUID | None) -> bool:
        return status == PublicationStatus.PUBLISHED or self.may_edit(region, provider_id)

    def may_reserve_in(self, region: str) -> bool:
        """Whether the caller may reserve seats in a (visible) session of ``region``: API
        clients only in their regions; people refer beneficiaries wherever a session is."""
        principal = self.principal
        return principal.kind != "client" or region in principal.regions

    def may_handle_reservation(
        self, reserved_by: str, association_id: UUID | None, region: str
    ) -> bool:
        """Whether the caller may read or release a reservation made by ``reserved_by`` (of
        ``association_id``) in a session of ``region``: its author, its author's association,
        the coordinators of the region and admins."""
        principal = self.principal
        if self.everything or principal.subject == reserved_by:
            return True
        if principal.kind != "user":
            return False
        if association_id is not None and principal.association_id == association_id:
            return principal.role in (Role.ASSOCIATION_MANAGER, Role.COUNSELLOR)
        return principal.role is Role.REGIONAL_COORDINATOR and region in principal.regions
