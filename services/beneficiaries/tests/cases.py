"""Records of the case-file tests: associations and people written straight as rows (the
people's own rules are tested with their domain), and requests as one caller or another."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx2
from sqlalchemy.ext.asyncio import AsyncSession

from beneficiaries.access import Access
from beneficiaries.associations.models import Association
from beneficiaries.people.models import Beneficiary
from shared.db import utcnow
from shared.principal import Principal, Role
from shared.testing import make_principal
from shared.text import fold

from . import helpers


async def association(db: AsyncSession, region: str = "01", **fields: Any) -> Association:
    now = utcnow()
    row = Association(
        **{
            "name": "Association Amal",
            "name_key": "association amal",
            "region": region,
            "sectors": [],
            "status": "active",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        | fields
    )
    db.add(row)
    await db.commit()
    return row


async def person(db: AsyncSession, association: Association, **fields: Any) -> Beneficiary:
    now = utcnow()
    values: dict[str, Any] = {
        "association_id": association.id,
        "first_name": "Salma",
        "last_name": "Benali",
        "sex": "female",
        "birth_date": date(1998, 5, 17),
        "email": "salma.benali@example.ma",
        "commune": "Martil",
        "region": association.region,
        "province": None,
        "vulnerabilities": [],
        "criteria": [],
        "journey_stage": "intake",
        "possible_duplicate": False,
        "created_by": "seed",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    } | fields
    values.setdefault("name_key", fold(f"{values['first_name']} {values['last_name']}"))
    row = Beneficiary(**values)
    db.add(row)
    await db.commit()
    return row


def staff(association_id: UUID, role: Role = Role.COUNSELLOR, **fields: Any) -> Principal:
    return make_principal(role=role, association_id=association_id, regions=("01",), **fields)


def access_of(principal: Principal) -> Access:
    return Access(principal)


class Api(helpers.Api):
    """The service's test client, with a shorthand for answers that must succeed."""

    async def ok(
        self, method: str, path: str, principal: Principal | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        response = await self.request(method, path, principal, **kwargs)
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body


def problem_fields(response: httpx2.Response) -> list[str]:
    """The fields a 422 problem names (asserting it is one)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def some_id() -> UUID:
    return uuid4()
