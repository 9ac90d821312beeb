"""The organisations a person may be bound to, checked with the service that owns each one.

A ``provider_id``, ``association_id`` or ``partner_id`` on a person is a claim the gateway signs
into every token of theirs: before storing one, the gateway asks the owning service for the
record, as the person making the change, and accepts it only when it exists and (unless an admin
makes the change) every region of it is among the maker's. Anything else answers 404 on the
field, the same for a missing record and one outside the maker's regions, so nothing leaks. A
service that cannot answer is a 503 (or 504, 502), never a silent accept; a service that does not
know the path yet (the beneficiaries and network skeletons) answers 404, so those bindings are
refused until it does (fail closed).

A provider's staff carry their provider's region: it is stored as their regions, so their
tokens carry it and offers can refuse a provider outside them (``offers.access``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from gateway.identity.scopes import UserScope
from gateway.proxy import Proxy
from gateway.upstreams import UpstreamError, get_record, upstream_problem
from shared.principal import Principal, Role
from shared.problems import ProblemError, invalid, msg, record


def _one_region(record: dict[str, Any], name: str) -> frozenset[str]:
    value = record.get(name)
    return frozenset({value}) if isinstance(value, str) and value else frozenset()


def _regions(record: dict[str, Any], name: str) -> frozenset[str]:
    value = record.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return frozenset()
    return frozenset(value)


@dataclass(frozen=True)
class Organisation:
    """Where the records of one kind of organisation live, and how they tell their regions."""

    kind: str
    service: str
    path: str  # with ``{id}``
    regions_of: Callable[[dict[str, Any]], frozenset[str]]


# The person's field → the organisation it names. Associations and partners are the future
# paths of the beneficiaries and network services.
ORGANISATIONS: dict[str, Organisation] = {
    "provider_id": Organisation(
        "provider", "offers", "/v1/providers/{id}", lambda r: _one_region(r, "region")
    ),
    "association_id": Organisation(
        "association", "beneficiaries", "/v1/associations/{id}", lambda r: _one_region(r, "region")
    ),
    "partner_id": Organisation(
        "partner", "network", "/v1/partners/{id}", lambda r: _regions(r, "regions")
    ),
}


def _not_found(field: str, organisation: Organisation, record_id: UUID) -> ProblemError:
    # The same answer for a missing record and one outside the maker's regions.
    return ProblemError(
        404,
        "organisation_not_found",
        params={"kind": record(organisation.kind), "id": record_id},
        slug="not-found",
        errors=[
            (f"body.{field}", msg("no_organisation_in_regions", kind=record(organisation.kind)))
        ],
    )


async def regions_of(proxy: Proxy, maker: Principal, field: str, record_id: UUID) -> frozenset[str]:
    """The regions of the organisation ``field`` names, once its service vouched that it exists
    and lies in the regions of ``maker`` (anywhere for an admin)."""
    organisation = ORGANISATIONS[field]
    path = organisation.path.format(id=record_id)
    try:
        record = await get_record(proxy, organisation.service, path, maker)
    except UpstreamError as error:
        raise upstream_problem(error) from error
    # No region at all is a record the gateway cannot place: refused like a missing one.
    regions = organisation.regions_of(record) if record is not None else frozenset()
    if not regions or (not maker.is_admin and not regions <= set(maker.regions)):
        raise _not_found(field, organisation, record_id)
    return regions


async def verified_scope(proxy: Proxy, maker: Principal, scope: UserScope) -> UserScope:
    """``scope`` once its organisation is vouched for; a provider's staff get their provider's
    region as their regions (422 on ``regions`` when others were asked)."""
    for field in ORGANISATIONS:
        record_id = getattr(scope, field)
        if record_id is None:
            continue
        regions = await regions_of(proxy, maker, field, record_id)
        if scope.role is Role.PROVIDER_STAFF and field == "provider_id":
            if scope.regions and set(scope.regions) != regions:
                expected = ", ".join(sorted(regions))
                raise invalid([("regions", msg("staff_region", regions=expected))])
            scope = replace(scope, regions=tuple(sorted(regions)))
    return scope
