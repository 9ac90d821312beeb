"""Object scope: which network records a caller may see and change.

Route policies (``network.dependencies``) decide who may call a route at all; this decides which
records. Every record belongs to a region — a network's, copied onto its working groups and
memberships; a partner's regions; a labour need's province — and some to a partner:

- admins see and change everything;
- regional coordinators see and manage the partners, networks, working groups, memberships (and
  the events and agreements of net-activity) of their regions;
- API clients read in their regions with ``network:read`` and manage there with
  ``network:write``;
- partner members manage their own partner's labour needs, see their own partner, the networks
  their partner is a member of (and those networks' groups, members, announcements, events);
- viewers see aggregate figures only (``/v1/stats/...``), never a record.

A record outside the caller's scope answers 404, exactly like a missing one. The same scope
filters lists: ``network.repository`` turns an :class:`Access` into WHERE clauses (the member
networks of a partner need the database, so they are a sub-query there, not a set here).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from shared.principal import Principal, Role

READ_SCOPE = "network:read"
WRITE_SCOPE = "network:write"

# People who manage the records of their regions (clients do it with network:write).
MANAGER_ROLES = (Role.REGIONAL_COORDINATOR,)
# People who read records: the managers, and partner members (their partner, their networks).
READER_ROLES = (Role.REGIONAL_COORDINATOR, Role.PARTNER_MEMBER)
# People who declare labour needs: partner members for their partner, coordinators for any
# partner of their regions.
NEED_EDITOR_ROLES = (Role.REGIONAL_COORDINATOR, Role.PARTNER_MEMBER)
# People who read aggregate figures.
STATS_ROLES = (Role.REGIONAL_COORDINATOR, Role.VIEWER)


class Access:
    """The record scope of one caller."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.everything = principal.is_admin
        # Regions whose records the caller manages, and those it reads (a superset).
        self.regions: frozenset[str] = frozenset()
        self.read_regions: frozenset[str] = frozenset()
        self.partner_id: UUID | None = None
        if principal.kind == "user" and principal.role is Role.REGIONAL_COORDINATOR:
            self.regions = self.read_regions = frozenset(principal.regions)
        elif principal.kind == "user" and principal.role is Role.PARTNER_MEMBER:
            self.partner_id = principal.partner_id
        elif principal.kind == "client":
            if WRITE_SCOPE in principal.scopes:
                self.regions = frozenset(principal.regions)
            if READ_SCOPE in principal.scopes or WRITE_SCOPE in principal.scopes:
                self.read_regions = frozenset(principal.regions)

    @classmethod
    def figures_of(cls, principal: Principal, region: str) -> Access:
        """The scope of the statistics routes' overview of ``region``: its networks and their
        public meetings, for a caller who reads the region's figures (viewers every region,
        coordinators and clients theirs), and nothing else of it (no partner, no person)."""
        access = cls(principal)
        allowed = (
            principal.is_admin
            or (principal.kind == "user" and principal.role is Role.VIEWER)
            or region in principal.regions
        )
        access.everything = False
        access.regions = frozenset()
        access.read_regions = frozenset({region}) if allowed else frozenset()
        access.partner_id = None
        return access

    @property
    def is_partner_member(self) -> bool:
        return self.partner_id is not None

    def may_manage_region(self, region: str) -> bool:
        """Whether the caller may create and change the records of ``region`` (networks,
        working groups, memberships, events, agreements, any partner's labour needs there)."""
        return self.everything or region in self.regions

    def may_manage_regions(self, regions: Iterable[str]) -> bool:
        """Whether the caller manages one of ``regions`` (a partner of several regions)."""
        return self.everything or not self.regions.isdisjoint(regions)

    def may_read_region(self, region: str) -> bool:
        """Whether the caller reads every record of ``region`` (partner members read only
        their networks': see ``network.repository.networks_visible``)."""
        return self.everything or region in self.read_regions

    def may_read_regions(self, regions: Iterable[str]) -> bool:
        return self.everything or not self.read_regions.isdisjoint(regions)

    def is_partner_of(self, partner_id: UUID | None) -> bool:
        """Whether the caller is a member (person) of the partner ``partner_id``."""
        return partner_id is not None and partner_id == self.partner_id

    def may_edit_partner_record(self, partner_id: UUID, region: str) -> bool:
        """Whether the caller may change a record a partner owns in ``region`` (a labour
        need): its own partner's members, and the managers of the region."""
        return self.is_partner_of(partner_id) or self.may_manage_region(region)
