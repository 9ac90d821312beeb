"""The hash chain of the audit trail: one canonical encoding, used to write and to verify."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64
# The columns the hash covers (every column but the hash itself).
CHAINED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor",
    "actor_kind",
    "role",
    "association_id",
    "request_id",
    "action",
    "purpose",
    "records",
    "previous_hash",
)


def encode_records(records: Sequence[UUID]) -> str:
    """The people an entry touched, as stored: sorted, distinct, compact JSON."""
    return json.dumps(sorted({str(record) for record in records}), separators=(",", ":"))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an entry's fields, its sequence number and the
    previous entry's hash included (so an entry cannot move, vanish or change unseen)."""
    canonical = {
        "sequence": int(fields["sequence"]),
        "occurred_at": _timestamp(fields["occurred_at"]),
        "actor": fields["actor"],
        "actor_kind": fields["actor_kind"],
        "role": fields["role"],
        "association_id": (
            None if fields["association_id"] is None else str(fields["association_id"])
        ),
        "request_id": fields["request_id"],
        "action": fields["action"],
        "purpose": fields["purpose"],
        "records": fields["records"],
        "previous_hash": fields["previous_hash"],
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()
