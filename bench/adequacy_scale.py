"""The regional adequacy review at national scale, through the gateway, beside the services'
own aggregates it is made of.

    python -m bench adequacy_scale

The four processes run on loopback on new PostgreSQL databases (on ``KAFAAT_TEST_POSTGRES_URL``,
the tests' server, dropped at the end), loaded with the national demo data (``kafaat seed-demo
--scale national``'s generators: 100,000 offers, 1,000,000 people, 10,000 partners). Then,
side by side in one run, for the whole country and for one region, each repeated:

- ``GET /api/v1/adequacy?year=`` through the gateway as a signed-in viewer (token check, the
  fan-out of its eight calls, the review put together, JSON out);
- the same eight calls made straight to the services with a service token, all at once (the
  aggregates the review is made of: what the view cannot go below), and one after another.

Targets (issue 12): the review ≤ 1 s and ≤ 1.5 × its aggregates.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from bench.report import publish
from beneficiaries import demo as beneficiaries_demo
from gateway.demo import DEMO_PASSWORD
from gateway.views import adequacy
from kafaat.testing import running_platform
from network import demo as network_demo
from offers import demo as offers_demo
from shared.demo import Scale
from shared.principal import Role
from shared.testing import Keys, make_principal

COMMAND = "python -m bench adequacy_scale"
YEAR = 2026
REGION = "01"
REPEATS = 7
TARGET_MS = 1_000.0
TARGET_RATIO = 1.5


async def seed(urls: dict[str, str]) -> dict[str, float]:
    """The national data of the three services, loaded side by side; seconds each."""

    async def timed(name: str, loading: Any) -> tuple[str, float]:
        started = time.perf_counter()
        await loading
        return name, round(time.perf_counter() - started, 1)

    done = await asyncio.gather(
        timed("offers", offers_demo.seed(urls["offers"], Scale.NATIONAL)),
        timed("beneficiaries", beneficiaries_demo.seed(urls["beneficiaries"], Scale.NATIONAL)),
        timed("network", network_demo.seed(urls["network"], Scale.NATIONAL)),
    )
    return dict(done)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


async def measure(base: str, ports: dict[str, int], keys: Keys) -> dict[str, Any]:
    viewer = make_principal(role=Role.VIEWER)
    async with httpx2.AsyncClient(timeout=60.0, trust_env=False) as client:
        login = await client.post(
            base + "/api/v1/auth/login",
            json={"email": "viewer@demo.kafaat.ma", "password": DEMO_PASSWORD},
        )
        login.raise_for_status()
        signed_in = {"Authorization": "Bearer " + login.json()["access_token"]}

        async def direct(service: str, path: str) -> float:
            started = time.perf_counter()
            response = await client.get(
                f"http://127.0.0.1:{ports[service]}{path}",
                headers=keys.headers(service, viewer),
            )
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{service}{path} answered {response.status_code}")
            return elapsed

        results: dict[str, Any] = {}
        for scope, region in (("country", None), ("region 01", REGION)):
            calls = adequacy.parts(region, YEAR)
            query = {"year": YEAR} | ({"region": region} if region else {})
            views, together, one_by_one = [], [], []
            slowest: dict[str, list[float]] = {name: [] for name in calls}
            completed = True
            for _ in range(REPEATS):
                started = time.perf_counter()
                response = await client.get(
                    base + "/api/v1/adequacy", params=query, headers=signed_in
                )
                views.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                completed = completed and bool(response.json()["completed"])

                started = time.perf_counter()
                await asyncio.gather(*(direct(p.service, p.path) for p in calls.values()))
                together.append((time.perf_counter() - started) * 1000)

                started = time.perf_counter()
                for name, part in calls.items():
                    slowest[name].append(await direct(part.service, part.path))
                one_by_one.append((time.perf_counter() - started) * 1000)
            view, aggregates = _median(views), _median(together)
            results[scope] = {
                "view_ms": view,
                "aggregates_at_once_ms": aggregates,
                "aggregates_one_by_one_ms": _median(one_by_one),
                "ratio": round(view / aggregates, 2),
                "completed": completed,
                "each_call_ms": {name: _median(times) for name, times in slowest.items()},
            }
            print(scope, json.dumps(results[scope]), flush=True)
    return results


async def run(workdir: Path) -> dict[str, Any]:
    keys = Keys()
    async with running_platform("postgresql", keys, workdir) as platform:
        started = time.perf_counter()
        seconds = await seed(platform.database_urls)
        print(f"national data loaded in {seconds}", flush=True)
        loaded = round(time.perf_counter() - started, 1)
        results = await measure(platform.base_url, platform.ports, keys)
    return {"seed_seconds": seconds, "seed_wall_seconds": loaded, "reviews": results}


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for scope, figures in result["reviews"].items():
        found[f"{scope}: ≤ 1 s"] = figures["view_ms"] <= TARGET_MS
        found[f"{scope}: ≤ 1.5 × aggregates"] = figures["ratio"] <= TARGET_RATIO
        found[f"{scope}: completed"] = figures["completed"]
    return found


def markdown(result: dict[str, Any], measured: str) -> str:
    seeds = result["seed_seconds"]
    lines = [
        "## Adequacy review at national scale",
        "",
        f"`{COMMAND}` — measured {measured} on this machine ({os.cpu_count()} cores), the four "
        "processes on loopback on PostgreSQL, the national demo data loaded side by side in "
        f"{result['seed_wall_seconds']} s (offers {seeds['offers']} s, beneficiaries "
        f"{seeds['beneficiaries']} s, network {seeds['network']} s). Each figure is the median "
        f"of {REPEATS} rounds; in each round the review and its aggregates are asked one after "
        "the other, on the same connections.",
        "",
        "| review of " + str(YEAR) + " | through the gateway | its 8 aggregates at once "
        "(direct) | one after another | ratio | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for scope, figures in result["reviews"].items():
        lines.append(
            f"| {scope} | {figures['view_ms']} ms | {figures['aggregates_at_once_ms']} ms | "
            f"{figures['aggregates_one_by_one_ms']} ms | {figures['ratio']} × | ≤ 1 s, ≤ 1.5 × |"
        )
    lines += ["", "The aggregates one by one (median ms, direct to the service):", ""]
    for scope, figures in result["reviews"].items():
        calls = ", ".join(f"{name} {ms}" for name, ms in figures["each_call_ms"].items())
        lines.append(f"- {scope}: {calls}")
    lines += ["", "Raw figures: `bench/results/adequacy_scale.json`.", ""]
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kafaat-bench-adequacy-") as workdir:
        started = time.perf_counter()
        result = asyncio.run(run(Path(workdir)))
        result["seconds_total"] = round(time.perf_counter() - started, 1)
    result["targets_met"] = verdicts(result)
    publish("adequacy_scale", result, markdown)
    return 0
