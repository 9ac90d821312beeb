"""Rules on networks and their working groups.

A network must use an existing institutionalisation model and never changes region (its groups,
memberships, events and agreements copy the region). A working group has a theme, a sector or
both; its chair is a partner acting in the network's region.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from network.access import Access
from network.institution_models import service as models_service
from network.networks import repository
from network.networks.models import Network, WorkingGroup
from network.networks.schemas import (
    NetworkCreate,
    NetworkQuery,
    NetworkRead,
    NetworkUpdate,
    WorkingGroupCreate,
    WorkingGroupQuery,
    WorkingGroupRead,
    WorkingGroupUpdate,
)
from network.partners import service as partners_service
from shared.db import utcnow
from shared.pagination import Page, PageParams
from shared.problems import FieldIssue, msg, not_found, out_of_scope, raise_if_invalid
from shared.text import fold
from shared.writes import apply_changes, flush_update

NETWORK = "network"
GROUP = "working group"


async def model_issues(db: AsyncSession, model_id: UUID | None) -> list[FieldIssue]:
    if model_id is not None and not await models_service.exists(db, model_id):
        return [("model_id", "no_such_model")]
    return []


async def chair_issues(db: AsyncSession, region: str, partner_id: UUID | None) -> list[FieldIssue]:
    if partner_id is None:
        return []
    partner = await partners_service.get(db, partner_id)
    if partner is None:
        return [("chair_partner_id", "no_such_partner")]
    if region not in partner.regions:
        return [("chair_partner_id", msg("partner_not_in_region", region=region))]
    return []


def group_issues(values: Mapping[str, Any]) -> list[FieldIssue]:
    if values.get("theme") is None and values.get("sector") is None:
        return [("theme", "theme_or_sector")]
    return []


# --- networks ---------------------------------------------------------------------------------


async def get_network(db: AsyncSession, network_id: UUID) -> Network | None:
    """The network, whoever may see it (for the records placed in it)."""
    return await repository.get_network(db, network_id)


async def get_visible_network(db: AsyncSession, access: Access, network_id: UUID) -> Network:
    network = await repository.get_visible_network(db, access, network_id)
    if network is None:
        raise not_found(NETWORK, network_id)
    return network


async def get_managed_network(db: AsyncSession, access: Access, network_id: UUID) -> Network:
    """A network the caller manages (its region's coordinators, admins): 404 otherwise."""
    network = await repository.get_network(db, network_id)
    if network is None or not access.may_manage_region(network.region):
        raise not_found(NETWORK, network_id)
    return network


async def list_networks(
    db: AsyncSession, access: Access, filters: NetworkQuery, page: PageParams
) -> Page[NetworkRead]:
    rows, next_cursor = await repository.list_networks(db, access, filters, page)
    return Page[NetworkRead](
        items=[NetworkRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create_network(
    db: AsyncSession, access: Access, data: NetworkCreate, *, network_id: UUID | None = None
) -> Network:
    """A new network; ``network_id`` fixes its id (the demo's pilot networks)."""
    if not access.may_manage_region(data.region):
        raise out_of_scope("region", "region_not_yours_for_networks")
    raise_if_invalid(await model_issues(db, data.model_id))
    now = utcnow()
    network = Network(
        **data.model_dump(),
        id=network_id or uuid4(),
        name_key=fold(data.name)[:200],
        created_at=now,
        updated_at=now,
    )
    db.add(network)
    await db.flush()
    return network


async def update_network(
    db: AsyncSession, network: Network, data: NetworkUpdate, if_match: str | None
) -> Network:
    changes = data.model_dump(exclude_unset=True)
    raise_if_invalid(await model_issues(db, changes.get("model_id")))
    if "name" in changes:
        changes["name_key"] = fold(changes["name"])[:200]
    if apply_changes(network, changes, if_match):
        await flush_update(db)
    return network


# --- working groups ---------------------------------------------------------------------------


async def get_group(db: AsyncSession, group_id: UUID) -> WorkingGroup | None:
    """The working group, whoever may see it (for the records placed in it)."""
    return await repository.get_group(db, group_id)


async def get_visible_group(db: AsyncSession, access: Access, group_id: UUID) -> WorkingGroup:
    group = await repository.get_visible_group(db, access, group_id)
    if group is None:
        raise not_found(GROUP, group_id)
    return group


async def get_managed_group(db: AsyncSession, access: Access, group_id: UUID) -> WorkingGroup:
    group = await repository.get_group(db, group_id)
    if group is None or not access.may_manage_region(group.region):
        raise not_found(GROUP, group_id)
    return group


async def list_groups(
    db: AsyncSession, access: Access, filters: WorkingGroupQuery, page: PageParams
) -> Page[WorkingGroupRead]:
    rows, next_cursor = await repository.list_groups(db, access, filters, page)
    return Page[WorkingGroupRead](
        items=[WorkingGroupRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def create_group(
    db: AsyncSession, access: Access, data: WorkingGroupCreate, *, group_id: UUID | None = None
) -> WorkingGroup:
    """A new working group; ``group_id`` fixes its id (the demo's), a new one otherwise."""
    network = await repository.get_network(db, data.network_id)
    if network is None or not access.may_manage_region(network.region):
        raise out_of_scope("network_id", "no_network_in_your_regions")
    values = data.model_dump()
    raise_if_invalid(
        group_issues(values) + await chair_issues(db, network.region, data.chair_partner_id)
    )
    now = utcnow()
    group = WorkingGroup(
        **values, id=group_id or uuid4(), region=network.region, created_at=now, updated_at=now
    )
    db.add(group)
    await db.flush()
    return group


async def update_group(
    db: AsyncSession, group: WorkingGroup, data: WorkingGroupUpdate, if_match: str | None
) -> WorkingGroup:
    changes = data.model_dump(exclude_unset=True)
    merged = {"theme": group.theme, "sector": group.sector} | changes
    issues = group_issues(merged)
    if "chair_partner_id" in changes:
        issues += await chair_issues(db, group.region, changes["chair_partner_id"])
    raise_if_invalid(issues)
    if apply_changes(group, changes, if_match):
        await flush_update(db)
    return group
