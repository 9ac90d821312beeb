"""The rules on networks and working groups, called on the service."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from network.networks import service
from network.networks.schemas import WorkingGroupQuery
from shared.pagination import PageParams
from shared.problems import ProblemError
from shared.testing import english

from ..factories import Factory, access


def test_a_group_has_a_theme_or_a_sector() -> None:
    assert english(service.group_issues({"theme": None, "sector": None})) == [
        ("theme", "give a theme, a sector or both")
    ]
    assert english(service.group_issues({"theme": None, "sector": "textile"})) == []
    assert english(service.group_issues({"theme": "Stages", "sector": None})) == []


async def test_the_model_must_exist(db: AsyncSession, factory: Factory) -> None:
    assert english(await service.model_issues(db, uuid4())) == [
        ("model_id", "no institutionalisation model has this id")
    ]
    network = await factory.network()
    assert english(await service.model_issues(db, network.model_id)) == []


async def test_a_group_copies_its_network_region_and_is_scoped_by_it(
    db: AsyncSession, factory: Factory
) -> None:
    network = await factory.network(region="02", name="Réseau de l'Oriental")
    group = await factory.group(network)
    assert group.region == "02"
    coordinator_01 = access(role="regional_coordinator", regions=("01",))
    with pytest.raises(ProblemError) as caught:
        await service.get_managed_group(db, coordinator_01, group.id)
    assert caught.value.status == 404
    page = await service.list_groups(db, coordinator_01, WorkingGroupQuery(), PageParams(50, None))
    assert page.items == []
