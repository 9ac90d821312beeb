"""Writing one record through the ORM: a PATCH applied to it, and flushes whose failures become
the problems a client can act on (412 for a concurrent change, 409 for a taken unique value).

Services flush; the request's session dependency (``shared.db.SessionDep``) commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.problems import ProblemError, stale_record


class Versioned(Protocol):
    """A record with optimistic concurrency: ``version`` moves on with each change."""

    version: int
    updated_at: datetime


def apply_changes(record: Versioned, changes: Mapping[str, Any], if_match: str | None) -> bool:
    """Check ``If-Match``, then set the changed attributes; True when anything changed.

    An unchanged record keeps its version and ``updated_at`` (the version moves on at the flush
    of a changed one, through the mapper's ``version_id_col``).
    """
    check_if_match(if_match, record.version)
    changed = False
    for name, value in changes.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    if changed:
        record.updated_at = utcnow()
    return changed


async def flush_update(session: AsyncSession) -> None:
    """Flush an ORM update or delete; a concurrent change of the same version answers 412."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise stale_record() from exc


async def flush_insert(session: AsyncSession, taken: Callable[[], ProblemError]) -> None:
    """Flush an ORM insert; a unique value taken meanwhile (by a concurrent twin too) answers
    the problem ``taken`` builds, typically a :func:`shared.problems.conflict`."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise taken() from exc
