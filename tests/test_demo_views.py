"""The regional views over the pilot's demo data, on PostgreSQL: the platform seeded as the
first ``make run`` seeds it (``kafaat seed-demo``, each service through its own code), the
dashboard shows the pilot (11 associations, 550 people, 200 positive outcomes), and the adequacy
review's figures equal counts made independently from the seeded records through the API."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from kafaat.testing import Platform, platform_env, running_platform
from shared.testing import Keys

from .test_end_to_end import sign_in

KAFAAT = Path(sys.executable).parent / "kafaat"
# The independent counts read every person's case file through the API: hundreds of requests
# from one account in a minute, above the gateway's default rate limit.
UNLIMITED = {
    "KAFAAT_GATEWAY_RATE_LIMIT_PER_IP": "1000000/minute",
    "KAFAAT_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "1000000/minute",
}
YEAR = 2019  # in the middle of the pilot (August 2017 to May 2021)


# The pilot's data loads on both databases in each service's own demo test, and the views'
# figures are checked against the records on both in test_regional_views; here, the whole
# pilot read back through the API (hundreds of case files) runs on PostgreSQL, production's.
ON_POSTGRESQL = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture(scope="module")
async def demo(
    backend: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    directory = tmp_path_factory.mktemp(f"demo-{backend}")
    async with running_platform(backend, keys, directory, UNLIMITED) as platform:
        env = {**os.environ, **platform_env(keys, platform.database_urls, directory)}
        seeded = await asyncio.to_thread(
            subprocess.run,
            [str(KAFAAT), "seed-demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert seeded.returncode == 0, seeded.stderr
        yield platform


async def every(
    http: httpx2.AsyncClient, url: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every item of a list route, page after page."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        response = await http.get(url, headers=headers, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


@ON_POSTGRESQL
async def test_the_dashboard_shows_the_pilot(demo: Platform, http: httpx2.AsyncClient) -> None:
    viewer = await sign_in(http, demo, "viewer@demo.kafaat.ma")
    board = await http.get(demo.base_url + "/api/v1/dashboard", headers=viewer)
    assert board.status_code == 200, board.text
    figures = board.json()
    assert figures["completed"] is True, figures["errors"]
    support = figures["support"]
    assert support["associations"] == 11
    assert support["people_supported"] == {"value": 550, "suppressed": False}
    assert support["positive_outcomes"] == {"value": 200, "suppressed": False}
    by_type = support["positive_outcomes_by_type"]
    assert sum(cell["value"] for cell in by_type.values()) >= 200  # a person may have two kinds
    assert figures["training"]["providers"] >= 40
    assert figures["partnership"]["partners"] >= 80
    assert figures["partnership"]["events_held"] >= 55


@ON_POSTGRESQL
async def test_the_review_equals_the_records_counted_independently(
    demo: Platform, http: httpx2.AsyncClient
) -> None:
    base = demo.base_url + "/api/v1"
    admin = await sign_in(http, demo, "admin@demo.kafaat.ma")
    viewer = await sign_in(http, demo, "viewer@demo.kafaat.ma")
    review = await http.get(
        base + "/adequacy", headers=viewer, params={"region": "01", "year": YEAR}
    )
    assert review.status_code == 200, review.text
    figures = review.json()
    assert figures["completed"] is True, figures["errors"]
    shown = {row["sector"]: row for row in figures["labour_market"]["sectors"]}

    # Supply: the sessions of region 01 starting in the year, by their offer's sector.
    offers = {offer["id"]: offer for offer in await every(http, base + "/offers", admin)}
    supply: dict[str, dict[str, int]] = {}
    for session in await every(http, base + "/sessions", admin, region="01"):
        offer = offers.get(session["offer_id"])
        if offer is None or offer["status"] != "published" or session["status"] == "cancelled":
            continue
        if not session["start_date"].startswith(str(YEAR)):
            continue
        counts = supply.setdefault(
            offer["sector"],
            dict.fromkeys(("sessions", "seats", "enrolled", "completed", "certified"), 0),
        )
        counts["sessions"] += 1
        counts["seats"] += session["seats_total"]
        for name in ("enrolled", "completed", "certified"):
            counts[name] += session[name] or 0
    assert supply, "the demo has sessions in region 01 in the year"
    for sector, counts in supply.items():
        assert {name: shown[sector][name] for name in counts} == counts, sector

    # Demand: positions of the open and filled needs of region 01 for the year.
    positions: dict[str, int] = {}
    for need in await every(http, base + "/labour-needs", admin, region="01", horizon_year=YEAR):
        if need["status"] in ("open", "filled"):
            positions[need["sector"]] = positions.get(need["sector"], 0) + need["positions"]
    assert positions, "the demo declares needs in region 01 for the year"
    # The pilot's demand is of the order of its training output: the review has something to say.
    assert {row["tension"] for row in shown.values()} >= {"shortage", "balanced", "surplus"}
    for sector in shown:
        assert shown[sector]["positions"] == positions.get(sector, 0), sector
        completed, wanted = shown[sector]["completed"], shown[sector]["positions"]
        if wanted:
            assert shown[sector]["coverage"]["value"] == round(completed / wanted, 4)


POSITIVE = ("employment", "very_small_business", "cooperative", "self_employed")


@ON_POSTGRESQL
async def test_the_reviews_people_figures_equal_the_case_files(
    demo: Platform, http: httpx2.AsyncClient
) -> None:
    """Placed per sector, exits and the insertion rate of region 01 in the year, counted from
    each person's outcomes and journey as an administrator reads them."""
    base = demo.base_url + "/api/v1"
    admin = await sign_in(http, demo, "admin@demo.kafaat.ma")
    viewer = await sign_in(http, demo, "viewer@demo.kafaat.ma")
    placed: dict[str, int] = {}
    placed_people = exits = 0
    for person in await every(http, base + "/beneficiaries", admin):
        if person["region"] != "01":
            continue
        path = f"{base}/beneficiaries/{person['id']}"
        outcomes = await every(http, path + "/outcomes", admin)
        positive = [
            o for o in outcomes if o["type"] in POSITIVE and o["outcome_date"].startswith(str(YEAR))
        ]
        for sector in {o.get("sector") or "unspecified" for o in positive}:
            placed[sector] = placed.get(sector, 0) + 1
        placed_people += bool(positive)
        answer = await http.get(path + "/journey", headers=admin)
        assert answer.status_code == 200, answer.text
        journey = answer.json()
        exits += any(
            move["to_stage"] == "exited" and move["moved_at"].startswith(str(YEAR))
            for move in journey["history"]
        )
    assert placed_people >= 5, "the demo places people of region 01 in the year"
    review = await http.get(
        base + "/adequacy", headers=viewer, params={"region": "01", "year": YEAR}
    )
    figures = review.json()
    market = figures["labour_market"]
    for row in market["sectors"]:
        count = placed.get(row["sector"], 0)
        if row["placed"]["suppressed"]:
            assert count > 0, row["sector"]  # withheld: a small cell, or its complement
        else:
            assert row["placed"]["value"] == count, row["sector"]
    assert figures["totals"]["current"]["placed"]["value"] == placed_people
    assert figures["totals"]["current"]["exits"]["value"] == exits
    assert market["insertion_rate"]["value"] == round(placed_people / exits, 4)


