"""What every domain of the service does alike: field problems, versions, publication moves,
idempotent creation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Protocol

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from offers.database import idempotency
from offers.vocabulary import PublicationStatus
from shared.concurrency import check_if_match, etag
from shared.db import utcnow
from shared.idempotency import fingerprint
from shared.principal import Principal
from shared.problems import FieldProblem, ProblemError

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retrying with the same key and body replays the first answer",
    ),
]

# One problem on a field: (field name, reason).
Problem = tuple[str, str]


def invalid(problems: Sequence[Problem], *, location: str = "body") -> ProblemError:
    """422 naming every faulty field."""
    errors = [
        FieldProblem(field=f"{location}.{field}", reason=reason) for field, reason in problems
    ]
    fields = ", ".join(problem.field for problem in errors)
    return ProblemError(
        422,
        f"The request has invalid fields: {fields}",
        slug="validation",
        title="Invalid request",
        errors=errors,
    )


def raise_if_invalid(problems: Sequence[Problem]) -> None:
    if problems:
        raise invalid(problems)


def stale_record() -> ProblemError:
    return ProblemError(
        412,
        "The record changed while your update was being applied; read it again and retry.",
        slug="stale-version",
        title="Precondition failed",
    )


def duplicate_external_id(source: str, external_id: str) -> ProblemError:
    return ProblemError(
        409,
        f"Another record already has source '{source}' and external id '{external_id}'.",
        slug="duplicate-external-id",
        errors=[FieldProblem(field="body.external_id", reason="already used in this source")],
    )


async def flush_update(session: AsyncSession) -> None:
    """Flush an ORM update; a concurrent change of the same version answers 412."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise stale_record() from exc


async def flush_insert(session: AsyncSession, source: str, external_id: str) -> None:
    """Flush an ORM insert; a record with the same (source, external_id) answers 409."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise duplicate_external_id(source, external_id) from exc


class Versioned(Protocol):
    version: int
    updated_at: datetime


class Publishable(Versioned, Protocol):
    status: str
    published_at: datetime | None


def apply_changes(record: Versioned, changes: dict[str, Any], if_match: str | None) -> bool:
    """Set the changed attributes; True when anything changed (the version then moves on
    flush). An unchanged record keeps its version and ``updated_at``."""
    check_if_match(if_match, record.version)
    changed = False
    for name, value in changes.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    if changed:
        record.updated_at = utcnow()
    return changed


ALLOWED_MOVES: dict[PublicationStatus, frozenset[PublicationStatus]] = {
    # Publishing again after archiving puts a record back online.
    PublicationStatus.PUBLISHED: frozenset({PublicationStatus.DRAFT, PublicationStatus.ARCHIVED}),
    PublicationStatus.ARCHIVED: frozenset({PublicationStatus.DRAFT, PublicationStatus.PUBLISHED}),
    PublicationStatus.DRAFT: frozenset({PublicationStatus.ARCHIVED}),
}


def move(record: Publishable, target: PublicationStatus, if_match: str | None, kind: str) -> None:
    """Move a record through draft → published → archived; a wrong move answers 409."""
    check_if_match(if_match, record.version)
    current = PublicationStatus(record.status)
    if current is target:
        return
    if current not in ALLOWED_MOVES[target]:
        raise ProblemError(
            409,
            f"A {current.value} {kind} cannot become {target.value}.",
            slug="invalid-transition",
        )
    record.status = target.value
    record.updated_at = utcnow()
    if target is PublicationStatus.PUBLISHED:
        record.published_at = record.updated_at


def with_etag(body: BaseModel, status_code: int = 200) -> JSONResponse:
    content = body.model_dump(mode="json")
    return JSONResponse(
        content, status_code=status_code, headers={"ETag": etag(content["version"])}
    )


async def create_once(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    key: str | None,
    payload: BaseModel,
    create: Callable[[], Awaitable[BaseModel]],
) -> JSONResponse:
    """Create a record, or replay the first answer when ``Idempotency-Key`` was seen before."""
    if key is None:
        return with_etag(await create(), 201)
    request_fingerprint = fingerprint(
        request.method, request.url.path, payload.model_dump(mode="json", exclude_unset=True)
    )
    stored = await idempotency.replay(session, principal.subject, key, request_fingerprint)
    if stored is not None:
        headers = {"ETag": etag(stored.body["version"])} if "version" in stored.body else None
        return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
    created = await create()
    content = created.model_dump(mode="json")
    await idempotency.remember(session, principal.subject, key, request_fingerprint, 201, content)
    return JSONResponse(content, status_code=201, headers={"ETag": etag(content["version"])})
