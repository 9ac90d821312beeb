"""Bulk import (upsert by source and external id) and exports of the published register.

The import reads rows as they arrive and works in batches: each batch is validated, its references
resolved and its records written with a few set-based statements, so 100k rows never sit in
memory. A record identical to the stored one is left alone — no new version, no new
``updated_at`` — so importing a file twice changes nothing the second time.

Transactions: in ``keep_valid`` mode each batch commits on its own; in ``all_or_nothing`` mode the
whole file is one transaction, committed only if no row has an error; a dry run always rolls back.
That is why this service, unlike the others, commits itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.catalogue import summary
from offers.exchange import repository
from offers.exchange.formats import (
    FileError,
    FileFormat,
    RawRow,
    csv_line,
    json_line,
    read_csv,
    read_jsonl,
)
from offers.exchange.repository import ExternalKey
from offers.exchange.schemas import (
    ALL_COLUMNS,
    COLUMNS,
    LIST_COLUMNS,
    ROW_MODELS,
    ImportMode,
    ImportReport,
    OfferRow,
    ProviderRow,
    RecordCounts,
    RowIssue,
    SessionRow,
)
from offers.providers import service as providers_service
from offers.records import ALLOWED_MOVES, Problem
from offers.sessions import service as sessions_service
from offers.text import fold
from offers.vocabulary import PublicationStatus
from shared.db import utcnow
from shared.principal import Principal
from shared.problems import FieldProblem, ProblemError

BATCH_SIZE = 1000
MAX_LISTED_ISSUES = 1000
EXPORT_CHUNK_CHARACTERS = 64 * 1024
# Columns of the export: references go by (source, external id), never by internal id.
EXPORT_COLUMNS = [name for name in ALL_COLUMNS if name not in {"provider_id", "offer_id"}]
_SHARED_WITH_OFFERS = ("name", "region", "province", "phone", "email")


class ImportConflict(Exception):
    """A concurrent change wrote a record this import was about to create."""


@dataclass
class _Valid:
    line: int
    source: str
    row: Any

    @property
    def key(self) -> ExternalKey:
        return (self.source, self.row.external_id)


def rows_of(file_format: FileFormat, chunks: AsyncIterable[bytes]) -> AsyncIterator[RawRow]:
    if file_format is FileFormat.CSV:
        return read_csv(chunks, LIST_COLUMNS, frozenset(ALL_COLUMNS))
    return read_jsonl(chunks)


def _plain(value: Any) -> Any:
    """Enums as their values, so comparisons with stored rows and drivers see plain data."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _fields(row: Any, exclude: set[str]) -> dict[str, Any]:
    exclude = exclude | {"record", "source", "external_id"}
    return {
        name: _plain(getattr(row, name)) for name in type(row).model_fields if name not in exclude
    }


def _changed(current: Row[Any], values: Mapping[str, Any]) -> bool:
    return any(getattr(current, name) != value for name, value in values.items())


