"""Network service at 10k partners, 100k events and 1M attendance rows on PostgreSQL: the
regional agenda and the activity figures, timed service-side.

1. migrates a scratch PostgreSQL database and fills it with set-based SQL (``generate_series``):
   one network per region with two working groups, 10k partners each a member of its region's
   network, 100k events over three years (1 % of them monthly series), 10 attendance rows per
   event (1M), a decision and an action item every other event, 2k agreements with a commitment
   and two progress reports each;
2. runs the application in process and times its own handling of each request (from receiving
   it to its last byte, no client or network in the figure): ``GET /v1/events/agenda`` of one
   region over the next 90 days (first page), and ``GET /v1/stats/activity`` of one region for a
   year; median of many calls, as a regional coordinator.

Targets (issue 11): agenda ≤ 25 ms, activity figures ≤ 500 ms median.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import text

from bench.offers import ServiceTimer
from network.main import create_app
from network.settings import Settings
from shared.db import create_engine
from shared.migrations import upgrade
from shared.principal import Role
from shared.settings import Environment
from shared.testing import (
    Keys,
    asgi_client,
    create_postgres_database,
    drop_postgres_database,
    make_principal,
)

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ROOT = ROOT / "services" / "network"
RESULTS = Path(__file__).parent / "results"
COMMAND = "python -m bench network"

PARTNERS = 10_000
EVENTS = 100_000
ATTENDANCE_PER_EVENT = 10
AGREEMENTS = 2_000
REPEATS = 60
TARGETS_MS = {"agenda": 25.0, "activity": 500.0}
REGIONS = [f"{number:02d}" for number in range(1, 13)]

FILL = [
    # One network per region (the charter model), two working groups each.
    """
    INSERT INTO network (id, region, name, name_key, model_id, status, version, created_at,
                         updated_at)
    SELECT gen_random_uuid(), lpad(r::text, 2, '0'), 'Réseau ' || r, 'reseau ' || r,
           '5b2f7c1e-6a0d-4e3b-8f41-2d9c0a6e0002', 'active', 1, now(), now()
    FROM generate_series(1, 12) AS r
    """,
    """
    INSERT INTO working_group (id, network_id, region, name, sector, status, version,
                               created_at, updated_at)
    SELECT gen_random_uuid(), n.id, n.region, 'Groupe ' || g, 'textile', 'active', 1, now(), now()
    FROM network n CROSS JOIN generate_series(1, 2) AS g
    """,
    f"""
    INSERT INTO partner (id, name, name_key, kind, sectors, regions, status, version, created_at,
                         updated_at)
    SELECT gen_random_uuid(), 'Partenaire ' || p, 'partenaire ' || p, 'company', ',textile,',
           ',' || lpad((1 + p % 12)::text, 2, '0') || ',', 'active', 1, now(), now()
    FROM generate_series(1, {PARTNERS}) AS p
    """,
    """
    INSERT INTO membership (id, partner_id, network_id, region, role, since, version, created_at,
                            updated_at)
    SELECT gen_random_uuid(), p.id, n.id, n.region, 'member', DATE '2024-01-01', 1, now(), now()
    FROM partner p JOIN network n ON p.regions = ',' || n.region || ','
    """,
    # Events over 2025-2027; every 100th a monthly series of 12 meetings of a working group.
    f"""
    INSERT INTO event (id, network_id, working_group_id, region, kind, title, starts_at, ends_at,
                       recurrence, last_starts_at, status, sequence, version, created_at,
                       updated_at)
    SELECT gen_random_uuid(), n.id, CASE WHEN e % 100 = 0 THEN g.id END, n.region,
           (ARRAY['meeting','training','seminar','study_visit','workshop'])[1 + e % 5],
           'Événement ' || e, s, s + interval '2 hours',
           CASE WHEN e % 100 = 0 THEN 'FREQ=MONTHLY;INTERVAL=1;COUNT=12' END,
           CASE WHEN e % 100 = 0 THEN s + interval '11 months' ELSE s END,
           CASE WHEN e % 17 = 0 THEN 'cancelled' WHEN s < now() THEN 'held' ELSE 'scheduled' END,
           0, 1, now(), now()
    FROM generate_series(1, {EVENTS}) AS e
    CROSS JOIN LATERAL (
        SELECT TIMESTAMPTZ '2025-01-01 08:00+00' + (e * 7919 % 1095) * interval '1 day'
               + (e % 9) * interval '1 hour' AS s
    ) AS start
    JOIN network n ON n.region = lpad((1 + e % 12)::text, 2, '0')
    JOIN LATERAL (
        SELECT id FROM working_group WHERE network_id = n.id ORDER BY id LIMIT 1
    ) AS g ON true
    """,
    # Ten rows per event, of partners of the event's region (every region has 833 or 834).
    f"""
    INSERT INTO attendance (id, event_id, occurrence_at, partner_id, person_name, present,
                            version, created_at, updated_at)
    WITH numbered AS (
        SELECT network_id, partner_id,
               row_number() OVER (PARTITION BY network_id ORDER BY partner_id) AS n
        FROM membership
    )
    SELECT gen_random_uuid(), e.id, e.starts_at, m.partner_id, 'Personne ' || k, k % 7 <> 0, 1,
           now(), now()
    FROM (SELECT id, starts_at, network_id, row_number() OVER () AS rn FROM event) AS e
    CROSS JOIN generate_series(1, {ATTENDANCE_PER_EVENT}) AS k
    JOIN numbered m ON m.network_id = e.network_id AND m.n = 1 + (e.rn * 31 + k * 97) % 800
    """,
    """
    INSERT INTO decision (id, event_id, text, version, created_at, updated_at)
    SELECT gen_random_uuid(), id, 'Décision', 1, starts_at, starts_at
    FROM (SELECT id, starts_at, row_number() OVER () AS rn FROM event) AS e WHERE rn % 2 = 0
    """,
    """
    INSERT INTO action_item (id, event_id, network_id, region, title, owner_partner_id, due_date,
                             status, version, created_at, updated_at)
    SELECT gen_random_uuid(), e.id, e.network_id, e.region, 'Action', a.partner_id,
           (e.starts_at + interval '30 days')::date,
           CASE WHEN e.rn % 3 = 0 THEN 'done' ELSE 'open' END, 1, now(), now()
    FROM (SELECT id, network_id, region, starts_at, row_number() OVER () AS rn FROM event) AS e
    JOIN LATERAL (SELECT partner_id FROM attendance WHERE event_id = e.id LIMIT 1) AS a ON true
    WHERE e.rn % 2 = 1
    """,
    f"""
    INSERT INTO agreement (id, region, title, kind, start_date, end_date, status, signed_date,
                           version, created_at, updated_at)
    SELECT gen_random_uuid(), lpad((1 + a % 12)::text, 2, '0'), 'Convention ' || a,
           'internships_apprenticeships', DATE '2025-01-01' + (a % 700),
           DATE '2025-01-01' + (a % 700) + 365, 'signed', DATE '2024-12-15' + (a % 700), 1,
           now(), now()
    FROM generate_series(1, {AGREEMENTS}) AS a
    """,
    """
    INSERT INTO commitment (id, agreement_id, description, quantity, unit, sector, version,
                            created_at, updated_at)
    SELECT gen_random_uuid(), id, 'Stages', 30, 'internships', 'textile', 1, now(), now()
    FROM agreement
    """,
    """
    INSERT INTO progress_report (id, commitment_id, reported_on, achieved, created_at)
    SELECT gen_random_uuid(), c.id, a.start_date + step * 90, step * 6, now()
    FROM commitment c JOIN agreement a ON a.id = c.agreement_id
    CROSS JOIN generate_series(1, 2) AS step
    """,
]


async def fill(database_url: str) -> dict[str, float]:
    engine = create_engine(database_url)
    timings: dict[str, float] = {}
    try:
        for statement in FILL:
            table = statement.split("INSERT INTO ", 1)[1].split(" ", 1)[0]
            started = time.perf_counter()
            async with engine.begin() as connection:
                await connection.execute(text(statement))
            timings[table] = round(time.perf_counter() - started, 1)
            print(f"  {table}: {timings[table]} s", flush=True)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    return timings


async def timed(database_url: str) -> dict[str, Any]:
    keys = Keys()
    settings = Settings(
        environment=Environment.TEST,
        database_url=database_url,
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_level="WARNING",
    )
    timer = ServiceTimer(create_app(settings))
    rng = random.Random(11)
    coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=tuple(REGIONS))
    viewer = make_principal(role=Role.VIEWER)
    results: dict[str, Any] = {}
    async with asgi_client(timer) as client:
        headers = {"agenda": keys.headers("network", coordinator)}
        headers["activity"] = keys.headers("network", viewer)

        async def agenda() -> None:
            region = rng.choice(REGIONS)
            day = 1 + rng.randrange(27)
            params = {
                "region": region,
                "from": f"2026-03-{day:02d}T00:00:00+01:00",
                "to": f"2026-06-{day:02d}T00:00:00+01:00",
            }
            response = await client.get(
                "/v1/events/agenda", params=params, headers=headers["agenda"]
            )
            if response.status_code != 200:
                raise RuntimeError(f"agenda: {response.status_code} {response.text[:300]}")

        async def activity() -> None:
            params: dict[str, str | int] = {
                "region": rng.choice(REGIONS),
                "year": rng.choice([2025, 2026]),
            }
            response = await client.get(
                "/v1/stats/activity", params=params, headers=headers["activity"]
            )
            if response.status_code != 200:
                raise RuntimeError(f"activity: {response.status_code} {response.text[:300]}")

        for name, call in (("agenda", agenda), ("activity", activity)):
            # Short-lived service tokens: signed again for each measure.
            headers["agenda"] = keys.headers("network", coordinator)
            headers["activity"] = keys.headers("network", viewer)
            for _ in range(10):  # warm-up: connections, caches, plans
                await call()
            durations = []
            for _ in range(REPEATS):
                await call()
                durations.append(timer.last_ms)
            results[name] = {
                "median_ms": round(statistics.median(durations), 2),
                "p90_ms": round(sorted(durations)[int(len(durations) * 0.9)], 2),
                "target_ms": TARGETS_MS[name],
            }
            print(f"  {name}: {results[name]}", flush=True)
    return results


async def run() -> dict[str, Any]:
    database_url = await create_postgres_database("kafaat_bench_network")
    try:
        await asyncio.to_thread(upgrade, SERVICE_ROOT, database_url)
        print("filling…", flush=True)
        filled = await fill(database_url)
        return {
            "partners": PARTNERS,
            "events": EVENTS,
            "attendance": EVENTS * ATTENDANCE_PER_EVENT,
            "fill_seconds": filled,
            "timings": await timed(database_url),
        }
    finally:
        await drop_postgres_database(database_url)


def main() -> int:
    result = asyncio.run(run())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "network.json").write_text(json.dumps(result, indent=2))
    met = all(
        figures["median_ms"] <= figures["target_ms"] for figures in result["timings"].values()
    )
    print(json.dumps(result["timings"], indent=2))
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1
