"""``Idempotency-Key`` on creating ``POST``s: a retry with the same key and body replays the first
answer; the same key with another body gets 422.

The record is written in the same transaction as the thing created, so either both exist or
neither does. Each service maps the table on its own metadata with :func:`idempotency_table`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.concurrency import json_with_etag
from shared.db import UTCDateTime, utcnow
from shared.problems import ProblemError, msg

KEY_MAX_LENGTH = 255
RETENTION = timedelta(hours=24)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying with the same key and body replays the first answer",
    ),
]


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


def reused_key(code: str = "idempotency_key_reused") -> ProblemError:
    """422 for a key replayed with another body than the first time."""
    return ProblemError(
        422,
        code,
        slug="idempotency-key-reused",
        errors=[("header.idempotency-key", "used_with_another_body")],
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
                "idempotency_key_too_long",
                params={"max_length": KEY_MAX_LENGTH},
                slug="validation",
                errors=[("header.idempotency-key", msg("too_long_key", max_length=KEY_MAX_LENGTH))],
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
            raise reused_key()
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
                "idempotency_key_in_use",
                slug="idempotency-key-in-use",
            ) from exc

    async def settle(
        self, session: AsyncSession, subject: str, key: str, status_code: int, body: Any
    ) -> None:
        """Replace the answer stored for the key (one remembered while the request was still
        under way, such as a 202 marker, by the answer it ended with)."""
        await session.execute(
            update(self.table)
            .where(self.table.c.subject == subject, self.table.c.key == key)
            .values(status_code=status_code, response_body=json.dumps(body, default=str))
        )

    async def create_once(
        self,
        session: AsyncSession,
        request: Request,
        subject: str,
        key: str | None,
        payload: BaseModel,
        create: Callable[[], Awaitable[BaseModel]],
        *,
        secret_fields: set[str] | None = None,
        location: Callable[[dict[str, Any]], str] | None = None,
    ) -> JSONResponse:
        """Create a record (201 with its ETag), or replay the first answer when ``key`` was
        seen before for this ``subject`` and body.

        ``secret_fields`` (a password) stay out of the stored fingerprint; ``location`` gives
        the ``Location`` header of the created record from its JSON body.
        """

        def answer(body: dict[str, Any], status_code: int) -> JSONResponse:
            headers = {"Location": location(body)} if location and status_code == 201 else None
            return json_with_etag(body, status_code, headers)

        if key is None:
            return answer((await create()).model_dump(mode="json"), 201)
        request_fingerprint = fingerprint(
            request.method,
            request.url.path,
            payload.model_dump(mode="json", exclude_unset=True, exclude=secret_fields),
        )
        stored = await self.replay(session, subject, key, request_fingerprint)
        if stored is not None:
            return answer(stored.body, stored.status_code)
        content = (await create()).model_dump(mode="json")
        await self.remember(session, subject, key, request_fingerprint, 201, content)
        return answer(content, 201)
