"""Beneficiaries service at 1M people on PostgreSQL: a scoped list page with its audit write,
and the outcome statistics.

    python -m bench beneficiaries_scale

Creates its own PostgreSQL database (on ``KAFAAT_TEST_POSTGRES_URL``, the tests' server) and
drops it at the end. Steps:

1. migrates it, then generates set-based (``INSERT … SELECT generate_series``) 1,000
   associations across the 12 regions and 1,000,000 people (1,000 per association), a sixth of
   them exited, half of those with a job (and its three follow-ups), the rest with a reason;
   then ``VACUUM (ANALYZE)``;
2. times, service-side (in-process, from the request reaching the application to its last
   byte), 60 first pages of one association's list as its counsellor — the audit entry written
   in the same transaction — and the outcome statistics of the year as a viewer (the whole
   country), a regional coordinator (one region) and an association manager.

Targets (issue 10): a scoped list page ≤ 25 ms median with the audit write; the stats query
≤ 1 s.
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
from uuid import UUID

from pydantic import SecretStr
from sqlalchemy import text

from bench.offers import ServiceTimer
from beneficiaries.main import create_app
from beneficiaries.settings import Settings
from shared.db import create_engine
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
RESULTS = Path(__file__).parent / "results"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
COMMAND = "python -m bench beneficiaries_scale"

ASSOCIATIONS = 1_000
PEOPLE = 1_000_000
PAGE_REPEATS = 60
STATS_REPEATS = 5
YEAR = 2026

TARGET_PAGE_MS = 25.0
TARGET_STATS_MS = 1_000.0

GENERATE = [
    f"""
    INSERT INTO association (id, name, name_key, region, sectors, status, version, created_at,
                             updated_at)
    SELECT gen_random_uuid(), 'Association ' || n, 'association ' || n,
           lpad((n % 12 + 1)::text, 2, '0'), '', 'active', 1, now(), now()
    FROM generate_series(0, {ASSOCIATIONS - 1}) AS n
    """,
    """
    CREATE TEMPORARY TABLE numbered AS
    SELECT id, region, (row_number() OVER (ORDER BY id)) - 1 AS n FROM association
    """,
    f"""
    INSERT INTO beneficiary (id, association_id, first_name, last_name, name_key, sex,
        birth_date, region, vulnerabilities, criteria, journey_stage, possible_duplicate,
        created_by, version, created_at, updated_at)
    SELECT gen_random_uuid(), a.id, 'Prenom' || i, 'Nom' || i,
           'prenom' || i || ' nom' || i,
           CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END,
           date '1966-01-01' + (i::bigint * 7919 % 14000)::int,
           a.region,
           CASE WHEN i % 3 = 0
                THEN '[{{"criterion": "neet_youth", "since": "2024-01-01"}}]'::json
                ELSE '[]'::json END,
           CASE WHEN i % 3 = 0 THEN ',neet_youth,' ELSE '' END,
           (ARRAY['intake', 'diagnosis', 'plan', 'training', 'job_search', 'exited'])[i % 6 + 1],
           false, 'bench', 1,
           timestamptz '2025-06-01' + (i % 500) * interval '1 day',
           timestamptz '2025-06-01' + (i % 500) * interval '1 day'
    FROM generate_series(0, {PEOPLE - 1}) AS i
    JOIN numbered AS a ON a.n = i % {ASSOCIATIONS}
    """,
    """
    INSERT INTO stage_move (id, beneficiary_id, from_stage, to_stage, exit_reason, moved_by,
                            moved_at)
    SELECT gen_random_uuid(), id, 'job_search', 'exited',
           CASE WHEN abs(hashtext(id::text)) % 2 = 0 THEN NULL ELSE 'dropped_out' END,
           'bench', created_at + interval '120 days'
    FROM beneficiary WHERE journey_stage = 'exited'
    """,
    # As the journey's move does: the instant of the exit kept on the person.
    """
    UPDATE beneficiary SET exited_at = stage_move.moved_at
    FROM stage_move WHERE stage_move.beneficiary_id = beneficiary.id
    """,
    """
    INSERT INTO outcome (id, beneficiary_id, type, outcome_date, sector, contract_type,
                         isco_group, recorded_by, version, created_at, updated_at)
    SELECT gen_random_uuid(), beneficiary_id, 'employment', (moved_at - interval '1 day')::date,
           (ARRAY['tourism', 'crafts', 'textile', 'renewable_energy'])
               [abs(hashtext(id::text)) % 4 + 1],
           'fixed_term', '5', 'bench', 1, moved_at, moved_at
    FROM stage_move WHERE exit_reason IS NULL
    """,
    """
    INSERT INTO follow_up (id, outcome_id, beneficiary_id, month, due_date, status,
                           outcome_holds, version, created_at, updated_at)
    SELECT gen_random_uuid(), o.id, o.beneficiary_id, m.month,
           (o.outcome_date + m.month * interval '1 month')::date,
           CASE WHEN o.outcome_date + m.month * interval '1 month' > now() THEN 'scheduled'
                WHEN abs(hashtext(o.id::text || m.month)) % 5 = 0 THEN 'missed'
                ELSE 'done' END,
           CASE WHEN o.outcome_date + m.month * interval '1 month' > now() THEN NULL
                WHEN abs(hashtext(o.id::text || m.month)) % 5 = 0 THEN NULL
                ELSE abs(hashtext(o.id::text)) % 4 <> 0 END,
           1, o.created_at, o.created_at
    FROM outcome AS o CROSS JOIN (VALUES (3), (6), (12)) AS m(month)
    """,
]


async def generate(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    counts: dict[str, int] = {}
    try:
        async with engine.begin() as connection:
            for statement in GENERATE:
                await connection.execute(text(statement))
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
    return {
        "list_page_median_ms": round(statistics.median(pages), 2),
        "list_page_p90_ms": round(sorted(pages)[int(len(pages) * 0.9)], 2),
        "stats_median_ms": stats,
    }


async def run(workdir: Path) -> dict[str, Any]:
    keys = Keys()
    url = await create_postgres_database("kafaat_bench_beneficiaries")
    try:
        await asyncio.to_thread(upgrade, SERVICE_ROOT, url)
        started = time.perf_counter()
        counts = await generate(url)
        generated = round(time.perf_counter() - started, 1)
        print(f"generated {counts} in {generated} s", flush=True)
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
        "postgres": str(version).split()[0],
        **result,
    }


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    national = result["stats_median_ms"]["viewer (country)"]
    return {
        "list_page_le_25ms": result["list_page_median_ms"] <= TARGET_PAGE_MS,
        "stats_le_1s": national <= TARGET_STATS_MS,
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
    lines += [
        "",
        "Timed service-side: in-process, from the request reaching the application to its "
        "last byte (token check, queries, audit write, serialisation; no client, no network), "
        "after `VACUUM (ANALYZE)`. Raw figures: `bench/results/beneficiaries_scale.json`.",
        "",
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    """Replace the "## Beneficiaries at 1M people" section of BENCHMARKS.md (or add it)."""
    current = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n\n"
    start = current.find("## Beneficiaries at 1M people\n")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + section
    else:
        end = current.find("\n## ", start + 1)
        updated = current[:start] + section + (current[end + 1 :] if end != -1 else "")
    BENCHMARKS_MD.write_text(updated)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kafaat-bench-beneficiaries-scale-") as workdir:
        started = time.perf_counter()
        result = asyncio.run(run(Path(workdir)))
        result["seconds_total"] = round(time.perf_counter() - started, 1)
    result["targets_met"] = verdicts(result)
    measured = time.strftime("%Y-%m-%d")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "beneficiaries_scale.json").write_text(
        json.dumps({"measured": measured, **result}, indent=2) + "\n"
    )
    write_section(markdown(result, measured))
    print(json.dumps(result, indent=2))
    return 0 if all(result["targets_met"].values()) else 1
