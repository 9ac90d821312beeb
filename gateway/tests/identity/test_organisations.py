"""People are bound only to organisations that exist and lie in the maker's regions, as the
owning service tells (issue 9: a coordinator of one region took over another region's provider).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx2
import pytest
from fastapi import FastAPI
from pydantic import AnyHttpUrl

from shared.principal import Role
from shared.testing import free_port

from ..conftest import OpenGateway
from ..helpers import identity_of, sign_in, signed_in_headers
from ..organisations import ASSOCIATION, PARTNER, PROVIDER, Organisations
from .test_users_router import person

USERS = "/api/v1/users"
TETOUAN_05 = UUID("55555555-5555-5555-5555-555555555555")


async def coordinator_01(app: FastAPI, client: httpx2.AsyncClient) -> dict[str, str]:
    return await signed_in_headers(
        app, client, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01",)
    )


async def emails(client: httpx2.AsyncClient, headers: dict[str, str]) -> set[str]:
    return {item["email"] for item in (await client.get(USERS, headers=headers)).json()["items"]}


def assert_not_found_on(response: httpx2.Response, field: str) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_a_coordinator_cannot_bind_staff_to_another_regions_provider(
    app: FastAPI, client: httpx2.AsyncClient, organisations: Organisations
) -> None:
    # Published, so readable by anyone: the gateway compares the region itself.
    organisations.add("provider", TETOUAN_05, region="05")
    coordinator = await coordinator_01(app, client)
    staff: dict[str, Any] = {"role": "provider_staff", "regions": ["01"]}
    taken_over = await client.post(
        USERS,
        json=person("omar@example.org", **staff, provider_id=str(TETOUAN_05)),
        headers=coordinator,
    )
    assert_not_found_on(taken_over, "body.provider_id")
    missing = await client.post(
        USERS,
        json=person("omar@example.org", **staff, provider_id=str(uuid4())),
        headers=coordinator,
    )
    # Outside the regions answers exactly like a provider that does not exist.
    assert_not_found_on(missing, "body.provider_id")
    assert missing.json()["type"] == taken_over.json()["type"]
    assert await emails(client, coordinator) == {"karim@example.org"}
    # The lookup is made as the coordinator, whose service token offers scopes.
    karim = (await client.get("/api/v1/auth/me", headers=coordinator)).json()["id"]
    assert (f"/v1/providers/{TETOUAN_05}", karim) in organisations.asked
    own = await client.post(
        USERS,
        json=person("omar@example.org", **staff, provider_id=str(PROVIDER)),
        headers=coordinator,
    )
    assert own.status_code == 201, own.text


async def test_nor_by_changing_a_person_it_manages(
    app: FastAPI, client: httpx2.AsyncClient, organisations: Organisations
) -> None:
    organisations.add("provider", TETOUAN_05, region="05")
    coordinator = await coordinator_01(app, client)
    created = await client.post(
        USERS, json=person("omar@example.org", regions=["01"]), headers=coordinator
    )
    url = f"{USERS}/{created.json()['id']}"
    change = {"role": "provider_staff", "provider_id": str(TETOUAN_05)}
    assert_not_found_on(
        await client.patch(url, json=change, headers=coordinator), "body.provider_id"
    )
    assert (await client.get(url, headers=coordinator)).json()["role"] == "viewer"
    moved = await client.patch(
        url, json=change | {"provider_id": str(PROVIDER)}, headers=coordinator
    )
    assert moved.status_code == 200, moved.text
    # A rename does not ask the services at all.
    organisations.status = 503
    renamed = await client.patch(url, json={"full_name": "Omar B."}, headers=coordinator)
    assert renamed.status_code == 200, renamed.text


async def test_an_admin_binds_anywhere_but_only_to_what_exists_and_staff_get_its_region(
    app: FastAPI, client: httpx2.AsyncClient, organisations: Organisations
) -> None:
    organisations.add("provider", TETOUAN_05, region="05")
    admin = await signed_in_headers(app, client, "admin@example.org")
    missing = await client.post(
        USERS,
        json=person("omar@example.org", "provider_staff", provider_id=str(uuid4())),
        headers=admin,
    )
    assert_not_found_on(missing, "body.provider_id")
    wrong_region = await client.post(
        USERS,
        json=person(
            "omar@example.org", "provider_staff", provider_id=str(TETOUAN_05), regions=["01"]
        ),
        headers=admin,
    )
    assert wrong_region.status_code == 422
    assert [error["field"] for error in wrong_region.json()["errors"]] == ["body.regions"]
    created = await client.post(
        USERS,
        json=person("omar@example.org", "provider_staff", provider_id=str(TETOUAN_05)),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["regions"] == ["05"]
    # Their token carries the provider's region: offers refuses a provider outside it.
    token = (await sign_in(client, "omar@example.org"))["access_token"]
    principal = identity_of(app).resolver.resolve("Bearer " + token)
    assert (principal.provider_id, principal.regions) == (TETOUAN_05, ("05",))


@pytest.mark.parametrize(
    ("kind", "fields", "role"),
    [
        ("association", {"region": "02"}, "counsellor"),
        ("partner", {"regions": ["01", "02"]}, "partner_member"),
        ("partner", {}, "partner_member"),  # a record without regions is not placed: refused
    ],
)
async def test_associations_and_partners_must_lie_in_the_makers_regions(
    app: FastAPI,
    client: httpx2.AsyncClient,
    organisations: Organisations,
    kind: str,
    fields: dict[str, Any],
    role: str,
) -> None:
    outside = uuid4()
    organisations.add(kind, outside, **fields)
    coordinator = await coordinator_01(app, client)
    field = f"{kind}_id"
    body = person("nadia@example.org", role, regions=["01"], **{field: str(outside)})
    assert_not_found_on(await client.post(USERS, json=body, headers=coordinator), f"body.{field}")
    inside = {"association": ASSOCIATION, "partner": PARTNER}[kind]
    body[field] = str(inside)
    assert (await client.post(USERS, json=body, headers=coordinator)).status_code == 201


async def test_an_association_manager_binds_counsellors_to_its_association_as_it_exists(
    app: FastAPI, client: httpx2.AsyncClient, organisations: Organisations
) -> None:
    manager = await signed_in_headers(
        app,
        client,
        "youssef@example.org",
        Role.ASSOCIATION_MANAGER,
        regions=("01",),
        association_id=ASSOCIATION,
    )
    body = person("nadia@example.org", "counsellor", association_id=str(ASSOCIATION))
    # Until the beneficiaries service answers for associations, nothing is taken on trust.
    del organisations.records[f"/v1/associations/{ASSOCIATION}"]
    assert_not_found_on(await client.post(USERS, json=body, headers=manager), "body.association_id")
    organisations.add("association", ASSOCIATION, region="01")
    assert (await client.post(USERS, json=body, headers=manager)).status_code == 201


@pytest.mark.parametrize(("status", "answer"), [(500, 502), (401, 502)])
async def test_a_service_that_answers_badly_refuses(
    app: FastAPI,
    client: httpx2.AsyncClient,
    organisations: Organisations,
    status: int,
    answer: int,
) -> None:
    coordinator = await coordinator_01(app, client)
    organisations.status = status
    body = person("omar@example.org", "provider_staff", regions=["01"], provider_id=str(PROVIDER))
    response = await client.post(USERS, json=body, headers=coordinator)
    assert response.status_code == answer, response.text
    assert response.json()["service"] == "offers"
    assert await emails(client, coordinator) == {"karim@example.org"}


async def test_a_service_that_is_down_is_a_503_not_a_silent_accept(
    open_gateway: OpenGateway, service_urls: dict[str, Any]
) -> None:
    nobody = AnyHttpUrl(f"http://127.0.0.1:{free_port()}")
    async with open_gateway(**(service_urls | {"offers_url": nobody})) as (app, client):
        coordinator = await coordinator_01(app, client)
        body = person(
            "omar@example.org", "provider_staff", regions=["01"], provider_id=str(PROVIDER)
        )
        response = await client.post(USERS, json=body, headers=coordinator)
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json()["service"] == "offers"
        assert await emails(client, coordinator) == {"karim@example.org"}
