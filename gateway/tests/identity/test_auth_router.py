"""Signing in, sessions and password changes, as a person using the API sees them."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from gateway.identity.models import LoginThrottle, User
from gateway.identity.passwords import Passwords
from shared.db import create_sessionmaker, utcnow
from shared.principal import Role

from ..helpers import PASSWORD, add_person, bearer, identity_of, sign_in

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"


async def _login(client: httpx2.AsyncClient, email: str, password: str) -> httpx2.Response:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def _refresh(client: httpx2.AsyncClient, refresh_token: str) -> httpx2.Response:
    return await client.post(REFRESH, json={"refresh_token": refresh_token})


async def test_login_answers_a_short_lived_pair_that_is_never_cached(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "amina@example.org")
    response = await _login(client, "amina@example.org", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    assert body["refresh_token"]
    assert response.headers["cache-control"] == "no-store"


async def test_email_is_case_insensitive_at_login(app: FastAPI, client: httpx2.AsyncClient) -> None:
    await add_person(app, "Amina.Alaoui@Example.org")
    pair = await sign_in(client, "  amina.alaoui@EXAMPLE.org ")
    me = await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "Amina.Alaoui@Example.org"


async def test_me_tells_role_and_scope(app: FastAPI, client: httpx2.AsyncClient) -> None:
    person = await add_person(
        app, "karim@example.org", Role.REGIONAL_COORDINATOR, regions=("01", "02")
    )
    pair = await sign_in(client, "karim@example.org")
    me = (await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))).json()
    assert me["id"] == str(person)
    assert me["role"] == "regional_coordinator"
    assert me["regions"] == ["01", "02"]


async def test_me_without_a_token_is_401(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_unknown_email_and_wrong_password_answer_alike(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "amina@example.org")
    wrong_password = await _login(client, "amina@example.org", "not the password at all")
    unknown_email = await _login(client, "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.headers["www-authenticate"] == unknown_email.headers["www-authenticate"]


async def test_unknown_email_verifies_a_hash_like_a_known_one(
    app: FastAPI, client: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same work, hence similar timing, whether the account exists or not."""
    await add_person(app, "amina@example.org")
    passwords = identity_of(app).passwords
    verified: list[str] = []
    original = Passwords.verify

    async def counting_verify(self: Passwords, password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return await original(self, password_hash, password)

    monkeypatch.setattr(Passwords, "verify", counting_verify)
    await _login(client, "nobody@example.org", "not the password at all")
    assert len(verified) == 1
    assert verified[0].startswith("$argon2id$")
    await _login(client, "amina@example.org", "not the password at all")
    assert len(verified) == 2
    assert passwords.needs_rehash(verified[0]) is False


async def test_a_disabled_account_cannot_sign_in(app: FastAPI, client: httpx2.AsyncClient) -> None:
    person = await add_person(app, "amina@example.org")
    async with create_sessionmaker(app.state.engine)() as session:
        await session.execute(update(User).where(User.id == person).values(active=False))
        await session.commit()
    response = await _login(client, "amina@example.org", PASSWORD)
    assert response.status_code == 401
    assert response.json()["type"].endswith("/invalid-credentials")


async def test_five_failures_lock_the_account_for_fifteen_minutes(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "amina@example.org")
    for _ in range(5):
        assert (await _login(client, "amina@example.org", "wrong password!!")).status_code == 401
    locked = await _login(client, "amina@example.org", PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 890 <= int(locked.headers["retry-after"]) <= 900
    assert "15 minutes" in locked.json()["detail"]
    # Once the lock has passed, the right password works again.
    async with create_sessionmaker(app.state.engine)() as session:
        await session.execute(update(LoginThrottle).values(locked_until=utcnow()))
        await session.commit()
    assert (await _login(client, "amina@example.org", PASSWORD)).status_code == 200


async def test_an_unknown_email_locks_like_a_known_one(client: httpx2.AsyncClient) -> None:
    for _ in range(5):
        assert (await _login(client, "nobody@example.org", "wrong password!!")).status_code == 401
    assert (await _login(client, "NOBODY@example.org", "wrong password!!")).status_code == 429


async def test_a_success_resets_the_failure_count(app: FastAPI, client: httpx2.AsyncClient) -> None:
    await add_person(app, "amina@example.org")
    for _ in range(4):
        await _login(client, "amina@example.org", "wrong password!!")
    await sign_in(client, "amina@example.org")
    for _ in range(4):
        assert (await _login(client, "amina@example.org", "wrong password!!")).status_code == 401
    assert (await _login(client, "amina@example.org", PASSWORD)).status_code == 200


async def test_login_rehashes_a_password_hashed_with_other_parameters(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    person = await add_person(app, "amina@example.org")
    older = Passwords(memory_kib=19 * 1024, time_cost=3, parallelism=1)
    async with create_sessionmaker(app.state.engine)() as session:
        await session.execute(
            update(User).where(User.id == person).values(password_hash=await older.hash(PASSWORD))
        )
        await session.commit()
    await sign_in(client, "amina@example.org")
    async with create_sessionmaker(app.state.engine)() as session:
        stored = await session.scalar(select(User.password_hash).where(User.id == person))
    assert stored is not None
    assert "$m=19456,t=2,p=1$" in stored
    await sign_in(client, "amina@example.org")


async def test_refresh_rotates_the_pair(app: FastAPI, client: httpx2.AsyncClient) -> None:
    await add_person(app, "amina@example.org")
    first = await sign_in(client, "amina@example.org")
    second = await _refresh(client, first["refresh_token"])
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    me = await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    third = await _refresh(client, pair["refresh_token"])
    assert third.status_code == 200


async def test_refresh_token_reuse_revokes_the_whole_family(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "amina@example.org")
    stolen = (await sign_in(client, "amina@example.org"))["refresh_token"]
    newest: dict[str, Any] = (await _refresh(client, stolen)).json()
    # The old token comes back (a thief, or a replay): refused, and the session is over.
    reused = await _refresh(client, stolen)
    assert reused.status_code == 401
    assert reused.headers["content-type"] == "application/problem+json"
    assert (await _refresh(client, newest["refresh_token"])).status_code == 401
    # Other sessions of the same person are not affected.
    other = await sign_in(client, "amina@example.org")
    assert (await _refresh(client, other["refresh_token"])).status_code == 200


async def test_unknown_refresh_token_is_401(client: httpx2.AsyncClient) -> None:
    response = await _refresh(client, "made-up")
    assert response.status_code == 401
    assert response.json()["type"].endswith("/invalid-refresh-token")


async def test_logout_revokes_the_family(app: FastAPI, client: httpx2.AsyncClient) -> None:
    await add_person(app, "amina@example.org")
    first = await sign_in(client, "amina@example.org")
    rotated = (await _refresh(client, first["refresh_token"])).json()
    response = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]}
    )
    assert response.status_code == 204
    assert (await _refresh(client, rotated["refresh_token"])).status_code == 401
    again = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]}
    )
    assert again.status_code == 204


