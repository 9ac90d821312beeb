"""/v1/stats/outcomes: counts in the caller's scope, small cells withheld, never a name."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.consents.models import Consent
from shared.db import utcnow
from shared.principal import Principal, Role
from shared.testing import make_principal

from ..cases import Api, problem_fields, staff
from .world import programme, row, value

STATS = "/v1/stats/outcomes"


async def figures(api: Api, principal: Principal | None = None, **params: Any) -> dict[str, Any]:
    return await api.ok("GET", STATS, principal, params=params)


async def test_the_figures_of_a_year(api: Api, db: AsyncSession) -> None:
    world = await programme(api, db)
    year = utcnow().year
    stats = await figures(api, region="01", year=year)

    assert (stats["region"], stats["year"], stats["threshold"]) == ("01", year, 5)
    assert value(stats["people_supported"]) == 11
    assert value(stats["exits"]) == 8
    assert value(stats["placed"]) == 7
    assert stats["placement_rate"] == {"value": 0.875, "suppressed": False}
    # 5 jobs, 2 cooperatives: the 2 are withheld, and the 5 with them (placed is published).
    types = stats["outcomes_by_type"]
    assert [item["key"] for item in types] == [
        "employment",
        "very_small_business",
        "cooperative",
        "self_employed",
        "further_training",
        "none",
    ]
    assert row(types, "cooperative")["people"] == {"value": None, "suppressed": True}
    assert row(types, "employment")["people"] == {"value": None, "suppressed": True}
    assert value(row(types, "none")["people"]) == 0
    sectors = stats["placed_by_sector"]
    assert row(sectors, "unspecified")["people"]["suppressed"] is True
    assert row(sectors, "tourism")["people"]["suppressed"] is True
    assert value(row(sectors, "crafts")["people"]) == 0

    female, male = row(stats["by_sex"], "female"), row(stats["by_sex"], "male")
    assert (value(female["supported"]), value(male["supported"])) == (6, 5)
    # 2 men left: withheld, and so is its complement among the exits.
    assert (male["exits"]["suppressed"], female["exits"]["suppressed"]) == (True, True)
    ages = stats["by_age_band"]
    assert value(row(ages, "25_34")["supported"]) == 6
    assert value(row(ages, "18_24")["supported"]) == 5
    assert value(row(ages, "45_plus")["supported"]) == 0
    neet = row(stats["by_vulnerability"], "neet_youth")
    assert value(neet["supported"]) == 5
    assert neet["exits"]["suppressed"] is True
    assert [item["key"] for item in stats["by_association"]] == [str(world.home.id)]
    assert value(stats["by_association"][0]["supported"]) == 11
    text = json.dumps(stats)
    for someone in world.women + world.men:
        assert someone.first_name not in text
        assert str(someone.id) not in text

    assert value((await figures(api, year=year - 1))["people_supported"]) == 0
    assert value((await figures(api))["people_supported"]) == 16


async def test_each_caller_counts_only_its_scope(api: Api, db: AsyncSession) -> None:
    world = await programme(api, db)

    def supported(stats: dict[str, Any]) -> int | None:
        return value(stats["people_supported"])

    coordinator = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("01",))
    oriental = make_principal(role=Role.REGIONAL_COORDINATOR, regions=("02",))
    assert supported(await figures(api, coordinator)) == 11
    assert supported(await figures(api, oriental)) == 5
    # A filter narrows the scope, never widens it.
    assert supported(await figures(api, coordinator, region="02")) == 0
    assert supported(await figures(api, coordinator, association=str(world.oriental.id))) == 0
    assert supported(await figures(api, make_principal(role=Role.VIEWER))) == 16
    assert supported(await figures(api, staff(world.home.id, Role.ASSOCIATION_MANAGER))) == 11
    neighbour = staff(world.neighbour.id, Role.ASSOCIATION_MANAGER)
    assert supported(await figures(api, neighbour)) == 0
    assert supported(await figures(api, neighbour, association=str(world.home.id))) == 0
    client = make_principal(kind="client", scopes=("beneficiaries:stats",), regions=("02",))
    assert supported(await figures(api, client)) == 5

    for refused in (
        staff(world.home.id),
        make_principal(role=Role.PROVIDER_STAFF),
        make_principal(kind="client", scopes=("offers:read",), regions=("01",)),
    ):
        assert (await api.request("GET", STATS, refused)).status_code == 403


async def test_people_who_object_are_not_counted(api: Api, db: AsyncSession) -> None:
    world = await programme(api, db)
    before = await figures(api, region="02")
    assert value(before["people_supported"]) == 5
    someone = world.oriental_people[0]
    for status, day in (("given", date(2026, 1, 1)), ("withdrawn", date(2026, 2, 1))):
        db.add(
            Consent(
                beneficiary_id=someone.id,
                purpose="statistics",
                status=status,
                decision_date=day,
                method="signed_form",
                recorded_by="test",
            )
        )
    await db.commit()
    after = await figures(api, region="02")
    assert after["people_supported"] == {"value": None, "suppressed": True}
    db.add(
        Consent(
            beneficiary_id=someone.id,
            purpose="statistics",
            status="given",
            decision_date=date(2026, 3, 1),
            method="oral",
            recorded_by="test",
        )
    )
    await db.commit()
    assert value((await figures(api, region="02"))["people_supported"]) == 5


async def test_bad_parameters_are_named(api: Api) -> None:
    for params, field in (
        ({"region": "99"}, "query.region"),
        ({"year": "1990"}, "query.year"),
        ({"association": "x"}, "query.association"),
    ):
        assert problem_fields(await api.request("GET", STATS, params=params)) == [field]
