"""A small programme to count: two associations of region 01, one of region 02."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.associations.models import Association
from beneficiaries.people.models import Beneficiary
from shared.db import utcnow

from ..cases import Api, association, person

# Dated in the current year, the year the people were taken in (now).
YEAR = utcnow().year
JOB = {
    "type": "employment",
    "outcome_date": f"{YEAR}-03-01",
    "employer": "Hôtel Riad",
    "contract_type": "permanent",
    "sector": "tourism",
    "isco_group": "5",
}
COOPERATIVE = {"type": "cooperative", "outcome_date": f"{YEAR}-04-15"}


@dataclass
class Programme:
    home: Association
    neighbour: Association
    oriental: Association
    women: list[Beneficiary]
    men: list[Beneficiary]
    oriental_people: list[Beneficiary]


async def programme(api: Api, db: AsyncSession) -> Programme:
    """Home (01): 6 women born in 1998, 5 of them placed in a job in tourism then exited, one
    gone with a reason; 5 NEET men born in 2004, 2 of them placed in a cooperative and exited.
    The neighbour (01) has nobody; 5 people live in region 02."""
    home = await association(db)
    neighbour = await association(db, name="Voisine")
    oriental = await association(db, region="02", name="Oriental")
    women = [await person(db, home, first_name=f"Femme{i}") for i in range(6)]
    neet = [{"criterion": "neet_youth", "since": "2024-01-01"}]
    men = [
        await person(
            db,
            home,
            first_name=f"Homme{i}",
            sex="male",
            birth_date=date(2004, 2, 1),
            vulnerabilities=neet,
            criteria=["neet_youth"],
        )
        for i in range(5)
    ]
    oriental_people = [await person(db, oriental, first_name=f"O{i}") for i in range(5)]
    for woman in women[:5]:
        await outcome_and_exit(api, woman, JOB)
    await api.ok(
        "POST",
        f"/v1/beneficiaries/{women[5].id}/stage",
        json={"stage": "exited", "exit_reason": "moved_away"},
    )
    for man in men[:2]:
        await outcome_and_exit(api, man, COOPERATIVE)
    return Programme(home, neighbour, oriental, women, men, oriental_people)


async def outcome_and_exit(api: Api, someone: Beneficiary, outcome: dict[str, Any]) -> None:
    path = f"/v1/beneficiaries/{someone.id}"
    await api.ok("POST", path + "/outcomes", json=outcome)
    await api.ok("POST", path + "/stage", json={"stage": "exited"})


def row(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in rows if item["key"] == key)
    return found


def value(cell: dict[str, Any]) -> int | None:
    count: int | None = cell["value"]
    return count
