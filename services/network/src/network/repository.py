"""The SQL the domains' repositories share: the caller's record scope as WHERE clauses.

A partner member's scope is the networks its partner currently belongs to, which only the
database knows: it is a sub-query on ``membership`` here, never a list carried in the token.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    false,
    or_,
    select,
    true,
    type_coerce,
)

from network.access import Access
from network.memberships.models import Membership
from shared.columns import contains_code


def current_membership(on: date | None = None) -> ColumnElement[bool]:
    """Memberships begun and not ended on ``on`` (today by default)."""
    day = on or date.today()
    return (Membership.since <= day) & (Membership.until.is_(None) | (Membership.until >= day))


def member_networks(partner_id: UUID) -> Select[Any]:
    """The ids of the networks ``partner_id`` currently belongs to (itself or by a group)."""
    return select(Membership.network_id).where(
        Membership.partner_id == partner_id, current_membership()
    )


def networks_visible(
    access: Access, network_id: SQLColumnExpression[Any], region: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """Rows placed in a network (``network_id``, ``region``) that the caller may see: all for
    admins; those of its read regions for coordinators and clients; those of its partner's
    networks for a partner member; nothing for anyone else."""
    if access.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if access.read_regions:
        clauses.append(region.in_(sorted(access.read_regions)))
    if access.partner_id is not None:
        clauses.append(network_id.in_(member_networks(access.partner_id)))
    if not clauses:
        return false()
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def networks_managed(access: Access, region: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """Rows of a region the caller manages (``Access.may_manage_region``)."""
    if access.everything:
        return true()
    if not access.regions:
        return false()
    return region.in_(sorted(access.regions))


def has_code(column: Any, code: str) -> ColumnElement[bool]:
    """A :class:`~shared.columns.CodeList` ``column`` naming ``code`` (compared as the stored
    text ``,a,b,``, not as a list)."""
    return type_coerce(column, String).like(contains_code(code))


def regions_clause(column: Any, regions: frozenset[str]) -> ColumnElement[bool]:
    """A :class:`~shared.columns.CodeList` ``column`` naming one of ``regions``."""
    if not regions:
        return false()
    return or_(*(has_code(column, code) for code in sorted(regions)))
