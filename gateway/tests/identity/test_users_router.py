"""``/api/v1/users``: admins manage everyone, coordinators and association managers their own."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx2
import pytest
from fastapi import FastAPI

from shared.principal import Role

from ..factories import Identities
from ..helpers import PASSWORD, bearer, sign_in, signed_in_headers
from ..organisations import ASSOCIATION, OTHER_ASSOCIATION, PROVIDER

USERS = "/api/v1/users"


def person(email: str, role: str = "viewer", **fields: Any) -> dict[str, Any]:
    return {
        "email": email,
        "full_name": "Test Person",
        "role": role,
        "password": PASSWORD,
        **fields,
    }


async def admin_headers(app: FastAPI, client: httpx2.AsyncClient) -> dict[str, str]:
    return await signed_in_headers(app, client, "admin@example.org")


async def test_admin_creates_a_person_who_can_then_sign_in(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    headers = await admin_headers(app, client)
    response = await client.post(
        USERS,
        json=person("Nadia@Example.org", "counsellor", association_id=str(ASSOCIATION)),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{USERS}/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["role"] == "counsellor"
    assert body["association_id"] == str(ASSOCIATION)
    assert body["active"] is True
    assert "password" not in body
    assert "password_hash" not in body
    pair = await sign_in(client, "nadia@example.org")
    me = (await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))).json()
    assert me["id"] == body["id"]


async def test_email_is_unique_whatever_its_case(app: FastAPI, client: httpx2.AsyncClient) -> None:
    headers = await admin_headers(app, client)
    assert (await client.post(USERS, json=person("x@example.org"), headers=headers)).is_success
    response = await client.post(USERS, json=person("X@EXAMPLE.org"), headers=headers)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "body.email"


@pytest.mark.parametrize(
    ("password", "reason"),
    [("eleven char", "at least 12 characters"), ("new@example.org", "must not be the email")],
)
async def test_password_policy_is_a_422_naming_the_field(
    app: FastAPI, client: httpx2.AsyncClient, password: str, reason: str
) -> None:
    headers = await admin_headers(app, client)
    body = person("new@example.org") | {"password": password}
    response = await client.post(USERS, json=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "body.password"
    assert reason in error["reason"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"role": "regional_coordinator"}, "body.regions"),
        ({"role": "counsellor"}, "body.association_id"),
        ({"role": "provider_staff", "association_id": str(ASSOCIATION)}, "body.provider_id"),
        ({"role": "admin", "provider_id": str(PROVIDER)}, "body.provider_id"),
        ({"regions": ["99"]}, "body.regions.0"),
        ({"role": "wizard"}, "body.role"),
        ({"email": "not an email"}, "body.email"),
    ],
)
async def test_role_and_scope_must_fit(
    app: FastAPI, client: httpx2.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    headers = await admin_headers(app, client)
    response = await client.post(USERS, json=person("new@example.org") | fields, headers=headers)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"role": "provider_staff", "provider_id": str(PROVIDER), "regions": ["01"]}, 201),
        ({"role": "regional_coordinator", "regions": ["01"]}, 201),
        ({"role": "provider_staff", "provider_id": str(PROVIDER), "regions": ["02"]}, 403),
        ({"role": "provider_staff", "provider_id": str(PROVIDER)}, 403),
        ({"role": "regional_coordinator", "regions": ["01", "02"]}, 403),
        ({"role": "admin"}, 403),
        ({"role": "viewer"}, 403),
    ],
)
async def test_a_coordinator_creates_only_inside_its_regions(
    app: FastAPI, client: httpx2.AsyncClient, fields: dict[str, Any], status: int
) -> None:
    headers = await signed_in_headers(
        app, client, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    response = await client.post(USERS, json=person("new@example.org", **fields), headers=headers)
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"role": "counsellor", "association_id": str(ASSOCIATION), "regions": ["01"]}, 201),
        ({"role": "association_manager", "association_id": str(ASSOCIATION)}, 201),
        ({"role": "counsellor", "association_id": str(OTHER_ASSOCIATION)}, 403),
        ({"role": "counsellor", "association_id": str(ASSOCIATION), "regions": ["02"]}, 403),
        ({"role": "regional_coordinator", "regions": ["01"]}, 403),
        ({"role": "provider_staff", "provider_id": str(PROVIDER)}, 403),
    ],
)
async def test_an_association_manager_creates_only_in_its_association(
    app: FastAPI, client: httpx2.AsyncClient, fields: dict[str, Any], status: int
) -> None:
    headers = await signed_in_headers(
        app,
        client,
        "youssef@example.org",
        Role.ASSOCIATION_MANAGER,
        regions=("01",),
        association_id=ASSOCIATION,
    )
    response = await client.post(USERS, json=person("new@example.org", **fields), headers=headers)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.VIEWER, Role.PROVIDER_STAFF])
async def test_other_roles_manage_nobody(
    app: FastAPI, client: httpx2.AsyncClient, role: Role
) -> None:
    scope: dict[str, Any] = {
        Role.COUNSELLOR: {"association_id": ASSOCIATION},
        Role.PROVIDER_STAFF: {"provider_id": PROVIDER},
        Role.VIEWER: {},
    }[role]
    headers = await signed_in_headers(app, client, "someone@example.org", role, **scope)
    assert (await client.get(USERS, headers=headers)).status_code == 403
    response = await client.post(USERS, json=person("new@example.org"), headers=headers)
    assert response.status_code == 403


async def test_anonymous_callers_get_401(client: httpx2.AsyncClient) -> None:
    response = await client.get(USERS)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def _create(
    client: httpx2.AsyncClient,
    headers: dict[str, str],
    email: str,
    role: str = "viewer",
    **fields: Any,
) -> dict[str, Any]:
    response = await client.post(USERS, json=person(email, role, **fields), headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_coordinator_sees_only_people_of_its_regions(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    tanger = await identities.user(
        "tanger@example.org", Role.PROVIDER_STAFF, provider_id=PROVIDER, regions=("01",)
    )
    oriental = await identities.user("oriental@example.org", Role.VIEWER, regions=("02",))
    both = await identities.user("both@example.org", Role.VIEWER, regions=("01", "02"))
    nowhere = await identities.user("nowhere@example.org", Role.VIEWER)
    coordinator = await signed_in_headers(
        app, client, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    listed = (await client.get(USERS, headers=coordinator)).json()["items"]
    emails = {item["email"] for item in listed}
    assert emails == {"tanger@example.org", "karim@example.org"}
    assert (await client.get(f"{USERS}/{tanger.id}", headers=coordinator)).status_code == 200
    for hidden in (oriental, both, nowhere):
        response = await client.get(f"{USERS}/{hidden.id}", headers=coordinator)
        # Outside its scope answers exactly like a person who does not exist.
        assert response.status_code == 404
    missing = await client.get(f"{USERS}/{uuid4()}", headers=coordinator)
    assert missing.status_code == 404
    assert missing.json()["type"] == response.json()["type"]


async def test_an_association_manager_sees_its_association(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    await identities.user("ours@example.org", Role.COUNSELLOR, association_id=ASSOCIATION)
    await identities.user("theirs@example.org", Role.COUNSELLOR, association_id=OTHER_ASSOCIATION)
    manager = await signed_in_headers(
        app, client, "youssef@example.org", Role.ASSOCIATION_MANAGER, association_id=ASSOCIATION
    )
    listed = (await client.get(USERS, headers=manager)).json()["items"]
    assert {item["email"] for item in listed} == {"ours@example.org", "youssef@example.org"}


async def test_list_pages_and_filters(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    for number in range(5):
        regions = ("01",) if number % 2 else ()
        await identities.user(f"p{number}@example.org", Role.VIEWER, regions=regions)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(USERS, params=params, headers=admin)).json()
        seen.extend(item["email"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    in_01 = (await client.get(USERS, params={"region": "01"}, headers=admin)).json()["items"]
    assert {item["email"] for item in in_01} == {"p1@example.org", "p3@example.org"}
    admins = (await client.get(USERS, params={"role": "admin"}, headers=admin)).json()["items"]
    assert [item["email"] for item in admins] == ["admin@example.org"]
    by_email = await client.get(USERS, params={"email": "P2@EXAMPLE.ORG"}, headers=admin)
    assert [item["email"] for item in by_email.json()["items"]] == ["p2@example.org"]
    bad = await client.get(USERS, params={"region": "1"}, headers=admin)
    assert bad.status_code == 422


async def test_people_are_listed_by_the_organisation_they_belong_to(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    provider, partner, association = uuid4(), uuid4(), uuid4()
    await identities.user(
        "staff@example.org", Role.PROVIDER_STAFF, regions=("01",), provider_id=provider
    )
    await identities.user(
        "member@example.org", Role.PARTNER_MEMBER, regions=("01",), partner_id=partner
    )
    await identities.user(
        "counsellor@example.org", Role.COUNSELLOR, regions=("01",), association_id=association
    )
    for name, value, email in (
        ("provider_id", provider, "staff@example.org"),
        ("partner_id", partner, "member@example.org"),
        ("association_id", association, "counsellor@example.org"),
    ):
        listed = await client.get(USERS, params={name: str(value)}, headers=admin)
        assert [item["email"] for item in listed.json()["items"]] == [email], name
    nobody = await client.get(USERS, params={"provider_id": str(uuid4())}, headers=admin)
    assert nobody.json() == {"items": [], "next_cursor": None}
    naive = await client.get(USERS, params={"updated_since": "2026-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "query.updated_since"


async def test_updated_since_lists_changes_in_order(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    first = await identities.user("first@example.org", Role.VIEWER)
    second = await identities.user("second@example.org", Role.VIEWER)
    changed = await client.patch(
        f"{USERS}/{first.id}", json={"full_name": "Renamed"}, headers=admin
    )
    since = second.created_at.isoformat()
    listed = (await client.get(USERS, params={"updated_since": since}, headers=admin)).json()
    assert [item["email"] for item in listed["items"]] == [
        "second@example.org",
        "first@example.org",
    ]
    assert listed["items"][1]["updated_at"] == changed.json()["updated_at"]


async def test_patch_with_a_stale_etag_is_412(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    created = await identities.user("nadia@example.org", Role.VIEWER)
    url = f"{USERS}/{created.id}"
    first = await client.patch(
        url, json={"full_name": "Nadia A."}, headers=admin | {"If-Match": '"1"'}
    )
    assert first.status_code == 200
    assert first.headers["etag"] == '"2"'
    stale = await client.patch(
        url, json={"full_name": "Nadia B."}, headers=admin | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await client.get(url, headers=admin)).json()["full_name"] == "Nadia A."


async def test_a_coordinator_cannot_promote_beyond_its_scope(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    coordinator = await signed_in_headers(
        app, client, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    created = await _create(client, coordinator, "omar@example.org", regions=["01"])
    url = f"{USERS}/{created['id']}"
    assert (
        await client.patch(url, json={"role": "admin", "regions": []}, headers=coordinator)
    ).status_code == 403
    assert (
        await client.patch(url, json={"regions": ["01", "02"]}, headers=coordinator)
    ).status_code == 403
    promoted = await client.patch(url, json={"role": "regional_coordinator"}, headers=coordinator)
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "regional_coordinator"


async def test_nobody_changes_their_own_role_or_scope(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    admin = await admin_headers(app, client)
    me = (await client.get("/api/v1/auth/me", headers=admin)).json()
    url = f"{USERS}/{me['id']}"
    for change in ({"role": "viewer"}, {"active": False}, {"regions": ["01"]}):
        response = await client.patch(url, json=change, headers=admin)
        assert response.status_code == 403
    assert (await client.patch(url, json={"full_name": "Chief"}, headers=admin)).status_code == 200


async def test_disabling_a_person_ends_their_sessions(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    created = await identities.user("nadia@example.org", Role.VIEWER)
    pair = await sign_in(client, "nadia@example.org")
    disabled = await client.patch(f"{USERS}/{created.id}", json={"active": False}, headers=admin)
    assert disabled.json()["active"] is False
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refresh.status_code == 401
    login = await client.post(
        "/api/v1/auth/login", json={"email": "nadia@example.org", "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_an_admin_resets_a_password(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    created = await identities.user("nadia@example.org", Role.VIEWER)
    url = f"{USERS}/{created.id}"
    weak = await client.patch(url, json={"password": "short"}, headers=admin)
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "body.password"
    assert (
        await client.patch(url, json={"password": "a fresh passphrase"}, headers=admin)
    ).is_success
    await sign_in(client, "nadia@example.org", "a fresh passphrase")


async def test_patch_refuses_null_for_required_fields(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    admin = await admin_headers(app, client)
    created = await identities.user("nadia@example.org", Role.VIEWER)
    response = await client.patch(f"{USERS}/{created.id}", json={"role": None}, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.role"


async def test_idempotency_key_replays_the_creation(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    admin = await admin_headers(app, client)
    headers = admin | {"Idempotency-Key": "create-nadia"}
    first = await client.post(USERS, json=person("nadia@example.org"), headers=headers)
    again = await client.post(USERS, json=person("nadia@example.org"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["location"] == first.headers["location"]
    other = await client.post(USERS, json=person("omar@example.org"), headers=headers)
    assert other.status_code == 422
    listed = (await client.get(USERS, headers=admin)).json()["items"]
    assert sorted(item["email"] for item in listed) == ["admin@example.org", "nadia@example.org"]


async def test_a_region_given_twice_is_refused_and_regions_read_in_order(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    headers = await admin_headers(app, client)
    twice = person("twice@example.org", "regional_coordinator", regions=["01", "01"])
    refused = await client.post(USERS, json=twice, headers=headers)
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["body.regions"]
    both = person("both@example.org", "regional_coordinator", regions=["02", "01"])
    created = await client.post(USERS, json=both, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["regions"] == ["01", "02"]


@pytest.mark.parametrize(
    "email", [f"{'a' * 64}@{'d' * 63}.{'e' * 63}.{'f' * 60}.ma", "x@example.m", "x@@example.ma"]
)
async def test_an_email_beyond_the_smtp_limit_or_malformed_is_refused(
    app: FastAPI, client: httpx2.AsyncClient, email: str
) -> None:
    headers = await admin_headers(app, client)
    response = await client.post(USERS, json=person(email), headers=headers)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.email"]