class Importer:
    """One import run, as one caller (whose scope every row must respect)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        principal: Principal,
        *,
        mode: ImportMode = ImportMode.ALL_OR_NOTHING,
        dry_run: bool = False,
        default_source: str | None = None,
        batch_size: int = BATCH_SIZE,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.access = Access(principal)
        self.mode = mode
        self.dry_run = dry_run
        self.default_source = default_source
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.report = ImportReport(dry_run=dry_run, mode=mode, committed=False)
        # Where each record was first seen in the file, by a hash of its identity: a second
        # occurrence is an error rather than a silent overwrite.
        self.first_seen: dict[int, int] = {}
        self.touched_offers: set[UUID] = set()
        self.now = utcnow()
        self.today = self.now.date()

    @property
    def writes_each_batch(self) -> bool:
        return self.mode is ImportMode.KEEP_VALID and not self.dry_run

    async def run(self, rows: AsyncIterable[RawRow]) -> ImportReport:
        async with self.sessionmaker() as session:
            try:
                await self._read(session, rows)
            except IntegrityError as exc:
                await session.rollback()
                raise ImportConflict from exc
            if self.dry_run or (self.mode is ImportMode.ALL_OR_NOTHING and self.report.error_count):
                await session.rollback()
            else:
                await session.commit()
                self.report.committed = True
        return self.report

    async def _read(self, session: AsyncSession, rows: AsyncIterable[RawRow]) -> None:
        batch: list[RawRow] = []
        try:
            async for raw in rows:
                batch.append(raw)
                if len(batch) >= self.batch_size:
                    await self._batch(session, batch)
                    batch = []
        except FileError as exc:
            self._issue(self.report.errors, exc.line, None, None, exc.field, exc.reason)
        if batch:
            await self._batch(session, batch)

    def _issue(
        self,
        issues: list[RowIssue],
        line: int,
        record: str | None,
        external_id: str | None,
        field: str | None,
        reason: str,
    ) -> None:
        if issues is self.report.errors:
            self.report.error_count += 1
        else:
            self.report.warning_count += 1
        if len(issues) < MAX_LISTED_ISSUES:
            issues.append(
                RowIssue(
                    line=line, record=record, external_id=external_id, field=field, reason=reason
                )
            )
        else:
            self.report.issues_truncated = True

    def _counts(self, record: str) -> RecordCounts:
        counts: RecordCounts = getattr(self.report, record + "s")
        return counts

    def _reject(self, item: _Valid, record: str, problems: list[Problem]) -> None:
        for field, reason in problems:
            self._issue(self.report.errors, item.line, record, item.row.external_id, field, reason)
        self._counts(record).rejected += 1

    def _warn(self, item: _Valid, record: str, problems: list[Problem]) -> None:
        for field, reason in problems:
            self._issue(
                self.report.warnings, item.line, record, item.row.external_id, field, reason
            )

    def _validate(self, raw: RawRow) -> tuple[str, _Valid] | None:
        self.report.rows += 1
        external_id = raw.fields.get("external_id")
        external_id = external_id if isinstance(external_id, str) else None
        if raw.error is not None:
            self._issue(self.report.errors, raw.line, None, None, raw.error_field, raw.error)
            return None
        record = raw.fields.get("record")
        model = ROW_MODELS.get(record) if isinstance(record, str) else None
        if record is None or model is None:
            reason = "must be 'provider', 'offer' or 'session'"
            self._issue(self.report.errors, raw.line, None, external_id, "record", reason)
            return None
        try:
            row = model.model_validate(raw.fields)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = ".".join(str(part) for part in error["loc"]) or None
                self._issue(self.report.errors, raw.line, record, external_id, field, error["msg"])
            self._counts(record).rejected += 1
            return None
        source = row.source or self.default_source
        if source is None:
            reason = "give a source column, or the import's source parameter"
            self._issue(self.report.errors, raw.line, record, external_id, "source", reason)
            self._counts(record).rejected += 1
            return None
        identity = hash((record, source, row.external_id))
        first = self.first_seen.setdefault(identity, raw.line)
        if first != raw.line:
            reason = f"this record already appears on line {first}"
            self._issue(self.report.errors, raw.line, record, external_id, "external_id", reason)
            self._counts(record).rejected += 1
            return None
        return record, _Valid(raw.line, source, row)

    async def _batch(self, session: AsyncSession, raws: list[RawRow]) -> None:
        valid: dict[str, list[_Valid]] = {"provider": [], "offer": [], "session": []}
        for raw in raws:
            validated = self._validate(raw)
            if validated is not None:
                valid[validated[0]].append(validated[1])
        # Providers first, then offers, then sessions: a row may refer to one of an earlier kind
        # in the same batch.
        await self._providers(session, valid["provider"])
        await self._offers(session, valid["offer"])
        await self._sessions(session, valid["session"])
        await summary.refresh(session, self.touched_offers)
        self.touched_offers.clear()
        if self.writes_each_batch:
            await session.commit()
        if self.on_progress is not None:
            self.on_progress(self.report.rows)

    def _status(
        self, item: _Valid, current_status: str | None, region: str, problems: list[Problem]
    ) -> str:
        """The status to store, checking the move and the right to make it."""
        current = PublicationStatus(current_status or PublicationStatus.DRAFT)
        wanted: PublicationStatus | None = item.row.status
        if wanted is None or wanted is current:
            return current.value
        if current_status is not None and current not in ALLOWED_MOVES[wanted]:
            problems.append(("status", f"a {current.value} record cannot become {wanted.value}"))
        elif wanted is not PublicationStatus.DRAFT and not self.access.may_publish(region):
            problems.append(("status", "only the coordinators of the region may publish"))
        return wanted.value

    async def _providers(self, session: AsyncSession, items: list[_Valid]) -> None:
        if not items:
            return
        table = repository.provider_table
        existing = await repository.by_external_keys(session, table, [i.key for i in items])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        moved: set[UUID] = set()
        counts = self._counts("provider")
        for item in items:
            row: ProviderRow = item.row
            values = _fields(row, {"status"})
            problems = providers_service.check(values)
            current = existing.get(item.key)
            if current is None and not self.access.may_edit(values["region"], None):
                problems.append(("region", "you may not add providers in this region"))
            if current is not None and not (
                self.access.may_edit(current.region, current.id)
                and self.access.may_edit(values["region"], current.id)
            ):
                problems.append(("external_id", "this provider is outside your scope"))
            status = self._status(item, current.status if current else None, row.region, problems)
            if problems:
                self._reject(item, "provider", problems)
                continue
            if not values.get("phone") and not values.get("email"):
                self._warn(item, "provider", [("phone", "no phone number nor e-mail to contact")])
            values |= {"name_key": fold(row.name)[:200], "status": status}
            published_now = status == PublicationStatus.PUBLISHED and (
                current is None or current.status != status
            )
            if current is None:
                inserts.append(
                    {
                        **values,
                        "id": uuid4(),
                        "source": item.source,
                        "external_id": row.external_id,
                        "version": 1,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "published_at": self.now if published_now else None,
                    }
                )
                counts.created += 1
            elif _changed(current, values):
                updates.append(
                    {
                        **values,
                        "row_id": current.id,
                        "version": current.version + 1,
                        "updated_at": self.now,
                        "published_at": self.now if published_now else current.published_at,
                    }
                )
                if any(getattr(current, n) != values[n] for n in _SHARED_WITH_OFFERS):
                    moved.add(current.id)
                counts.updated += 1
            else:
                counts.unchanged += 1
        await repository.insert_rows(session, table, inserts)
        await repository.update_rows(session, table, updates)
        self.touched_offers.update(await repository.offer_ids_of_providers(session, moved))

    async def _parents(
        self,
        session: AsyncSession,
        items: list[_Valid],
        table: Any,
        id_field: str,
        external_field: str,
        source_field: str,
    ) -> tuple[dict[UUID, Row[Any]], dict[ExternalKey, Row[Any]]]:
        ids = {getattr(i.row, id_field) for i in items if getattr(i.row, id_field)}
        keys = {
            (getattr(i.row, source_field) or i.source, getattr(i.row, external_field))
            for i in items
            if getattr(i.row, external_field)
        }
        return (
            await repository.by_ids(session, table, ids),
            await repository.by_external_keys(session, table, keys),
        )

    def _parent(
        self,
        item: _Valid,
        by_id: dict[UUID, Row[Any]],
        by_key: dict[ExternalKey, Row[Any]],
        names: tuple[str, str, str],
        kind: str,
        problems: list[Problem],
    ) -> Row[Any] | None:
        id_field, external_field, source_field = names
        parent_id = getattr(item.row, id_field)
        external_id = getattr(item.row, external_field)
        if (parent_id is None) == (external_id is None):
            problems.append((external_field, f"give either {external_field} or {id_field}"))
            return None
        if parent_id is not None:
            parent = by_id.get(parent_id)
            if parent is None:
                problems.append((id_field, f"no {kind} has this id"))
            return parent
        source = getattr(item.row, source_field) or item.source
        parent = by_key.get((source, external_id))
        if parent is None:
            problems.append(
                (
                    external_field,
                    f"no {kind} has source '{source}' and external id '{external_id}' "
                    "(import it first, or earlier in the file)",
                )
            )
        return parent

    async def _offers(self, session: AsyncSession, items: list[_Valid]) -> None:
        if not items:
            return
        table = repository.offer_table
        names = ("provider_id", "provider_external_id", "provider_source")
        by_id, by_key = await self._parents(session, items, repository.provider_table, *names)
        existing = await repository.by_external_keys(session, table, [i.key for i in items])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        counts = self._counts("offer")
        for item in items:
            row: OfferRow = item.row
            values = _fields(row, {"status", *names})
            problems = catalogue_service.check(values)
            provider = self._parent(item, by_id, by_key, names, "provider", problems)
            current = existing.get(item.key)
            status = PublicationStatus.DRAFT.value
            if provider is not None:
                if not self.access.may_edit(provider.region, provider.id):
                    problems.append((names[1], "this provider is outside your scope"))
                elif provider.status == PublicationStatus.ARCHIVED:
                    problems.append((names[1], "the provider is archived"))
                if current is not None and current.provider_id != provider.id:
                    problems.append((names[1], "an offer cannot move to another provider"))
                status = self._status(
                    item, current.status if current else None, provider.region, problems
                )
                if (
                    status == PublicationStatus.PUBLISHED
                    and provider.status != PublicationStatus.PUBLISHED
                ):
                    problems.append(("status", "publish the provider before its offers"))
            if problems or provider is None:
                self._reject(item, "offer", problems)
                continue
            warnings: list[Problem] = []
            if len(row.description) < 100:
                warnings.append(("description", "shorter than 100 characters"))
            self._warn(item, "offer", warnings)
            values |= {"provider_id": provider.id, "status": status}
            published_now = status == PublicationStatus.PUBLISHED and (
                current is None or current.status != status
            )
            if current is None:
                offer_id = uuid4()
                inserts.append(
                    {
                        **values,
                        "id": offer_id,
                        "source": item.source,
                        "external_id": row.external_id,
                        "region": provider.region,
                        "province": provider.province,
                        "title_key": summary.title_key(row.title_fr),
                        "search_text": summary.search_text(
                            row.title_fr, row.title_ar, provider.name
                        ),
                        "version": 1,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "published_at": self.now if published_now else None,
                    }
                )
                self.touched_offers.add(offer_id)
                counts.created += 1
            elif _changed(current, values):
                updates.append(
                    {
                        **values,
                        "row_id": current.id,
                        "version": current.version + 1,
                        "updated_at": self.now,
                        "published_at": self.now if published_now else current.published_at,
                    }
                )
                self.touched_offers.add(current.id)
                counts.updated += 1
            else:
                counts.unchanged += 1
        await repository.insert_rows(session, table, inserts)
        await repository.update_rows(session, table, updates)

    async def _sessions(self, session: AsyncSession, items: list[_Valid]) -> None:
        if not items:
            return
        table = repository.session_table
        names = ("offer_id", "offer_external_id", "offer_source")
        by_id, by_key = await self._parents(session, items, repository.offer_table, *names)
        existing = await repository.by_external_keys(session, table, [i.key for i in items])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        counts = self._counts("session")
        for item in items:
            row: SessionRow = item.row
            values = _fields(row, set(names))
            current = existing.get(item.key)
            problems = sessions_service.check_status_input(
                row.status, current.status if current else None
            )
            problems += sessions_service.check(values, current.seats_reserved if current else 0)
            offer = self._parent(item, by_id, by_key, names, "offer", problems)
            if offer is not None:
                if not self.access.may_edit(offer.region, offer.provider_id):
                    problems.append((names[1], "this offer is outside your scope"))
                elif offer.status == PublicationStatus.ARCHIVED:
                    problems.append((names[1], "the offer is archived"))
                if current is not None and current.offer_id != offer.id:
                    problems.append((names[1], "a session cannot move to another offer"))
            if problems or offer is None:
                self._reject(item, "session", problems)
                continue
            self._warn(
                item, "session", sessions_service.warnings(values, offer.duration_hours, self.today)
            )
            values["offer_id"] = offer.id
            if current is None:
                inserts.append(
                    {
                        **values,
                        "id": uuid4(),
                        "source": item.source,
                        "external_id": row.external_id,
                        "seats_reserved": 0,
                        "version": 1,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                counts.created += 1
            elif _changed(current, values):
                updates.append(
                    {
                        **values,
                        "row_id": current.id,
                        "version": current.version + 1,
                        "updated_at": self.now,
                    }
                )
                counts.updated += 1
            else:
                counts.unchanged += 1
                continue
            self.touched_offers.add(offer.id)
        await repository.insert_rows(session, table, inserts)
        await repository.update_rows(session, table, updates)


def import_problem(report: ImportReport) -> ProblemError:
    """An all-or-nothing import that wrote nothing: 422 naming each faulty row and field."""
    errors = [
        FieldProblem(field=f"line.{issue.line}.{issue.field or 'row'}", reason=issue.reason)
        for issue in report.errors
    ]
    return ProblemError(
        422,
        f"{report.error_count} error(s) in the file: nothing was imported.",
        slug="import-rejected",
        title="Import rejected",
        errors=errors,
        extra={"report": report.model_dump(mode="json")},
    )


def conflict_problem() -> ProblemError:
    return ProblemError(
        409,
        "A concurrent change created a record this import was creating; nothing of the batch "
        "in progress was written. Import the file again: rows already imported are unchanged.",
        slug="import-conflict",
    )


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
    """The published register in the import format, a chunk of lines at a time."""
    buffer: list[str] = []
    size = 0
    if file_format is FileFormat.CSV:
        buffer.append(csv_line(EXPORT_COLUMNS, {name: name for name in EXPORT_COLUMNS}))
    async with sessionmaker() as session:
        async for record, row in repository.stream_published(session, updated_since):
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
