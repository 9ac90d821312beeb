"""What the audit trail says about the case-file requests."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from beneficiaries.audit.models import AuditEntry


async def entries(engine: AsyncEngine) -> list[tuple[str, str, str, list[str]]]:
    """Every entry as (actor, action, purpose, people), oldest first."""
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(
                    AuditEntry.actor, AuditEntry.action, AuditEntry.purpose, AuditEntry.records
                ).order_by(AuditEntry.sequence)
            )
        ).all()
    return [(row[0], row[1], row[2], json.loads(row[3])) for row in rows]
