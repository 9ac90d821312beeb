"""Enrolments in the figures: people enrolled in a training session in the period (a measure of
every breakdown), the median days from referral to enrolment, and the associations counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.people.models import Beneficiary
from beneficiaries.referrals.models import Referral, ReferralEvent
from beneficiaries.stats.service import median
from shared.principal import Role
from shared.testing import make_principal

from ..cases import Api
from .world import YEAR, programme, row, value

STATS = "/v1/stats/outcomes"
VIEWER = make_principal(role=Role.VIEWER)


async def enrol(db: AsyncSession, someone: Beneficiary, referred: datetime, days: int) -> None:
    """A referral of ``someone`` that moved to ``enrolled`` ``days`` after it was made."""
    referral = Referral(
        id=uuid4(),
        beneficiary_id=someone.id,
        association_id=someone.association_id,
        session_id=uuid4(),
        provider_id=uuid4(),
        status="enrolled",
        referred_by="counsellor",
        referrer_role="counsellor",
        version=1,
        created_at=referred,
        updated_at=referred + timedelta(days=days),
    )
    db.add(referral)
    await db.flush()
    for status, at in (("referred", referred), ("enrolled", referred + timedelta(days=days))):
        db.add(
            ReferralEvent(
                referral_id=referral.id, status=status, author="counsellor", occurred_at=at
            )
        )
    await db.flush()


async def test_enrolments_and_the_days_they_took(api: Api, db: AsyncSession) -> None:
    world = await programme(api, db)
    spring = datetime(YEAR, 3, 2, 9, 0, tzinfo=UTC)
    # Five NEET men enrolled this year, 3 to 30 days after their referral: the median is 7.
    for man, days in zip(world.men, (3, 5, 7, 9, 30), strict=True):
        await enrol(db, man, spring, days)
    # One woman enrolled in the previous year: counted in that year only.
    await enrol(db, world.women[0], datetime(YEAR - 1, 5, 1, tzinfo=UTC), 12)
    # Three people of region 02 enrolled this year: too few for their median to be published.
    for someone in world.oriental_people[:3]:
        await enrol(db, someone, spring, 4)
    await db.commit()

    def of(stats: dict[str, Any]) -> tuple[int | None, int | None, float | None]:
        delay = stats["days_to_enrolment"]
        return value(stats["enrolled"]), delay["referrals"]["value"], delay["median_days"]

    north = await api.ok("GET", STATS, VIEWER, params={"region": "01", "year": YEAR})
    assert of(north) == (5, 5, 7.0)
    assert value(row(north["by_vulnerability"], "neet_youth")["enrolled"]) == 5
    assert value(row(north["by_sex"], "male")["enrolled"]) == 5
    assert value(row(north["by_sex"], "female")["enrolled"]) == 0
    assert north["associations"] == 2  # home and its neighbour, who has nobody

    before = await api.ok("GET", STATS, VIEWER, params={"region": "01", "year": YEAR - 1})
    # Nobody was in support yet (the people were taken in this year); the one referral
    # enrolled that year is too few for its median to be published.
    assert before["enrolled"] == {"value": 0, "suppressed": False}
    assert before["days_to_enrolment"] == {
        "referrals": {"value": None, "suppressed": True},
        "median_days": None,
        "suppressed": True,
    }

    east = await api.ok("GET", STATS, VIEWER, params={"region": "02", "year": YEAR})
    assert east["days_to_enrolment"]["suppressed"] is True
    assert east["associations"] == 1

    everything = await api.ok("GET", STATS, VIEWER, params={"year": YEAR})
    assert of(everything) == (8, 8, 4.5)  # 3, 4, 4, 4 | 5, 7, 9, 30
    assert everything["associations"] == 3
    # A coordinator of region 02 counts its region's association only.
    east_coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=["02"])
    assert (await api.ok("GET", STATS, east_coordinator))["associations"] == 1


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [({}, None), ({4: 1}, 4.0), ({1: 1, 6: 1}, 3.5), ({2: 3, 9: 1}, 2.0), ({0: 2, 10: 2}, 5.0)],
)
def test_the_median_of_a_histogram(histogram: dict[int, int], expected: float | None) -> None:
    assert median(histogram) == expected
