"""The figures' rollup stays the records' own: each write is counted at the next read exactly as
a build from scratch counts it; a write the rollup would not see is refused; the rows of an
earlier year are rebuilt; two readers never build one association twice."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Column, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql import visitors

from beneficiaries.outcomes.models import Outcome
from beneficiaries.stats import rollup, service, tracking
from beneficiaries.stats.models import ALL_TIME, StatsBuilt, StatsPeople, StatsStale
from shared.db import utcnow
from shared.principal import Role
from shared.testing import OpenApp, make_principal

from ..cases import Api, association, person
from .test_enrolments import enrol
from .world import JOB, YEAR, Programme, programme, row, value

STATS = "/v1/stats/outcomes"
VIEWER = make_principal(role=Role.VIEWER)


def selections(world: Programme) -> list[dict[str, Any]]:
    return [
        {},
        {"year": YEAR},
        {"region": "01", "year": YEAR},
        {"region": "02"},
        {"year": YEAR - 1},
        {"association": str(world.home.id), "year": YEAR},
    ]


async def read_all(api: Api, world: Programme) -> list[dict[str, Any]]:
    return [await api.ok("GET", STATS, VIEWER, params=params) for params in selections(world)]


async def from_scratch(api: Api, db: AsyncSession, world: Programme) -> list[dict[str, Any]]:
    """The figures once every association's rows are built again from the records."""
    await rollup.rebuild_everything(db, utcnow().date())
    await db.commit()
    return await read_all(api, world)


async def test_each_write_is_counted_at_the_next_read(api: Api, db: AsyncSession) -> None:
    world = await programme(api, db)
    figures = await read_all(api, world)
    region_year = 2  # the index of {"region": "01", "year": YEAR} in selections()
    assert value(figures[region_year]["people_supported"]) == 11

    async def after(step: str) -> list[dict[str, Any]]:
        """The figures read once the rollup caught up with ``step``, checked against a build
        from scratch."""
        incremental = await read_all(api, world)
        assert incremental == await from_scratch(api, db, world), step
        return incremental

    newcomer = await person(db, world.home, first_name="Nouvelle", birth_date=date(1985, 1, 9))
    figures = await after("a person taken in")
    assert value(figures[region_year]["people_supported"]) == 12
    assert value(row(figures[region_year]["by_age_band"], "35_44")["supported"]) is None

    consents = f"/v1/beneficiaries/{newcomer.id}/consents"
    decision = {"purpose": "statistics", "decision_date": str(utcnow().date()), "method": "oral"}
    await api.ok("POST", consents, json=decision | {"status": "refused"})
    figures = await after("an objection to statistics")
    assert value(figures[region_year]["people_supported"]) == 11
    await api.ok("POST", consents, json=decision | {"status": "given"})
    figures = await after("the objection lifted")
    assert value(figures[region_year]["people_supported"]) == 12

    by_sex = figures[region_year]["by_sex"]
    assert (value(row(by_sex, "female")["supported"]), value(row(by_sex, "male")["supported"])) == (
        7,
        5,
    )
    # Rectified: one of the men is a woman: 4 men are too few to publish, and the women's
    # count is withheld with them (the total would give it away).
    man = f"/v1/beneficiaries/{world.men[4].id}"
    version = (await api.ok("GET", man))["version"]
    await api.ok(
        "PATCH",
        man,
        json={"sex": "female", "birth_date": "1990-03-03"},
        headers={"If-Match": f'"{version}"'},
    )
    figures = await after("a rectification")
    by_sex = figures[region_year]["by_sex"]
    assert [row(by_sex, sex)["supported"] for sex in ("female", "male")] == [
        {"value": None, "suppressed": True}
    ] * 2

    await api.ok("POST", man + "/outcomes", json=JOB)
    await api.ok("POST", man + "/stage", json={"stage": "exited"})
    figures = await after("an outcome and an exit")
    assert value(figures[region_year]["placed"]) == 8

    follow_ups = (await api.ok("GET", man + "/follow-ups"))["items"]
    three = next(item for item in follow_ups if item["month"] == 3)
    await api.ok(
        "PATCH",
        f"{man}/follow-ups/{three['id']}",
        json={"status": "done", "outcome_holds": True},
    )
    figures = await after("a follow-up done")

    for someone in world.oriental_people:
        await enrol(db, someone, datetime(YEAR, 2, 1, 9, tzinfo=UTC), 6)
    await db.commit()
    figures = await after("enrolments in training")
    oriental = figures[3]
    assert value(oriental["enrolled"]) == 5
    assert oriental["days_to_enrolment"]["median_days"] == 6.0


