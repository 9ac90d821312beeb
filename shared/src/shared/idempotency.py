"""``Idempotency-Key`` on creating ``POST``s: a retry with the same key and body replays the first
answer; the same key with another body gets 422.

The record is written in the same transaction as the thing created, so either both exist or
neither does. Each service maps the table on its own metadata with :func:`idempotency_table`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UTCDateTime, utcnow
from shared.problems import FieldProblem, ProblemError

KEY_MAX_LENGTH = 255
RETENTION = timedelta(hours=24)


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_record",
        metadata,
        Column("subject", String(255), primary_key=True),
        Column("key", String(KEY_MAX_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False, index=True),
    )


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reused_key() -> ProblemError:
    return ProblemError(
        422,
        "This Idempotency-Key was already used with a different request body.",
        slug="idempotency-key-reused",
        title="Idempotency key reused",
        errors=[FieldProblem(field="header.idempotency-key", reason="used with another body")],
    )


class IdempotencyStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def replay(
        self, session: AsyncSession, subject: str, key: str, request_fingerprint: str
    ) -> StoredResponse | None:
        """The stored answer for this key, or None when the key is new."""
        if len(key) > KEY_MAX_LENGTH:
            raise ProblemError(
                422,
                f"Idempotency-Key is longer than {KEY_MAX_LENGTH} characters.",
                slug="validation",
                errors=[FieldProblem(field="header.idempotency-key", reason="too long")],
            )
        row = (
            await session.execute(
                select(self.table).where(
                    self.table.c.subject == subject,
                    self.table.c.key == key,
                    self.table.c.created_at > utcnow() - RETENTION,
                )
            )
        ).one_or_none()
        if row is None:
            return None
        if row.fingerprint != request_fingerprint:
            raise _reused_key()
        return StoredResponse(status_code=row.status_code, body=json.loads(row.response_body))

    async def remember(
        self,
        session: AsyncSession,
        subject: str,
        key: str,
        request_fingerprint: str,
        status_code: int,
        body: Any,
    ) -> None:
        """Store the answer in the current transaction; a concurrent twin loses with 409."""
        await session.execute(
            delete(self.table).where(
                self.table.c.subject == subject,
                self.table.c.key == key,
                self.table.c.created_at <= utcnow() - RETENTION,
            )
        )
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(self.table).values(
                        subject=subject,
                        key=key,
                        fingerprint=request_fingerprint,
                        status_code=status_code,
                        response_body=json.dumps(body, default=str),
                        created_at=utcnow(),
                    )
                )
        except IntegrityError as exc:
            raise ProblemError(
                409,
                "A request with this Idempotency-Key is being processed; retry shortly.",
                slug="idempotency-key-in-use",
            ) from exc
