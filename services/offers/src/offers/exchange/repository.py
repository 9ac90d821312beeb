"""Every SQL query of the bulk import and the exports.

They read the tables of providers, offers and sessions a few thousand rows at a time (by
external key, by id, or streamed for an export): set-based reads that the domains' one-record
repositories do not offer. What the rows mean stays the domains' business: the pipeline hands
each row to the domain's service.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Row, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from offers.catalogue.models import Offer
from offers.providers.models import Provider
from offers.sessions.models import TrainingSession
from offers.vocabulary import PublicationStatus
from shared import bulk

provider_table = cast(Table, Provider.__table__)
offer_table = cast(Table, Offer.__table__)
session_table = cast(Table, TrainingSession.__table__)

# (source, external_id)
ExternalKey = tuple[str, str]


async def by_external_keys(
    db: AsyncSession,
    table: Table,
    keys: Collection[ExternalKey],
    columns: Sequence[str] | None = None,
) -> dict[ExternalKey, Row[Any]]:
    """Rows of ``table`` with these (source, external_id): whole, or only ``columns``."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for source, external_id in keys:
        by_source[source].add(external_id)
    found: dict[ExternalKey, Row[Any]] = {}
    for source, external_ids in by_source.items():
        statement = _select(table, columns).where(
            table.c.source == source, bulk.among(db, table.c.external_id, external_ids)
        )
        for row in (await db.execute(statement)).all():
            found[(row.source, row.external_id)] = row
    return found


async def by_ids(
    db: AsyncSession, table: Table, ids: Collection[UUID], columns: Sequence[str] | None = None
) -> dict[UUID, Row[Any]]:
    if not ids:
        return {}
    statement = _select(table, columns).where(bulk.among(db, table.c.id, ids))
    return {row.id: row for row in (await db.execute(statement)).all()}


def _select(table: Table, columns: Sequence[str] | None) -> Select[Any]:
    if columns is None:
        return select(table)
    names = dict.fromkeys(["id", "source", "external_id", *columns])
    return select(*(table.c[name] for name in names))


def _published_since(
    statement: Select[Any], table: Table, updated_since: datetime | None
) -> Select[Any]:
    if updated_since is not None:
        statement = statement.where(table.c.updated_at >= updated_since)
    return statement.order_by(table.c.id).execution_options(yield_per=500)


async def stream_published(
    db: AsyncSession, updated_since: datetime | None
) -> AsyncIterator[tuple[str, Mapping[str, Any]]]:
    """Published providers, then published offers, then their sessions: an order a re-import
    can follow, each referring to records already read."""
    providers = select(provider_table).where(
        provider_table.c.status == PublicationStatus.PUBLISHED.value
    )
    async for row in await db.stream(_published_since(providers, provider_table, updated_since)):
        yield "provider", row._mapping
    offers = (
        select(
            offer_table,
            provider_table.c.source.label("provider_source"),
            provider_table.c.external_id.label("provider_external_id"),
        )
        .join(provider_table, provider_table.c.id == offer_table.c.provider_id)
        .where(offer_table.c.status == PublicationStatus.PUBLISHED.value)
    )
    async for row in await db.stream(_published_since(offers, offer_table, updated_since)):
        yield "offer", row._mapping
    sessions = (
        select(
            session_table,
            offer_table.c.source.label("offer_source"),
            offer_table.c.external_id.label("offer_external_id"),
        )
        .join(offer_table, offer_table.c.id == session_table.c.offer_id)
        .where(offer_table.c.status == PublicationStatus.PUBLISHED.value)
    )
    async for row in await db.stream(_published_since(sessions, session_table, updated_since)):
        yield "session", row._mapping
