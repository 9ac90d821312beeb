"""What every record of the register goes through alike, in the API and in the bulk import: an
identity from its source (``source``, ``external_id``), version stamps, and publication moves
(draft → published → archived).

The stamps are built here as plain values so the ORM (one record) and the set-based import
(thousands) write exactly the same ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from offers.vocabulary import PublicationStatus
from shared.concurrency import check_if_match
from shared.db import utcnow
from shared.problems import FieldIssue, ProblemError, conflict, msg
from shared.translations import record as record_name
from shared.writes import Versioned, flush_insert

_DRAFT = PublicationStatus.DRAFT.value
_PUBLISHED = PublicationStatus.PUBLISHED.value

ALLOWED_MOVES: dict[PublicationStatus, frozenset[PublicationStatus]] = {
    # Publishing again after archiving puts a record back online.
    PublicationStatus.PUBLISHED: frozenset({PublicationStatus.DRAFT, PublicationStatus.ARCHIVED}),
    PublicationStatus.ARCHIVED: frozenset({PublicationStatus.DRAFT, PublicationStatus.PUBLISHED}),
    PublicationStatus.DRAFT: frozenset({PublicationStatus.ARCHIVED}),
}


class Publishable(Versioned, Protocol):
    status: str
    published_at: datetime | None


class Stamped(Protocol):
    """What a stored record (an ORM object or a row read by the import) tells of its stamps."""

    @property
    def version(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def published_at(self) -> datetime | None: ...


def duplicate_external_id(source: str, external_id: str) -> ProblemError:
    return conflict(
        "duplicate_external_id",
        params={"source": source, "external_id": external_id},
        slug="duplicate-external-id",
        field="external_id",
        reason="used_in_source",
    )


async def flush_new(db: AsyncSession, source: str, external_id: str) -> None:
    """Flush an ORM insert; a record with the same (source, external_id) answers 409."""
    await flush_insert(db, lambda: duplicate_external_id(source, external_id))


def may_move(current: PublicationStatus, target: PublicationStatus) -> bool:
    return current is target or current in ALLOWED_MOVES[target]


def status_to_store(
    current: str | None, wanted: str | None, may_publish: bool
) -> tuple[str, FieldIssue | None]:
    """The status a written record gets (``wanted`` left out keeps the current one, a new record
    is a draft) and, when the move is not allowed, why."""
    if wanted is None or wanted == (current or _DRAFT):
        return current or _DRAFT, None
    target = PublicationStatus(wanted)
    if current is not None and not may_move(PublicationStatus(current), target):
        return wanted, ("status", msg("status_move", current=current, wanted=wanted))
    if target is not PublicationStatus.DRAFT and not may_publish:
        return wanted, ("status", "publish_needs_coordinator")
    return wanted, None


def creation_stamps(now: datetime) -> dict[str, Any]:
    """Version and times of a record created ``now``."""
    return {"version": 1, "created_at": now, "updated_at": now}


def change_stamps(current_version: int, now: datetime) -> dict[str, Any]:
    """Version and time of a stored record whose content changed ``now``."""
    return {"version": current_version + 1, "updated_at": now}


def new_stamps(status: str, now: datetime) -> dict[str, Any]:
    """Version, times and status of a publishable record created ``now`` with ``status``."""
    return {
        "status": status,
        **creation_stamps(now),
        "published_at": now if status == _PUBLISHED else None,
    }


def changed_stamps(current: Stamped, status: str, now: datetime) -> dict[str, Any]:
    """Version, time and status of a stored publishable record whose content changed ``now``."""
    published_now = status == _PUBLISHED and current.status != status
    return {
        "status": status,
        **change_stamps(current.version, now),
        "published_at": now if published_now else current.published_at,
    }


def move(record: Publishable, target: PublicationStatus, if_match: str | None, kind: str) -> None:
    """Move a record through draft → published → archived; a wrong move answers 409."""
    check_if_match(if_match, record.version)
    current = PublicationStatus(record.status)
    if current is target:
        return
    if not may_move(current, target):
        raise ProblemError(
            409,
            "invalid_transition",
            params={"current": current.value, "kind": record_name(kind), "target": target.value},
            slug="invalid-transition",
        )
    record.status = target.value
    record.updated_at = utcnow()
    if target is PublicationStatus.PUBLISHED:
        record.published_at = record.updated_at
