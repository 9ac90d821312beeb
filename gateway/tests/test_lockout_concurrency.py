"""Sign-in lockout under concurrency: every attempt is counted before its password is checked,
so a burst of parallel guesses cannot all be checked before the first failure is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx2

from .conftest import OpenGateway
from .helpers import PASSWORD, add_person, bearer, sign_in

LIMIT = 3
ATTEMPTS = 12


async def _burst(attempt: Callable[[], Awaitable[httpx2.Response]]) -> list[int]:
    """The statuses of ATTEMPTS concurrent attempts, sorted."""
    responses = await asyncio.gather(*(attempt() for _ in range(ATTEMPTS)))
    return sorted(response.status_code for response in responses)


async def test_concurrent_wrong_passwords_are_locked_out_at_the_limit(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(login_max_failures=LIMIT) as (app, client):
        await add_person(app, "amina@example.org")
        attempt = {"email": "amina@example.org", "password": "wrong password!!"}
        statuses = await _burst(lambda: client.post("/api/v1/auth/login", json=attempt))
        # At most LIMIT passwords were checked; every other attempt was refused unchecked.
        assert statuses == [401] * LIMIT + [429] * (ATTEMPTS - LIMIT)
        locked = await client.post(
            "/api/v1/auth/login", json={"email": "amina@example.org", "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert locked.headers["content-type"] == "application/problem+json"
        assert int(locked.headers["retry-after"]) > 0


async def test_concurrent_attempts_on_an_unknown_email_lock_alike(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(login_max_failures=LIMIT) as (_, client):
        attempt = {"email": "nobody@example.org", "password": "wrong password!!"}
        statuses = await _burst(lambda: client.post("/api/v1/auth/login", json=attempt))
        assert statuses == [401] * LIMIT + [429] * (ATTEMPTS - LIMIT)


async def test_concurrent_wrong_current_passwords_are_locked_out_too(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway(login_max_failures=LIMIT) as (app, client):
        await add_person(app, "amina@example.org")
        headers = bearer((await sign_in(client, "amina@example.org"))["access_token"])
        change = {"current_password": "wrong password!!", "new_password": "a new long passphrase"}
        statuses = await _burst(
            lambda: client.post("/api/v1/auth/password", json=change, headers=headers)
        )
        assert statuses == [422] * LIMIT + [429] * (ATTEMPTS - LIMIT)


async def test_a_right_password_resets_the_count(open_gateway: OpenGateway) -> None:
    async with open_gateway(login_max_failures=LIMIT) as (app, client):
        await add_person(app, "amina@example.org")
        wrong = {"email": "amina@example.org", "password": "wrong password!!"}
        for _ in range(3):
            for _ in range(LIMIT - 1):
                assert (await client.post("/api/v1/auth/login", json=wrong)).status_code == 401
            # Attempts that succeed are not failures: they never add up to a lockout.
            await sign_in(client, "amina@example.org")
