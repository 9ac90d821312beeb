"""Beneficiaries service at 1M people on PostgreSQL: a scoped list page with its audit write,
and the outcome statistics.

    python -m bench beneficiaries_scale

Creates its own PostgreSQL database (on ``KAFAAT_TEST_POSTGRES_URL``, the tests' server) and
drops it at the end. Steps:

1. migrates it, then loads the national demo data (``beneficiaries.demo_national``, what
   ``kafaat seed-demo --scale national`` loads: set-based, 1,000 associations across the 12
   regions, 1,000,000 people, 360,000 placed with their follow-ups, the others out with a reason
   or still in support); then ``VACUUM (ANALYZE)``;
2. times, service-side (in-process, from the request reaching the application to its last
   byte), 60 first pages of one association's list as its counsellor — the audit entry written
   in the same transaction — and the outcome statistics of the year as a viewer (the whole
   country), a regional coordinator (one region) and an association manager.

Targets (issue 10): a scoped list page ≤ 25 ms median with the audit write; the stats query
≤ 1 s.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import SecretStr
from sqlalchemy import text

from bench.offers import ServiceTimer
from bench.report import publish
from beneficiaries import demo_national
from beneficiaries.main import create_app
from beneficiaries.settings import Settings
from beneficiaries.stats import rollup
from shared.db import create_engine, create_sessionmaker
from shared.demo import SIZES, Scale
from shared.migrations import upgrade
from shared.principal import Principal, Role
from shared.settings import Environment
from shared.testing import (
    Keys,
    asgi_client,
    create_postgres_database,
    drop_postgres_database,
    make_principal,
)

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "beneficiaries"
COMMAND = "python -m bench beneficiaries_scale"

PAGE_REPEATS = 60
STATS_REPEATS = 5
YEAR = 2026

TARGET_PAGE_MS = 25.0
TARGET_STATS_MS = 1_000.0


async def generate(database_url: str) -> dict[str, int]:
    """The national demo data (``kafaat seed-demo --scale national``'s generator), then the
    rows of each table and the association the scoped reads are made in."""
    await demo_national.seed(database_url, SIZES[Scale.NATIONAL])
    engine = create_engine(database_url)
    counts: dict[str, int] = {}
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM (ANALYZE)"))
            for table in ("association", "beneficiary", "stage_move", "outcome", "follow_up"):
                count = await connection.execute(text(f"SELECT count(*) FROM {table}"))
                counts[table] = int(count.scalar_one())
            row = await connection.execute(
                text("SELECT id, region FROM association ORDER BY name_key LIMIT 1")
            )
            first = row.one()
    finally:
        await engine.dispose()
    SAMPLE[:] = [UUID(str(first[0])), str(first[1])]
    return counts


# The association (and its region) the scoped reads are made in, set by ``generate``.
SAMPLE: list[Any] = [UUID(int=0), "01"]


async def timed(database_url: str, keys: Keys, var_dir: Path) -> dict[str, Any]:
    settings = Settings(
        environment=Environment.TEST,
        database_url=database_url,
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_level="WARNING",
        var_dir=var_dir,
    )
    timer = ServiceTimer(create_app(settings))
    association_id, region = SAMPLE
    counsellor = make_principal(
        role=Role.COUNSELLOR, association_id=association_id, regions=(region,)
    )
    callers: dict[str, Principal] = {
        "viewer (country)": make_principal(role=Role.VIEWER),
        "coordinator (one region)": make_principal(
            role=Role.REGIONAL_COORDINATOR, regions=(region,)
        ),
        "manager (one association)": make_principal(
            role=Role.ASSOCIATION_MANAGER, association_id=association_id
        ),
    }
    async with asgi_client(timer) as client:

        async def get(path: str, principal: Principal, **params: Any) -> dict[str, Any]:
            headers = keys.headers("beneficiaries", principal)
            response = await client.get(path, params=params, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}: {response.text}")
            body: dict[str, Any] = response.json()
            return body

        pages = []
        for _ in range(PAGE_REPEATS):
            page = await get("/v1/beneficiaries", counsellor, limit=50)
            assert len(page["items"]) == 50
            pages.append(timer.last_ms)
        stats: dict[str, float] = {}
        for name, principal in callers.items():
            durations = []
            for _ in range(STATS_REPEATS):
                figures = await get("/v1/stats/outcomes", principal, year=YEAR)
                durations.append(timer.last_ms)
            stats[name] = round(statistics.median(durations), 1)
            stats[name + " people"] = float(figures["people_supported"]["value"] or 0)
        # A write of one association's counsellor before each read: the read rebuilds that
        # association's rollup rows first.
        someone = page["items"][0]["id"]
        decision = {"purpose": "statistics", "status": "given", "method": "oral"}
        after_write = []
        for day in range(STATS_REPEATS):
            response = await client.post(
                f"/v1/beneficiaries/{someone}/consents",
                json=decision | {"decision_date": f"{YEAR}-01-{day + 10:02d}"},
                headers=keys.headers("beneficiaries", counsellor),
            )
            if response.status_code != 201:
                raise RuntimeError(f"consent answered {response.status_code}: {response.text}")
            await get("/v1/stats/outcomes", callers["viewer (country)"], year=YEAR)
            after_write.append(timer.last_ms)
        stats["viewer (country) after a write"] = round(statistics.median(after_write), 1)
    return {
        "list_page_median_ms": round(statistics.median(pages), 2),
        "list_page_p90_ms": round(sorted(pages)[int(len(pages) * 0.9)], 2),
        "stats_median_ms": stats,
    }


async def rebuild_rollup(database_url: str) -> dict[str, float]:
    """Every association's rollup rows built again from the records (what the first read of a
    new year, or of a database just upgraded, costs), timed."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            started = time.perf_counter()
            built = await rollup.rebuild_everything(db, date(YEAR, 12, 1))
            await db.commit()
            seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {"seconds": round(seconds, 1), "associations": built.associations, "rows": built.rows}


