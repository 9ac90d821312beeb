"""The records net-activity's tests stand on: partners, networks, working groups and
memberships written as rows (their services belong to net-core), and requests as one caller or
another."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

import httpx2
from sqlalchemy.ext.asyncio import AsyncSession

from network.institution_models.programme import CHARTER_MODEL_ID, PUBLIC_MANDATE_MODEL_ID
from network.memberships.models import Membership
from network.networks.models import Network, WorkingGroup
from network.partners.models import Partner
from shared.db import utcnow
from shared.principal import Principal, Role
from shared.testing import Keys, make_principal

T = TypeVar("T")


def _stamps() -> dict[str, Any]:
    now = utcnow()
    return {"version": 1, "created_at": now, "updated_at": now}


class Records:
    """Rows written and committed on ``db``, for the application to read."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def _add(self, row: T) -> T:
        self.db.add(row)
        await self.db.commit()
        return row

    async def partner(
        self, name: str = "Textiles du Nord", regions: tuple[str, ...] = ("01",)
    ) -> Partner:
        return await self._add(
            Partner(
                id=uuid4(),
                name=name,
                name_key=name.lower(),
                kind="company",
                sectors=["textile"],
                regions=list(regions),
                status="active",
                **_stamps(),
            )
        )

    async def network(self, region: str = "01", name: str = "Réseau régional") -> Network:
        model = PUBLIC_MANDATE_MODEL_ID if region == "01" else CHARTER_MODEL_ID
        return await self._add(
            Network(
                id=uuid4(),
                region=region,
                name=name,
                name_key=name.lower(),
                model_id=model,
                status="active",
                **_stamps(),
            )
        )

    async def group(self, network: Network, name: str = "Groupe textile") -> WorkingGroup:
        return await self._add(
            WorkingGroup(
                id=uuid4(),
                network_id=network.id,
                region=network.region,
                name=name,
                sector="textile",
                status="active",
                **_stamps(),
            )
        )

    async def member(
        self,
        partner: Partner,
        network: Network,
        group: WorkingGroup | None = None,
        *,
        since: date = date(2026, 1, 1),
        until: date | None = None,
        role: str = "member",
    ) -> Membership:
        return await self._add(
            Membership(
                id=uuid4(),
                partner_id=partner.id,
                network_id=network.id,
                working_group_id=group.id if group else None,
                region=network.region,
                role=role,
                since=since,
                until=until,
                **_stamps(),
            )
        )


ADMIN = make_principal(role=Role.ADMIN)


def coordinator(*regions: str) -> Principal:
    return make_principal(role=Role.REGIONAL_COORDINATOR, regions=regions or ("01",))


def partner_member(partner_id: UUID) -> Principal:
    return make_principal(role=Role.PARTNER_MEMBER, partner_id=partner_id)


class Caller:
    """Requests to the service as one caller or another (an admin by default)."""

    def __init__(self, client: httpx2.AsyncClient, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    def headers(self, principal: Principal | None = None) -> dict[str, str]:
        return self.keys.headers("network", principal or ADMIN)

    async def request(
        self,
        method: str,
        path: str,
        principal: Principal | None = None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        all_headers = {**self.headers(principal), **(headers or {})}
        return await self.client.request(method, path, headers=all_headers, **kwargs)

    async def created(
        self, path: str, body: dict[str, Any], principal: Principal | None = None
    ) -> dict[str, Any]:
        response = await self.request("POST", path, principal, json=body)
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found

    async def event(self, owner: Network | WorkingGroup, **fields: Any) -> dict[str, Any]:
        key = "working_group_id" if isinstance(owner, WorkingGroup) else "network_id"
        body = {
            "kind": "meeting",
            key: str(owner.id),
            "title": "Réunion du réseau",
            "starts_at": "2027-01-12T10:00:00+01:00",
            "ends_at": "2027-01-12T12:00:00+01:00",
            "place": "Chambre de commerce, Tanger",
            **fields,
        }
        return await self.created("/v1/events", body)


def problem_fields(response: httpx2.Response) -> list[str]:
    """The fields a 422 problem names (asserting it is one)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def problem_reasons(response: httpx2.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {error["field"]: error["reason"] for error in response.json()["errors"]}
