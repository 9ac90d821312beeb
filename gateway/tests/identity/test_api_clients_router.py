"""``/api/v1/api-clients`` and OAuth2 client credentials at ``/api/v1/auth/token``."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

import httpx2
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from gateway.identity.models import ApiClient
from shared.db import create_sessionmaker
from shared.principal import Role

from ..factories import Identities
from ..helpers import bearer, identity_of, signed_in_headers

CLIENTS = "/api/v1/api-clients"
TOKEN = "/api/v1/auth/token"


async def _new_client(
    app: FastAPI, client: httpx2.AsyncClient, **fields: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    admin = await signed_in_headers(app, client, "admin@example.org")
    body = {"name": "Tanger regional IT", "scopes": ["offers:read"], "regions": ["01"]} | fields
    response = await client.post(CLIENTS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created, admin


async def _made_client(identities: Identities, **fields: Any) -> tuple[str, str]:
    """An API client straight in the database (for tests of what it can do): id and secret."""
    made, secret = await identities.api_client(**fields)
    return str(made.id), secret


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def test_the_secret_is_shown_once_and_stored_as_a_hash(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    created, admin = await _new_client(app, client, scopes=["offers:write", "offers:read"])
    secret = created["client_secret"]
    assert secret.startswith("kcs_")
    assert len(secret) > 40
    assert created["scopes"] == ["offers:read", "offers:write"]
    assert created["client_id"] == created["id"]
    fetched = await client.get(f"{CLIENTS}/{created['id']}", headers=admin)
    assert fetched.status_code == 200
    assert "client_secret" not in fetched.json()
    listed = (await client.get(CLIENTS, headers=admin)).json()["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert all("client_secret" not in item for item in listed)
    async with create_sessionmaker(app.state.engine)() as session:
        stored = await session.scalar(select(ApiClient.secret_hash))
    assert stored is not None
    assert secret not in stored
    assert len(stored) == 64


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scopes": ["offers:delete-everything"]}, "body.scopes.0"),
        ({"scopes": []}, "body.scopes"),
        ({"regions": []}, "body.regions"),
        ({"regions": ["13"]}, "body.regions.0"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "body.expires_at"),
        ({"expires_at": "2030-01-01T00:00:00"}, "body.expires_at"),
    ],
)
async def test_bad_client_definitions_are_422_naming_the_field(
    app: FastAPI, client: httpx2.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    admin = await signed_in_headers(app, client, "admin@example.org")
    body = {"name": "IT", "scopes": ["offers:read"], "regions": ["01"]} | fields
    response = await client.post(CLIENTS, json=body, headers=admin)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_only_admins_manage_clients(app: FastAPI, client: httpx2.AsyncClient) -> None:
    coordinator = await signed_in_headers(
        app, client, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    body = {"name": "IT", "scopes": ["offers:read"], "regions": ["01"]}
    assert (await client.post(CLIENTS, json=body, headers=coordinator)).status_code == 403
    assert (await client.get(CLIENTS, headers=coordinator)).status_code == 403
    assert (await client.get(CLIENTS)).status_code == 401


async def test_client_credentials_with_basic_authentication(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, secret = await _made_client(
        identities, scopes=["offers:read", "network:read"], regions=["01", "02"]
    )
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=_basic(client_id, secret),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    assert body["scope"] == "network:read offers:read"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    principal = identity_of(app).resolver.resolve("Bearer " + body["access_token"])
    assert principal.kind == "client"
    assert principal.subject == client_id
    assert principal.scopes == ("network:read", "offers:read")
    assert principal.regions == ("01", "02")
    assert principal.role is None


async def test_a_referring_system_can_be_granted_seat_reservations(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    created, _ = await _new_client(app, client, scopes=["offers:read", "offers:reserve"])
    assert created["scopes"] == ["offers:read", "offers:reserve"]
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "scope": "offers:reserve"},
        headers=_basic(created["client_id"], created["client_secret"]),
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "offers:reserve"
    principal = identity_of(app).resolver.resolve("Bearer " + response.json()["access_token"])
    assert principal.scopes == ("offers:reserve",)
    assert principal.regions == ("01",)


async def test_client_credentials_in_the_body_and_a_narrower_scope(
    client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, secret = await _made_client(identities, scopes=["offers:read", "offers:write"])
    response = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "offers:read",
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "offers:read"
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["scope"] == "offers:read"


def _oauth_error(response: httpx2.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


async def test_client_credentials_errors_follow_rfc_6749(
    client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, secret = await _made_client(identities)
    grant = {"grant_type": "client_credentials"}

    wrong_secret = await client.post(TOKEN, data=grant, headers=_basic(client_id, secret + "x"))
    _oauth_error(wrong_secret, 401, "invalid_client")
    assert wrong_secret.headers["www-authenticate"].startswith("Basic")
    unknown = await client.post(TOKEN, data=grant, headers=_basic("someone", secret))
    _oauth_error(unknown, 401, "invalid_client")
    assert unknown.json() == wrong_secret.json()
    _oauth_error(await client.post(TOKEN, data=grant), 401, "invalid_client")
    not_granted = await client.post(
        TOKEN, data=grant | {"scope": "offers:write"}, headers=_basic(client_id, secret)
    )
    _oauth_error(not_granted, 400, "invalid_scope")
    password_grant = await client.post(
        TOKEN, data={"grant_type": "password"}, headers=_basic(client_id, secret)
    )
    _oauth_error(password_grant, 400, "unsupported_grant_type")
    no_grant = await client.post(TOKEN, data={}, headers=_basic(client_id, secret))
    _oauth_error(no_grant, 400, "invalid_request")
    as_json = await client.post(TOKEN, json=grant, headers=_basic(client_id, secret))
    _oauth_error(as_json, 400, "invalid_request")
    both_ways = await client.post(
        TOKEN,
        data=grant | {"client_id": client_id, "client_secret": secret},
        headers=_basic(client_id, secret),
    )
    _oauth_error(both_ways, 400, "invalid_request")
    twice = await client.post(
        TOKEN,
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers=_basic(client_id, secret) | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    _oauth_error(twice, 400, "invalid_request")
    garbage_basic = await client.post(
        TOKEN, data=grant, headers={"Authorization": "Basic !!!not-base64"}
    )
    _oauth_error(garbage_basic, 401, "invalid_client")


async def test_disabled_and_expired_clients_get_no_token(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, secret = await _made_client(identities)
    admin = await signed_in_headers(app, client, "admin@example.org")
    credentials = _basic(client_id, secret)
    grant = {"grant_type": "client_credentials"}
    assert (await client.post(TOKEN, data=grant, headers=credentials)).status_code == 200
    url = f"{CLIENTS}/{client_id}"
    disabled = await client.patch(url, json={"active": False}, headers=admin | {"If-Match": '"1"'})
    assert disabled.status_code == 200
    _oauth_error(await client.post(TOKEN, data=grant, headers=credentials), 401, "invalid_client")
    await client.patch(url, json={"active": True}, headers=admin)
    assert (await client.post(TOKEN, data=grant, headers=credentials)).status_code == 200
    async with create_sessionmaker(app.state.engine)() as session:
        await session.execute(
            update(ApiClient).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    _oauth_error(await client.post(TOKEN, data=grant, headers=credentials), 401, "invalid_client")


async def test_a_token_never_outlives_its_client(
    client: httpx2.AsyncClient, identities: Identities
) -> None:
    expires_at = datetime.now(UTC) + timedelta(minutes=2)
    client_id, secret = await _made_client(identities, expires_at=expires_at)
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=_basic(client_id, secret),
    )
    assert response.json()["expires_in"] <= 120


async def test_rotating_the_secret_retires_the_old_one(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, secret = await _made_client(identities)
    admin = await signed_in_headers(app, client, "admin@example.org")
    rotated = await client.post(f"{CLIENTS}/{client_id}/secret", headers=admin)
    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != secret
    grant = {"grant_type": "client_credentials"}
    old = await client.post(TOKEN, data=grant, headers=_basic(client_id, secret))
    _oauth_error(old, 401, "invalid_client")
    new = await client.post(TOKEN, data=grant, headers=_basic(client_id, new_secret))
    assert new.status_code == 200


async def test_update_changes_scopes_and_regions(
    app: FastAPI, client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, _ = await _made_client(identities)
    admin = await signed_in_headers(app, client, "admin@example.org")
    url = f"{CLIENTS}/{client_id}"
    response = await client.patch(
        url, json={"scopes": ["offers:write", "offers:read"], "regions": ["02"]}, headers=admin
    )
    assert response.status_code == 200
    assert response.json()["scopes"] == ["offers:read", "offers:write"]
    assert response.json()["regions"] == ["02"]
    assert response.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"name": "x"}, headers=admin | {"If-Match": '"1"'})
    assert stale.status_code == 412
    nulled = await client.patch(url, json={"scopes": None}, headers=admin)
    assert nulled.status_code == 422
    missing = await client.get(f"{CLIENTS}/00000000-0000-0000-0000-000000000000", headers=admin)
    assert missing.status_code == 404


async def test_a_client_token_does_not_open_people_routes(
    client: httpx2.AsyncClient, identities: Identities
) -> None:
    client_id, secret = await _made_client(identities, scopes=["offers:read", "offers:write"])
    token = (
        await client.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            headers=_basic(client_id, secret),
        )
    ).json()["access_token"]
    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 403
    assert (await client.get("/api/v1/auth/me", headers=bearer(token))).status_code == 403
    assert (await client.get(CLIENTS, headers=bearer(token))).status_code == 403