async def test_a_disabled_person_can_no_longer_refresh(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    person = await add_person(app, "amina@example.org")
    pair = await sign_in(client, "amina@example.org")
    async with create_sessionmaker(app.state.engine)() as session:
        await session.execute(update(User).where(User.id == person).values(active=False))
        await session.commit()
    assert (await _refresh(client, pair["refresh_token"])).status_code == 401


async def test_password_change_signs_out_other_sessions(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "amina@example.org")
    laptop = await sign_in(client, "amina@example.org")
    phone = await sign_in(client, "amina@example.org")
    response = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=bearer(phone["access_token"]),
    )
    assert response.status_code == 200
    assert (await _refresh(client, laptop["refresh_token"])).status_code == 401
    assert (await _refresh(client, response.json()["refresh_token"])).status_code == 200
    assert (await _login(client, "amina@example.org", PASSWORD)).status_code == 401
    await sign_in(client, "amina@example.org", "a brand new passphrase")


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [("short pass", "at least 12 characters"), ("Amina@Example.org", "must not be the email")],
)
async def test_password_change_enforces_the_policy(
    app: FastAPI, client: httpx2.AsyncClient, new_password: str, reason: str
) -> None:
    await add_person(app, "amina@example.org")
    pair = await sign_in(client, "amina@example.org")
    response = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": new_password},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body.new_password"
    assert reason in error["reason"]


async def test_password_change_needs_the_current_password(
    app: FastAPI, client: httpx2.AsyncClient
) -> None:
    await add_person(app, "amina@example.org")
    pair = await sign_in(client, "amina@example.org")
    response = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "a wrong guess!!", "new_password": "a brand new passphrase"},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.current_password"
    await sign_in(client, "amina@example.org")


async def test_malformed_login_body_is_a_422_naming_the_field(client: httpx2.AsyncClient) -> None:
    response = await client.post(LOGIN, json={"email": "amina@example.org"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.password"