async def run(workdir: Path) -> dict[str, Any]:
    keys = Keys()
    url = await create_postgres_database("kafaat_bench_beneficiaries")
    try:
        await asyncio.to_thread(upgrade, SERVICE_ROOT, url)
        started = time.perf_counter()
        counts = await generate(url)
        generated = round(time.perf_counter() - started, 1)
        print(f"generated {counts} in {generated} s", flush=True)
        rebuild = await rebuild_rollup(url)
        print(f"rollup rebuilt: {rebuild}", flush=True)
        result = await timed(url, keys, workdir)
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                version = (await connection.execute(text("SHOW server_version"))).scalar_one()
        finally:
            await engine.dispose()
    finally:
        await drop_postgres_database(url)
    return {
        "rows_in_database": counts,
        "generated_seconds": generated,
        "rollup_rebuild": rebuild,
        "postgres": str(version).split()[0],
        **result,
    }


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    national = result["stats_median_ms"]["viewer (country)"]
    return {
        "list_page_le_25ms": result["list_page_median_ms"] <= TARGET_PAGE_MS,
        "stats_le_1s": national <= TARGET_STATS_MS,
        "stats_after_a_write_le_1s": result["stats_median_ms"]["viewer (country) after a write"]
        <= TARGET_STATS_MS,
    }


def markdown(result: dict[str, Any], measured: str) -> str:
    rows = result["rows_in_database"]
    stats = result["stats_median_ms"]
    lines = [
        "## Beneficiaries at 1M people",
        "",
        f"`{COMMAND}` — measured {measured} on this machine ({os.cpu_count()} cores), PostgreSQL "
        f"{result['postgres']}, a database created and dropped by the run. Data (generated "
        f"set-based in {result['generated_seconds']} s): {rows['association']:,} associations "
        f"across 12 regions, {rows['beneficiary']:,} people, {rows['stage_move']:,} exits, "
        f"{rows['outcome']:,} outcomes, {rows['follow_up']:,} follow-ups.",
        "",
        "| figure | measured | target |",
        "|---|---:|---:|",
        f"| a counsellor's list page (50 people of one association), median service-side, "
        f"audit entry included | {result['list_page_median_ms']} ms (p90 "
        f"{result['list_page_p90_ms']} ms) | ≤ 25 ms |",
    ]
    for name in ("viewer (country)", "coordinator (one region)", "manager (one association)"):
        target = "≤ 1 s" if name.startswith("viewer") else ""
        lines.append(
            f"| `/v1/stats/outcomes?year={YEAR}` as {name}, "
            f"{int(stats[name + ' people']):,} people counted, median of {STATS_REPEATS} | "
            f"{stats[name]} ms | {target} |"
        )
    rebuild = result["rollup_rebuild"]
    lines += [
        f"| the same as viewer (country) with a counsellor's write before each read (its "
        f"association's rollup rebuilt first), median of {STATS_REPEATS} | "
        f"{stats['viewer (country) after a write']} ms | ≤ 1 s |",
        f"| the whole rollup built from the records ({rebuild['associations']:,} associations, "
        f"{int(rebuild['rows']):,} rows: a new year's first read, a database just upgraded) | "
        f"{rebuild['seconds']} s | |",
    ]
    lines += [
        "",
        "Timed service-side: in-process, from the request reaching the application to its "
        "last byte (token check, queries, audit write, serialisation; no client, no network), "
        "after `VACUUM (ANALYZE)`. Raw figures: `bench/results/beneficiaries_scale.json`.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kafaat-bench-beneficiaries-scale-") as workdir:
        started = time.perf_counter()
        result = asyncio.run(run(Path(workdir)))
        result["seconds_total"] = round(time.perf_counter() - started, 1)
    result["targets_met"] = verdicts(result)
    publish("beneficiaries_scale", result, markdown)
    return 0 if all(result["targets_met"].values()) else 1