@ON_POSTGRESQL
async def test_the_demo_providers_staff_see_the_referrals_to_its_sessions(
    demo: Platform, http: httpx2.AsyncClient
) -> None:
    base = demo.base_url + "/api/v1"
    staff = await sign_in(http, demo, "provider@demo.kafaat.ma")
    referrals = await every(http, base + "/referrals", staff)
    assert referrals, "the demo refers people to the demo provider's sessions"
    for referral in referrals[:10]:
        session = (
            await http.get(f"{base}/sessions/{referral['session_id']}", headers=staff)
        ).json()
        offer = (await http.get(f"{base}/offers/{session['offer_id']}", headers=staff)).json()
        assert offer["provider_id"] == "6f1c2a4e-0d51-4c8e-9b0a-5a3e1d7c0002"


def test_the_national_data_is_refused_on_sqlite_before_anything_is_written(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAFAAT_")} | {
        f"KAFAAT_{name}_VAR_DIR": str(tmp_path)
        for name in ("GATEWAY", "OFFERS", "BENEFICIARIES", "NETWORK")
    }
    refused = subprocess.run(
        [str(KAFAAT), "seed-demo", "--scale", "national"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "PostgreSQL" in refused.stderr
    named = refused.stderr.split("PostgreSQL: ", 1)[1].split(" run on SQLite", 1)[0]
    assert set(named.split(", ")) == {"gateway", "offers", "beneficiaries", "network"}
    assert list(tmp_path.iterdir()) == []  # no database was even created
