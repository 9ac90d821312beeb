"""The gateway binds a partner member only to a partner the network service vouches for, in the
regions of whoever makes the account; the demo partner account belongs to the demo partner."""

from __future__ import annotations

import uuid

import httpx2

from gateway.demo import DEMO_PARTNER_ID, DEMO_PASSWORD
from kafaat.testing import Platform
from network import demo as network_demo

from .test_end_to_end import sign_in


async def create_partner(
    http: httpx2.AsyncClient, platform: Platform, headers: dict[str, str], regions: list[str]
) -> str:
    response = await http.post(
        platform.base_url + "/api/v1/partners",
        headers=headers,
        json={"name": f"Partenaire {uuid.uuid4().hex[:6]}", "kind": "company", "regions": regions},
    )
    assert response.status_code == 201, response.text
    partner_id: str = response.json()["id"]
    return partner_id


def member_body(partner_id: str, region: str = "01") -> dict[str, object]:
    return {
        "email": f"membre-{uuid.uuid4().hex[:8]}@partner.test",
        "full_name": "Membre Partenaire",
        "role": "partner_member",
        "regions": [region],
        "partner_id": partner_id,
        "password": DEMO_PASSWORD + "-x",
    }


async def test_a_partner_member_is_bound_only_to_a_partner_of_the_makers_regions(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    admin = await sign_in(http, platform, "admin@demo.kafaat.ma")
    coordinator = await sign_in(http, platform, "coordinator.tanger@demo.kafaat.ma")
    tanger = await create_partner(http, platform, coordinator, ["01"])
    oriental = await create_partner(http, platform, admin, ["02"])
    users = platform.base_url + "/api/v1/users"
    inside = await http.post(users, headers=coordinator, json=member_body(tanger))
    assert inside.status_code == 201, inside.text
    assert inside.json()["partner_id"] == tanger
    outside = await http.post(users, headers=coordinator, json=member_body(oriental))
    assert outside.status_code == 404, outside.text
    assert outside.json()["errors"][0]["field"] == "body.partner_id"
    missing = await http.post(users, headers=coordinator, json=member_body(str(uuid.uuid4())))
    assert missing.status_code == 404
    assert (
        await http.post(users, headers=admin, json=member_body(oriental, "02"))
    ).status_code == 201


def test_the_demo_partner_account_belongs_to_the_demo_partner() -> None:
    assert network_demo.DEMO_PARTNER_ID == DEMO_PARTNER_ID
