"""The SQL the domains' repositories share: the caller's record scope as a WHERE clause, search
words and target publics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    and_,
    or_,
    type_coerce,
)

from offers.access import Access
from offers.vocabulary import PublicationStatus, TargetPublic
from shared.columns import contains_code
from shared.text import contains_pattern, search_terms


def only_visible(
    statement: Select[Any],
    access: Access,
    status: SQLColumnExpression[Any],
    region: SQLColumnExpression[Any],
    provider: SQLColumnExpression[Any],
) -> Select[Any]:
    """``statement`` keeping the rows the caller may see (``Access.may_see``), given the columns
    that place them: published ones, those of the caller's regions and those of the caller's
    provider (in the regions of its token). Everything for who sees everything: no clause at
    all keeps the plans of the unscoped list."""
    if access.everything:
        return statement
    clauses: list[ColumnElement[bool]] = [status == PublicationStatus.PUBLISHED.value]
    if access.regions:
        clauses.append(region.in_(sorted(access.regions)))
    if access.provider_id is not None:
        clauses.append(
            and_(provider == access.provider_id, region.in_(sorted(access.provider_regions)))
        )
    return statement.where(or_(*clauses) if len(clauses) > 1 else clauses[0])


def search_clauses(q: str | None, column: SQLColumnExpression[str]) -> list[ColumnElement[bool]]:
    """Every folded word of ``q`` appears in the folded ``column``."""
    return [column.like(contains_pattern(term)) for term in search_terms(q or "")]


def public_clause(column: Any, public: str) -> ColumnElement[bool]:
    """Offers meant for ``public``, or for everyone."""
    # Compared as the stored text (``,a,b,``), not as a list of codes.
    text = type_coerce(column, String)
    if public == TargetPublic.ALL:
        return text.like(contains_code(TargetPublic.ALL.value))
    return or_(text.like(contains_code(public)), text.like(contains_code(TargetPublic.ALL.value)))
