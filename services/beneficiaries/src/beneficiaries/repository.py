"""The SQL the domains' repositories share: the caller's scope over people as a WHERE clause."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, true

from beneficiaries.access import Access
from beneficiaries.people.models import Beneficiary


def beneficiary_visible(
    access: Access, association: SQLColumnExpression[Any] | None = None
) -> ColumnElement[bool]:
    """The people (rows whose ``association`` column, by default ``beneficiary.association_id``)
    the caller may see: their association's, everyone's for admins, no one for the rest."""
    column = Beneficiary.association_id if association is None else association
    if access.everything:
        return true()
    if access.association_id is None:
        return false()
    return column == access.association_id


def only_visible(
    statement: Select[Any], access: Access, association: SQLColumnExpression[Any] | None = None
) -> Select[Any]:
    """``statement`` keeping the people the caller may see; no clause at all for admins."""
    if access.everything:
        return statement
    return statement.where(beneficiary_visible(access, association))
