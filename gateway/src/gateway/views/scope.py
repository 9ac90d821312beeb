"""Who reads the regional views, and which region a view may be about.

The views show figures only, never a name: administrators and viewers read every region's (and
the whole country's), regional coordinators their regions', and API clients granted
``beneficiaries:stats`` (the grant that lets them count people) their regions'. A caller bound
to regions names one of them (or has one only); another region in a query is refused with 403,
which names the regions it may ask, and a region's own page (``/regions/{code}/profile``) is 404
outside them, as any record outside a caller's scope. Each service applies the same scope again
to the figures it gives.
"""

from __future__ import annotations

from typing import Annotated

from shared.policy import require
from shared.principal import Principal, Role
from shared.problems import ProblemError, invalid, msg

VIEW_SCOPE = "beneficiaries:stats"
ViewReader = Annotated[
    Principal, require(roles=(Role.REGIONAL_COORDINATOR, Role.VIEWER), scopes={VIEW_SCOPE})
]


def _bound_regions(principal: Principal) -> tuple[str, ...] | None:
    """The regions the caller is bound to, or None when it reads every region."""
    if principal.is_admin or (principal.kind == "user" and principal.role is Role.VIEWER):
        return None
    return tuple(sorted(principal.regions))


def may_view(principal: Principal, region: str) -> bool:
    """Whether the caller's views may be about ``region``."""
    bound = _bound_regions(principal)
    return bound is None or region in bound


def view_region(principal: Principal, region: str | None) -> str | None:
    """The region a view is about (None: the whole country), within the caller's scope."""
    bound = _bound_regions(principal)
    if bound is None:
        return region
    if region is None and len(bound) == 1:
        return bound[0]
    if region is None:
        reason = msg("name_a_region", regions=", ".join(bound)) if bound else "no_region_to_name"
        raise invalid([("region", reason)], location="query")
    if region not in bound:
        raise ProblemError(
            403,
            "region_outside_scope",
            params={"region": region, "regions": ", ".join(bound)},
            slug="forbidden",
        )
    return region
