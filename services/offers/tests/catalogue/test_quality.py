"""The quality score: documented rules, explained missing points, and a min_quality filter that
agrees with the score shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from offers.catalogue import quality
from offers.catalogue.models import Offer
from offers.catalogue.quality import SessionDates

from ..helpers import Api

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def stored(**overrides: object) -> tuple[int, list[str]]:
    arguments: dict[str, object] = {
        "description_length": 300,
        "objectives_length": 50,
        "duration_hours": 100,
        "provider_phone": "+212 5 00 00 00 00",
        "provider_email": None,
        "sessions": [],
    } | overrides
    points, gaps = quality.stored_part(**arguments)  # type: ignore[arg-type]
    return points, [gap.rule for gap in gaps]


def test_complete_offer_has_all_stored_points() -> None:
    assert stored() == (100, [])


def test_each_rule_costs_its_points() -> None:
    assert stored(description_length=150) == (100 - 13, ["description"])
    assert stored(description_length=99) == (100 - 25, ["description"])
    assert stored(objectives_length=0) == (90, ["objectives"])
    assert stored(provider_phone=None) == (85, ["contact"])
    late_deadline = SessionDates(date(2027, 3, 1), date(2027, 6, 1), date(2027, 3, 10), "open")
    assert stored(sessions=[late_deadline]) == (85, ["coherent_dates"])
    too_short = SessionDates(date(2027, 3, 1), date(2027, 3, 2), None, "open")
    assert stored(sessions=[too_short]) == (85, ["coherent_dates"])
    cancelled = SessionDates(date(2027, 3, 1), date(2027, 3, 2), None, "cancelled")
    assert stored(sessions=[cancelled]) == (100, [])


@pytest.mark.parametrize(
    ("last_start", "updated_days_ago", "missing"),
    [
        (date(2027, 1, 1), 10, 0),
        (TODAY, 180, 0),
        (TODAY - timedelta(days=1), 10, 20),
        (None, 10, 20),
        (date(2027, 1, 1), 181, 8),
        (date(2027, 1, 1), 366, 15),
        (None, 400, 35),
    ],
)
def test_dated_rules(last_start: date | None, updated_days_ago: int, missing: int) -> None:
    updated_at = NOW - timedelta(days=updated_days_ago)
    scored = quality.score(
        90,
        [{"rule": "objectives", "missing_points": 10, "reason": "r"}],
        last_start,
        updated_at,
        TODAY,
    )
    assert scored.score == 90 - missing
    assert sum(gap["missing_points"] for gap in scored.missing) == 10 + missing


async def test_offer_explains_its_missing_points(api: Api) -> None:
    provider = await api.provider(phone=None, email=None)
    offer = await api.offer(provider["id"], description="Courte description.", objectives=None)
    missing = {gap["rule"]: gap for gap in offer["quality"]["missing"]}
    assert set(missing) == {"description", "objectives", "contact", "future_session"}
    assert "characters" in missing["description"]["reason"]
    assert offer["quality"]["score"] == 100 - sum(g["missing_points"] for g in missing.values())
    # Giving the provider a phone and the offer a session wins the points back.
    await api.request(
        "PATCH", f"/v1/providers/{provider['id']}", json={"phone": "+212 539 00 00 00"}
    )
    await api.session(
        offer["id"],
        start_date="2027-02-01",
        end_date="2027-06-30",
        registration_deadline="2027-02-10",
    )
    after = (await api.request("GET", f"/v1/offers/{offer['id']}")).json()
    rules = {gap["rule"] for gap in after["quality"]["missing"]}
    assert rules == {"description", "objectives", "coherent_dates"}


async def test_min_quality_agrees_with_the_score_shown(api: Api, engine: AsyncEngine) -> None:
    provider = await api.provider()
    good = await api.offer(provider["id"])
    await api.session(good["id"], start_date="2027-02-01", end_date="2027-06-30")
    poor = await api.offer(provider["id"], description="Courte.", objectives=None)
    stale = await api.offer(provider["id"], title_fr="Offre ancienne")
    # An offer last updated 200 days ago loses part of the freshness points.
    async with engine.begin() as connection:
        await connection.execute(
            update(Offer)
            .where(Offer.id == UUID(stale["id"]))
            .values(updated_at=datetime.now(UTC) - timedelta(days=200))
        )
    scores = {}
    for offer in (good, poor, stale):
        shown = (await api.request("GET", f"/v1/offers/{offer['id']}")).json()
        scores[offer["id"]] = shown["quality"]["score"]
    assert scores[good["id"]] == 100
    assert len(set(scores.values())) == 3
    for offer_id, score in scores.items():
        found = (await api.request("GET", "/v1/offers", params={"min_quality": score})).json()
        assert offer_id in [o["id"] for o in found["items"]]
        if score < 100:
            above = await api.request("GET", "/v1/offers", params={"min_quality": score + 1})
            assert offer_id not in [o["id"] for o in above.json()["items"]]