async def test_a_statement_writing_a_counted_table_says_what_it_does(
    api: Api, db: AsyncSession
) -> None:
    world = await programme(api, db)
    with pytest.raises(tracking.UntrackedWrite, match="outcome"):
        await db.execute(update(Outcome).values(sector="crafts"))
    await db.rollback()
    # Marked: the figures follow it.
    await tracking.mark(db, [world.home.id])
    await db.execute(
        update(Outcome).values(sector="crafts").execution_options(**tracking.FIGURES_MARKED)
    )
    await db.commit()
    stats = await api.ok("GET", STATS, VIEWER, params={"region": "01", "year": YEAR})
    assert row(stats["placed_by_sector"], "crafts")["people"] == {"value": 7, "suppressed": False}


def _read_columns() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for statement in rollup.every_statement():
        for element in visitors.iterate(statement):
            if isinstance(element, Column) and element.table is not None:
                table = getattr(element.table, "element", element.table)
                if isinstance(table, Table):
                    found.add((table.name, element.name))
    return found


def test_every_column_the_figures_read_is_tracked() -> None:
    read = _read_columns()
    assert {table for table, _ in read} >= {"beneficiary", "outcome", "follow_up", "consent"}
    untracked = {(t, c) for t, c in read if c not in tracking.COUNTED.get(t, frozenset())}
    # The associations' own table is read for the scope of the count, never for a figure.
    assert {(t, c) for t, c in untracked if t != "association"} == set()


async def test_rows_built_in_an_earlier_year_are_built_again(api: Api, db: AsyncSession) -> None:
    await programme(api, db)
    admin = make_principal(role=Role.ADMIN)
    now = await service.outcomes(
        db, admin, region=None, year=None, association_id=None, today=date(YEAR, 12, 1)
    )
    assert now.people_supported.value == 16
    assert set((await db.scalars(select(StatsBuilt.built_on))).all()) == {date(YEAR, 12, 1)}
    # On the first read of the next year: the 8 people still in support count in it.
    later = await service.outcomes(
        db, admin, region=None, year=YEAR + 1, association_id=None, today=date(YEAR + 1, 1, 5)
    )
    assert later.people_supported.value == 8
    assert set((await db.scalars(select(StatsBuilt.built_on))).all()) == {date(YEAR + 1, 1, 5)}


async def test_next_year_counts_who_is_in_support_and_later_years_are_refused(
    api: Api, db: AsyncSession
) -> None:
    await programme(api, db)
    # The 3 men of the home association still in support and the 5 people of region 02.
    next_year = await api.ok("GET", STATS, VIEWER, params={"year": YEAR + 1})
    assert (value(next_year["people_supported"]), value(next_year["exits"])) == (8, 0)
    response = await api.request("GET", STATS, VIEWER, params={"year": YEAR + 2})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["query.year"]


async def test_two_readers_build_a_stale_association_once(
    api: Api, db: AsyncSession, engine: AsyncEngine
) -> None:
    await programme(api, db)
    pending = len(await rollup.stale(db, utcnow().date()))
    assert pending == 2  # home and oriental (the neighbour has nobody and wrote nothing)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def reader() -> int:
        async with sessions() as session:
            return await rollup.refresh(session, utcnow().date())

    built = await asyncio.gather(reader(), reader())
    assert sum(built) == pending
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StatsStale)) == 0
    # The readers' connections leave the pool (on SQLite a connection left from a concurrent
    # pair keeps an older view of the schema, which the cleaning of the tables changes).
    await engine.dispose()


async def test_the_service_rebuilds_what_was_written_between_reads(
    open_app: OpenApp, db: AsyncSession
) -> None:
    async with open_app(stats_refresh_seconds=0.1):
        home = await association(db)
        await person(db, home)
        today = utcnow().date()
        deadline = time.monotonic() + 20
        while await rollup.stale(db, today) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert await rollup.stale(db, today) == []
        everyone = select(StatsPeople.supported).where(
            StatsPeople.association_id == home.id,
            StatsPeople.year == ALL_TIME,
            StatsPeople.dimension == "total",
        )
        assert await db.scalar(everyone) == 1
