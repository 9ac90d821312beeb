"""The national demo data (``kafaat seed-demo --scale national``): the whole country after the
pilot, for benchmarks. 1,000 associations over the 12 regions, 1,000,000 people taken in from
June 2021, ``sizes.placed`` (360,000) of them placed, the others out with a reason or still in
support; their consents, exits, outcomes and follow-ups.

At this size one service call per record would take hours, so the people are generated
set-based on PostgreSQL (``INSERT … SELECT generate_series``), in the tables and with the values
the domain services write (the same stages, codes, consent rows, exit moves, follow-ups at 3, 6
and 12 months), and audited as the intake import audits a batch: one entry per association naming
its people. The associations are the same plan as the pilot's (``demo_plan.plan_associations``:
the first is the demo association). Deterministic: the people's ids and draws are hashes of
their number. Left out at this scale: identifiers (CIN, phone: they are encrypted one by one),
diagnoses, plans, actions and referrals.

PostgreSQL only: on SQLite it refuses with a clear message (``NationalNeedsPostgres``).
``bench/beneficiaries_scale.py`` times the service on the data it generates.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations import service as associations_service
from beneficiaries.associations.schemas import AssociationCreate
from beneficiaries.audit import service as audit_service
from beneficiaries.demo_plan import (
    DEMO_ASSOCIATION_ID,
    FAMILY_NAMES,
    FEMALE_NAMES,
    FURTHER_TRAINING_SHARE,
    MALE_NAMES,
    NO_OUTCOME_RECORDED_SHARE,
    PLACED_MIX,
    plan_associations,
)
from beneficiaries.stats import rollup
from beneficiaries.vocabulary import AuditAction, AuditPurpose
from shared.db import create_engine, create_sessionmaker, utcnow
from shared.demo import DEMO_SECTORS, Sizes
from shared.principal import Principal, Role
from shared.progress import progress
from shared.text import fold

LOADER = Access(Principal(subject="kafaat seed-demo", kind="user", role=Role.ADMIN))
# The share of people still in support today (taken in in 2026, at every stage before exit).
IN_SUPPORT_SHARE = 0.04
# Taken in from the end of the pilot over four years; the exits follow within 16 months.
FIRST_INTAKE = date(2021, 6, 1)
INTAKE_DAYS = 1490
CURRENT_INTAKE = date(2026, 6, 1)

# Of the people never placed: how many refused their figures to be counted (law 09-08), so the
# statistics' objection check meets real refusals at scale (the pilot has none: demo_plan).
STATISTICS_REFUSED_SHARE = 0.04


class NationalNeedsPostgres(RuntimeError):
    """The national demo data is generated set-based on PostgreSQL only."""

    def __init__(self) -> None:
        super().__init__(
            "The national demo data (1,000,000 people) is generated on PostgreSQL only: set "
            "KAFAAT_BENEFICIARIES_DATABASE_URL to a postgresql+asyncpg:// database, or load the "
            "pilot (kafaat seed-demo) on SQLite."
        )


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _coprime(people: int) -> int:
    """A multiplier that permutes 0 … people-1 (``i * m % people``): the rank of person ``i``,
    so that exactly the first ``placed`` ranks are placed, spread over every association."""
    multiplier = 7919
    while math.gcd(multiplier, people) != 1:
        multiplier += 2
    return multiplier


def bounds(sizes: Sizes) -> dict[str, int]:
    """The ranks of each kind of person: ``[0, placed)`` placed (employment, TPE, cooperative,
    auto-entrepreneur in that order), then further training, an outcome of none, an exit with a
    reason (the last of those object to statistics), and the people still in support."""
    people, placed = sizes.people, min(sizes.placed, sizes.people)
    current = round(people * IN_SUPPORT_SHARE)
    others = people - placed - current
    marks: dict[str, int] = {}
    edge = 0
    for kind, share in PLACED_MIX:
        edge += round(placed * share)
        marks[kind.value] = edge
    marks["placed"] = placed
    marks["further_training"] = placed + round(others * FURTHER_TRAINING_SHARE)
    marks["none"] = marks["further_training"] + round(others * NO_OUTCOME_RECORDED_SHARE)
    marks["current"] = people - current
    marks["objecting"] = marks["current"] - round(others * STATISTICS_REFUSED_SHARE)
    return marks


def statements(sizes: Sizes) -> list[tuple[str, str]]:
    """The set-based steps, each ``(what, SQL)``; ``demo_association(n, id, region,
    province)`` holds the associations by number."""
    marks = bounds(sizes)
    first = [*FEMALE_NAMES, *MALE_NAMES]
    sectors = [sector.value for sector in DEMO_SECTORS]
    employment, tpe, cooperative = (marks[k.value] for k, _ in PLACED_MIX)
    kind = f"""CASE
        WHEN p.rank < {employment} THEN 'employment'
        WHEN p.rank < {tpe} THEN 'very_small_business'
        WHEN p.rank < {cooperative} THEN 'cooperative'
        WHEN p.rank < {marks["placed"]} THEN 'self_employed'
        WHEN p.rank < {marks["further_training"]} THEN 'further_training'
        WHEN p.rank < {marks["none"]} THEN 'none'
        WHEN p.rank < {marks["current"]} THEN NULL
        ELSE 'current' END"""
    return [
        (
            "people planned",
            f"""
            CREATE TEMPORARY TABLE demo_person ON COMMIT DROP AS
            SELECT p.i, p.rank, p.id, a.id AS association_id, a.region, a.province, {kind} AS kind,
                   CASE WHEN p.rank >= {marks["current"]}
                        THEN date '{CURRENT_INTAKE}' + (p.i % 150)
                        ELSE date '{FIRST_INTAKE}' + (p.i::bigint * 104729 % {INTAKE_DAYS})::int
                   END AS intake,
                   16 + (p.i * 37 % 40) AS age,
                   (p.i::bigint * 2654435761 % 1000)::int AS draw
            FROM (SELECT i, (i::bigint * {_coprime(sizes.people)}) % {sizes.people} AS rank,
                         md5('kafaat-demo-person/' || i)::uuid AS id
                  FROM generate_series(0, {sizes.people - 1}) AS i) AS p
            JOIN demo_association AS a ON a.n = p.i % {sizes.associations}
            """,
        ),
        (
            "people",
            f"""
            INSERT INTO beneficiary (id, association_id, first_name, last_name, name_key, sex,
                birth_date, region, province, education_level, vulnerabilities, criteria,
                journey_stage, exited_at, possible_duplicate, created_by, version, created_at,
                updated_at)
            SELECT p.id, p.association_id, f.name, 'Demo-' || l.name,
                   f.folded || ' demo ' || l.folded,
                   CASE WHEN f.n <= {len(FEMALE_NAMES)} THEN 'female' ELSE 'male' END,
                   (p.intake - make_interval(years => p.age))::date - (p.i % 365),
                   p.region, p.province,
                   ({_array(["none", "primary", "lower_secondary", "upper_secondary"])}
                    || {_array(["post_secondary", "short_tertiary", "bachelor"])})[p.draw % 7 + 1],
                   json_build_array(json_build_object(
                       'criterion', c.criterion, 'since', (p.intake - 200)::text)),
                   ',' || c.criterion || ',',
                   CASE WHEN p.kind = 'current'
                        THEN ({_array(["intake", "diagnosis", "plan", "training"])}
                              || {_array(["job_search"])})[p.i % 5 + 1]
                        ELSE 'exited' END,
                   CASE WHEN p.kind = 'current' THEN NULL
                        ELSE (p.intake + 90 + (p.i * 31 % 400))::timestamp AT TIME ZONE 'UTC'
                             + interval '15 hours' END,
                   false, '{LOADER.subject}', 1,
                   p.intake::timestamp AT TIME ZONE 'UTC' + interval '9 hours',
                   p.intake::timestamp AT TIME ZONE 'UTC' + interval '9 hours'
            FROM demo_person AS p
            JOIN (SELECT n, name, folded FROM unnest({_array(first)},
                                                     {_array([fold(n) for n in first])})
                  WITH ORDINALITY AS t(name, folded, n)) AS f
              ON f.n = (p.i * 7 + (p.i / 7)) % {len(first)} + 1
            JOIN (SELECT n, name, folded FROM unnest({_array(list(FAMILY_NAMES))},
                                                     {_array([fold(n) for n in FAMILY_NAMES])})
                  WITH ORDINALITY AS t(name, folded, n)) AS l
              ON l.n = (p.i * 13 + (p.i / 11)) % {len(FAMILY_NAMES)} + 1
            JOIN (SELECT n, criterion FROM unnest({_array(VULNERABILITIES)})
                  WITH ORDINALITY AS t(criterion, n)) AS c
              ON c.n = CASE WHEN p.age <= 24 THEN 1 ELSE p.draw % {len(VULNERABILITIES) - 1} + 2 END
            """,
        ),
        (
            "consents",
            f"""
            INSERT INTO consent (id, beneficiary_id, purpose, status, decision_date, method,
                                 recorded_by, recorded_at)
            SELECT md5('kafaat-demo-consent/' || p.i || '/' || c.purpose)::uuid, p.id, c.purpose,
                   CASE WHEN c.purpose = 'statistics' AND p.rank >= {marks["objecting"]}
                             AND p.rank < {marks["current"]}
                        THEN 'refused' ELSE 'given' END,
                   p.intake, 'signed_form', '{LOADER.subject}',
                   p.intake::timestamp AT TIME ZONE 'UTC' + interval '9 hours'
            FROM demo_person AS p
            CROSS JOIN (VALUES ('support'), ('statistics')) AS c(purpose)
            WHERE c.purpose = 'support' OR p.draw % 15 <> 0
                  OR (p.rank >= {marks["objecting"]} AND p.rank < {marks["current"]})
            """,
        ),
        (
            "exits",
            f"""
            INSERT INTO stage_move (id, beneficiary_id, from_stage, to_stage, exit_reason,
                                    moved_by, moved_at)
            SELECT md5('kafaat-demo-exit/' || p.i)::uuid, p.id,
                   CASE WHEN p.kind IS NULL THEN
                        ({_array(["intake", "diagnosis", "plan", "training"])}
                         || {_array(["job_search"] * 4)})[p.draw % 8 + 1]
                        ELSE 'job_search' END,
                   'exited',
                   CASE WHEN p.kind IS NULL THEN
                        ({_array(["dropped_out", "unreachable", "moved_away", "health"])}
                         || {_array(["family_reasons", "no_longer_eligible", "other"])})
                        [p.i % 7 + 1] END,
                   '{LOADER.subject}', b.exited_at
            FROM demo_person AS p JOIN beneficiary AS b ON b.id = p.id
            WHERE p.kind IS DISTINCT FROM 'current'
            """,
        ),
        (
            "outcomes",
            f"""
            INSERT INTO outcome (id, beneficiary_id, type, outcome_date, employer, contract_type,
                                 sector, isco_group, recorded_by, version, created_at, updated_at)
            SELECT md5('kafaat-demo-outcome/' || p.i)::uuid, p.id, p.kind, o.day,
                   CASE WHEN p.kind = 'employment' THEN 'Demo Employeur ' || (p.i % 997) END,
                   CASE WHEN p.kind = 'employment' THEN
                        ({_array(["fixed_term", "fixed_term", "insertion", "permanent"])}
                         || {_array(["seasonal", "apprenticeship", "temporary_agency", "other"])})
                        [p.draw % 8 + 1] END,
                   CASE WHEN p.kind <> 'none'
                        THEN ({_array(sectors)})[p.i % {len(sectors)} + 1] END,
                   CASE WHEN p.kind = 'employment' THEN
                        ({_array(["5", "7", "8", "9", "4", "3"])})[p.draw % 6 + 1] END,
                   '{LOADER.subject}', 1,
                   o.day::timestamp AT TIME ZONE 'UTC' + interval '16 hours',
                   o.day::timestamp AT TIME ZONE 'UTC' + interval '16 hours'
            FROM demo_person AS p JOIN beneficiary AS b ON b.id = p.id
            CROSS JOIN LATERAL (
                SELECT (b.exited_at - (p.i % 20) * interval '1 day')::date AS day) AS o
            WHERE p.kind IS NOT NULL AND p.kind <> 'current'
            """,
        ),
        (
            "follow-ups",
            f"""
            INSERT INTO follow_up (id, outcome_id, beneficiary_id, month, due_date, status,
                                   outcome_holds, recorded_by, recorded_at, version, created_at,
                                   updated_at)
            SELECT md5('kafaat-demo-follow-up/' || o.id || '/' || m.month)::uuid, o.id,
                   o.beneficiary_id, m.month, f.due,
                   CASE WHEN f.due > date '{date.today()}' THEN 'scheduled'
                        WHEN f.draw % 9 = 0 THEN 'missed' ELSE 'done' END,
                   CASE WHEN f.due > date '{date.today()}' OR f.draw % 9 = 0 THEN NULL
                        ELSE f.draw % 100 >= m.month * 2 END,
                   CASE WHEN f.due <= date '{date.today()}' THEN '{LOADER.subject}' END,
                   CASE WHEN f.due <= date '{date.today()}'
                        THEN f.due::timestamp AT TIME ZONE 'UTC' + interval '14 hours' END,
                   CASE WHEN f.due <= date '{date.today()}' THEN 2 ELSE 1 END,
                   o.created_at, CASE WHEN f.due <= date '{date.today()}'
                        THEN f.due::timestamp AT TIME ZONE 'UTC' + interval '14 hours'
                        ELSE o.created_at END
            FROM outcome AS o
            CROSS JOIN (VALUES (3), (6), (12)) AS m(month)
            CROSS JOIN LATERAL (
                SELECT (o.outcome_date + m.month * interval '1 month')::date AS due,
                       abs(hashtext(o.id::text || m.month)) AS draw) AS f
            WHERE o.type <> 'none'
            """,
        ),
    ]


VULNERABILITIES = [
    "neet_youth",
    "woman_in_precarity",
    "long_term_unemployed",
    "low_income_household",
    "rural_resident",
    "single_parent",
    "school_dropout",
    "person_with_disability",
    "migrant_or_refugee",
]


async def _associations(db: AsyncSession, sizes: Sizes) -> None:
    planned = plan_associations(sizes)
    await db.execute(
        text(
            "CREATE TEMPORARY TABLE demo_association (n integer PRIMARY KEY, id uuid, "
            "region varchar(2), province varchar(6)) ON COMMIT DROP"
        )
    )
    for association in planned:
        data = AssociationCreate.model_validate(association.fields())
        await associations_service.create(db, LOADER, data, association_id=association.id)
    await db.execute(
        text("INSERT INTO demo_association VALUES (:n, :id, :region, :province)"),
        [
            {"n": n, "id": a.id, "region": a.region, "province": a.province}
            for n, a in enumerate(planned)
        ],
    )
    stamp = datetime(2021, 5, 3, 10, tzinfo=UTC)
    await db.execute(
        text("UPDATE association SET created_at = :at, updated_at = :at"), {"at": stamp}
    )


async def _audit(db: AsyncSession, advance: Any) -> None:
    """One audit entry per association naming the people written for it (as the intake
    import audits each batch it writes)."""
    rows = await db.execute(
        text("SELECT association_id, array_agg(id) FROM demo_person GROUP BY 1")
    )
    for _, people in sorted(rows.all(), key=lambda row: str(row[0])):
        await audit_service.record(
            db, LOADER, action=AuditAction.CREATE, purpose=AuditPurpose.INTAKE, records=people
        )
        advance(1)


async def load(db: AsyncSession, sizes: Sizes) -> bool:
    """Generate the national data in ``db``'s transaction; False when it was there already."""
    if db.get_bind().dialect.name != "postgresql":
        raise NationalNeedsPostgres()
    if await associations_service.get(db, DEMO_ASSOCIATION_ID) is not None:
        return False
    steps = statements(sizes)
    with progress(
        "national demo data", total=2 + len(steps) + sizes.associations, unit="steps"
    ) as advance:
        await _associations(db, sizes)
        advance(1)
        for _, statement in steps:
            await db.execute(text(statement))
            advance(1)
        await _audit(db, advance)
        # Written by SQL, not through the records' sessions: the figures are built at once.
        await rollup.rebuild_everything(db, utcnow().date())
        advance(1)
    return True


async def seed(database_url: str, sizes: Sizes) -> bool:
    engine = create_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            raise NationalNeedsPostgres()
        async with create_sessionmaker(engine)() as db:
            loaded = await load(db, sizes)
            await db.commit()
        if loaded:
            async with engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
        return loaded
    finally:
        await engine.dispose()
