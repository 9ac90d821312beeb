"""Argon2id parameters and the password policy."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.identity.dependencies import passwords_for
from gateway.identity.passwords import Passwords, policy_problems
from gateway.settings import Settings
from shared.problems import as_message


async def test_hashes_are_argon2id_with_at_least_the_owasp_parameters() -> None:
    passwords = passwords_for(Settings())
    stored = await passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await passwords.verify(stored, "correct horse battery")
    assert not await passwords.verify(stored, "correct horse batterY")
    assert not await passwords.verify("not a hash", "correct horse battery")


async def test_a_hash_made_with_other_parameters_needs_rehashing() -> None:
    current = passwords_for(Settings())
    cheaper = Passwords(memory_kib=19 * 1024, time_cost=3, parallelism=1)
    assert current.needs_rehash(await cheaper.hash("correct horse battery"))
    assert not current.needs_rehash(await current.hash("correct horse battery"))


@pytest.mark.parametrize(
    "weaker",
    [{"password_hash_memory_kib": 16 * 1024}, {"password_hash_time_cost": 1}],
)
def test_weaker_parameters_are_refused_at_start_up(weaker: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        Settings(**weaker)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("correct horse battery", []),
        ("exactly12chr", []),
        ("11 chars ok", ["password_too_short"]),
        ("Amina@Example.org", ["password_email"]),
        ("x" * 257, ["password_too_long"]),
    ],
)
def test_policy(password: str, codes: list[str]) -> None:
    problems = policy_problems(password, "amina@example.org")
    assert [as_message(reason).code for _, reason in problems] == codes
