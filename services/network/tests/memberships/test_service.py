"""The rules on memberships, called on the service."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from network.memberships import service
from shared.testing import english

from ..factories import Factory

D = date.fromisoformat


def seat(since: str, until: str | None) -> Any:
    return SimpleNamespace(id="m1", since=D(since), until=D(until) if until else None)


def test_periods_overlap_when_they_share_a_day() -> None:
    assert service.overlaps(D("2025-01-01"), D("2025-06-30"), seat("2025-06-30", None))
    assert not service.overlaps(D("2025-01-01"), D("2025-06-29"), seat("2025-06-30", None))
    assert service.overlaps(D("2030-01-01"), None, seat("2025-01-01", None))
    assert not service.overlaps(D("2026-01-01"), None, seat("2025-01-01", "2025-12-31"))
    assert english(service.period_issues(D("2025-01-02"), D("2025-01-01"))) == [
        ("until", "a membership cannot end before it starts")
    ]
    assert english(service.period_issues(D("2025-01-01"), D("2025-01-01"))) == []


async def test_membership_of_a_group_counts_as_membership_of_its_network(
    db: AsyncSession, factory: Factory
) -> None:
    partner = await factory.partner()
    network = await factory.network()
    group = await factory.group(network)
    today = date.today()
    await factory.membership(partner, group=group, since=today.isoformat())
    assert await service.is_current_member(db, network.id, partner.id)
    assert not await service.is_current_member(db, network.id, partner.id, today - timedelta(1))
    other = await factory.network(name="Autre réseau")
    assert not await service.is_current_member(db, other.id, partner.id)
