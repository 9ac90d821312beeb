"""Password hashing (Argon2id) and the password policy.

Hashing costs tens of milliseconds of CPU on purpose, so it runs in a worker thread (argon2's C
code releases the GIL) and never blocks the event loop serving other requests.
"""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.problems import FieldProblem, ProblemError

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


def policy_problems(password: str, email: str, field: str = "body.password") -> list[FieldProblem]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            FieldProblem(
                field=field,
                reason=f"must have at least {MIN_LENGTH} characters",
                code="password_too_short",
            )
        )
    if len(password) > MAX_LENGTH:
        problems.append(
            FieldProblem(
                field=field,
                reason=f"must have at most {MAX_LENGTH} characters",
                code="password_too_long",
            )
        )
    if password.strip().casefold() == email.strip().casefold():
        problems.append(
            FieldProblem(field=field, reason="must not be the email address", code="password_email")
        )
    return problems


def check_policy(password: str, email: str, field: str = "body.password") -> None:
    """Raise a 422 naming ``field`` when the password breaks the policy."""
    problems = policy_problems(password, email, field)
    if problems:
        raise ProblemError(
            422,
            "The password does not meet the policy: at least "
            f"{MIN_LENGTH} characters, and not the email address.",
            slug="validation",
            title="Invalid request",
            errors=problems,
        )
