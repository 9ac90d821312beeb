"""Password hashing (Argon2id) and the password policy.

Hashing costs tens of milliseconds of CPU on purpose, so it runs in a worker thread (argon2's C
code releases the GIL) and never blocks the event loop serving other requests.
"""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.problems import FieldIssue, ProblemError, msg

MIN_LENGTH = 12
# Long enough for any passphrase; bounded so nobody makes the gateway hash megabytes.
MAX_LENGTH = 256


class Passwords:
    """Argon2id hashing with the configured cost; knows when a stored hash needs upgrading."""

    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        try:
            return await asyncio.to_thread(self._hasher.verify, password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify_against_nobody(self, password: str) -> None:
        """Spend the time a real verification takes, for an email nobody has.

        An unknown email then answers as slowly as a wrong password, so timing tells an attacker
        nothing about which accounts exist.
        """
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def policy_problems(password: str, email: str, field: str = "body.password") -> list[FieldIssue]:
    problems: list[FieldIssue] = []
    if len(password) < MIN_LENGTH:
        problems.append((field, msg("password_too_short", min_length=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append((field, msg("password_too_long", max_length=MAX_LENGTH)))
    if password.strip().casefold() == email.strip().casefold():
        problems.append((field, "password_email"))
    return problems


def check_policy(password: str, email: str, field: str = "body.password") -> None:
    """Raise a 422 naming ``field`` when the password breaks the policy."""
    problems = policy_problems(password, email, field)
    if problems:
        raise ProblemError(
            422,
            "password_policy",
            params={"min_length": MIN_LENGTH},
            slug="validation",
            errors=problems,
        )
