"""Exports of the published register: the import format (CSV or JSON Lines), streamed, and one
offer as a schema.org JSON-LD document."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.exchange import jsonld, repository
from offers.exchange.formats import FileFormat, csv_line, json_line
from offers.exchange.schemas import ALL_COLUMNS, COLUMNS
from offers.providers import service as providers_service
from offers.sessions import service as sessions_service
from shared.problems import not_found

EXPORT_CHUNK_CHARACTERS = 64 * 1024
# Columns of the export: references go by (source, external id), never by internal id.
EXPORT_COLUMNS = [name for name in ALL_COLUMNS if name not in {"provider_id", "offer_id"}]


def _export_values(record: str, row: Mapping[str, Any]) -> dict[str, Any]:
    values = {"record": record}
    for name in COLUMNS[record]:
        if name != "record":
            values[name] = row[name]
    return values


async def export_lines(
    sessionmaker: async_sessionmaker[AsyncSession],
    file_format: FileFormat,
    updated_since: datetime | None,
) -> AsyncIterator[str]:
    """The published register in the import format, a chunk of lines at a time.

    It runs while the response streams, after the request's own database session has closed:
    it reads in a session of its own.
    """
    buffer: list[str] = []
    size = 0
    if file_format is FileFormat.CSV:
        buffer.append(csv_line(EXPORT_COLUMNS, {name: name for name in EXPORT_COLUMNS}))
    async with sessionmaker() as db:
        async for record, row in repository.stream_published(db, updated_since):
            values = _export_values(record, row)
            if file_format is FileFormat.CSV:
                line = csv_line(EXPORT_COLUMNS, values)
            else:
                line = json_line({k: _json_value(v) for k, v in values.items() if v is not None})
            buffer.append(line)
            size += len(line)
            if size >= EXPORT_CHUNK_CHARACTERS:
                yield "".join(buffer)
                buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _json_value(value: Any) -> Any:
    if isinstance(value, list | int | float | str | bool):
        return value
    return str(value)


async def offer_document(db: AsyncSession, access: Access, offer_id: UUID) -> dict[str, Any]:
    """One offer the caller may see, with its provider and sessions, as schema.org JSON-LD."""
    offer = await catalogue_service.get_visible(db, access, offer_id)
    provider = await providers_service.get(db, offer.provider_id)
    if provider is None:  # removed by a concurrent request in between
        raise not_found("offer", offer_id)
    sessions = await sessions_service.of_offer(db, offer.id)
    return jsonld.offer_document(offer, provider, sessions)
