"""Rules on providers: who may change which, what a coherent provider is, publication.

The checks and the row-building here serve the API (one provider through the ORM) and the bulk
import (thousands through set-based writes) alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.lifecycle import duplicate_external_id, flush_new, move, new_stamps
from offers.providers import repository
from offers.providers.models import Provider
from offers.providers.schemas import ProviderCreate, ProviderQuery, ProviderRead, ProviderUpdate
from offers.vocabulary import KAFAAT_SOURCE, PublicationStatus
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.fields import province_problem
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, ProblemError, not_found, out_of_scope, raise_if_invalid
from shared.text import fold
from shared.writes import apply_changes, flush_update

KIND = "provider"
# Changing these changes the provider's offers (place, search text, contact points).
SHARED_WITH_OFFERS = ("name", "region", "province", "phone", "email")
NAME_KEY_LENGTH = 200


class Placed(Protocol):
    """What the scope rules need of a stored provider (an ORM object or an imported row)."""

    @property
    def id(self) -> UUID: ...
    @property
    def region(self) -> str: ...


def check(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Problems between fields of a whole provider record."""
    issues: list[FieldIssue] = []
    reason = province_problem(values["region"], values.get("province"))
    if reason:
        issues.append(("province", reason))
    has_latitude = values.get("latitude") is not None
    if has_latitude != (values.get("longitude") is not None):
        missing = "longitude" if has_latitude else "latitude"
        issues.append((missing, "coordinates_together"))
    return issues


def scope_issues(access: Access, region: str, current: Placed | None = None) -> list[FieldIssue]:
    """Whether the caller may write a provider in ``region``: a new one, or ``current`` (moved
    there or not)."""
    if current is None:
        if access.may_edit(region, None):
            return []
        return [("region", "region_not_yours_for_providers")]
    if not access.may_edit(current.region, current.id):
        return [("external_id", "provider_outside_scope")]
    if region != current.region and not access.may_move(current.region, region):
        if access.regions:
            return [("region", "move_within_your_regions")]
        # Provider staff edit their provider, but never move it to another region.
        return [("region", "move_needs_both_coordinators")]
    return []


def warnings(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Doubtful but acceptable values (the import reports them)."""
    if not values.get("phone") and not values.get("email"):
        return [("phone", "no_contact")]
    return []


def name_key(name: str) -> str:
    """The folded name: sort order and search."""
    return fold(name)[:NAME_KEY_LENGTH]


def stored_values(values: Mapping[str, Any], status: str) -> dict[str, Any]:
    """The columns a provider with these field values is stored with."""
    return {**values, "name_key": name_key(values["name"]), "status": status}


def new_row(
    values: Mapping[str, Any],
    *,
    provider_id: UUID,
    source: str,
    external_id: str,
    status: str,
    now: datetime,
) -> dict[str, Any]:
    """Every column of a new provider."""
    return {
        **stored_values(values, status),
        "id": provider_id,
        "source": source,
        "external_id": external_id,
        **new_stamps(status, now),
    }


def reaches_offers(current: Any, values: Mapping[str, Any]) -> bool:
    """Whether writing ``values`` over ``current`` changes what its offers show."""
    return any(getattr(current, name) != values[name] for name in SHARED_WITH_OFFERS)


async def get(db: AsyncSession, provider_id: UUID) -> Provider | None:
    """The provider, whoever may see it (for the records that refer to it)."""
    return await repository.get(db, provider_id)


async def get_visible(db: AsyncSession, access: Access, provider_id: UUID) -> Provider:
    provider = await repository.get(db, provider_id)
    if provider is None or not access.may_see(provider.status, provider.region, provider.id):
        raise not_found(KIND, provider_id)
    return provider


async def get_editable(db: AsyncSession, access: Access, provider_id: UUID) -> Provider:
    provider = await repository.get(db, provider_id)
    if provider is None or not access.may_edit(provider.region, provider.id):
        raise not_found(KIND, provider_id)
    return provider


async def list_providers(
    db: AsyncSession, access: Access, filters: ProviderQuery, page: PageParams
) -> Page[ProviderRead]:
    rows, next_cursor = await repository.list_page(db, access, filters, page)
    return Page[ProviderRead](
        items=[ProviderRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


def _raise_if_out_of_scope(issues: list[FieldIssue]) -> None:
    if issues:
        raise out_of_scope(*issues[0])


async def create(db: AsyncSession, access: Access, data: ProviderCreate) -> Provider:
    _raise_if_out_of_scope(scope_issues(access, data.region))
    values = data.model_dump(exclude={"source", "external_id"})
    raise_if_invalid(check(values))
    provider_id = uuid4()
    source = data.source or KAFAAT_SOURCE
    external_id = data.external_id or str(provider_id)
    if await repository.exists_external_id(db, source, external_id):
        raise duplicate_external_id(source, external_id)
    row = new_row(
        values,
        provider_id=provider_id,
        source=source,
        external_id=external_id,
        status=PublicationStatus.DRAFT.value,
        now=utcnow(),
    )
    provider = Provider(**row)
    db.add(provider)
    await flush_new(db, source, external_id)
    return provider


async def update(
    db: AsyncSession,
    access: Access,
    provider: Provider,
    data: ProviderUpdate,
    if_match: str | None,
) -> Provider:
    changes = data.model_dump(exclude_unset=True)
    if "region" in changes:
        _raise_if_out_of_scope(scope_issues(access, changes["region"], provider))
    merged = {name: getattr(provider, name) for name in ProviderUpdate.model_fields} | changes
    raise_if_invalid(check(merged))
    if "name" in changes:
        changes["name_key"] = name_key(changes["name"])
    if apply_changes(provider, changes, if_match):
        await flush_update(db)
        if set(SHARED_WITH_OFFERS) & changes.keys():
            await catalogue_service.refresh_of_providers(db, [provider.id])
    return provider


async def delete(db: AsyncSession, provider: Provider, if_match: str | None) -> None:
    check_if_match(if_match, provider.version)
    if await catalogue_service.count_of_provider(db, provider.id):
        raise ProblemError(
            409,
            "provider_has_offers",
            slug="provider-has-offers",
        )
    await db.delete(provider)
    await flush_update(db)


async def publish(
    db: AsyncSession, access: Access, provider: Provider, if_match: str | None
) -> Provider:
    _require_publisher(access, provider)
    move(provider, PublicationStatus.PUBLISHED, if_match, KIND)
    await flush_update(db)
    return provider


async def archive(
    db: AsyncSession, access: Access, provider: Provider, if_match: str | None
) -> Provider:
    """Archive the provider and take its published offers offline with it."""
    _require_publisher(access, provider)
    move(provider, PublicationStatus.ARCHIVED, if_match, KIND)
    await flush_update(db)
    await catalogue_service.archive_all_of_provider(db, provider.id)
    return provider


def _require_publisher(access: Access, provider: Provider) -> None:
    if not access.may_publish(provider.region):
        raise ProblemError(
            403,
            "provider_publication_forbidden",
            slug="forbidden",
        )
