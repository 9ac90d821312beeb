"""The bulk import pipeline: rows upserted by source and external id, and the report.

The import reads rows as they arrive and works in batches: each batch is validated, its references
resolved and its records written with a few set-based statements, so 100k rows never sit in
memory. A record identical to the stored one is left alone — no new version, no new
``updated_at`` — so importing a file twice changes nothing the second time.

Transactions: in ``keep_valid`` mode each batch commits on its own; in ``all_or_nothing`` mode the
whole file is one transaction, committed only if no row has an error; a dry run always rolls back.
That is why the pipeline, unlike the domains' services, commits and rolls back itself: it is a
layer above them, which owns its database sessions (one per run, from the sessionmaker).

Before each commit that writes, ``before_commit`` (an import job's) gets the transaction and an
:class:`ImportCheckpoint`: the rows the commit makes durable and the report so far, which the job
records in the same transaction. ``resume`` starts from such a checkpoint: the rows it covers are
read again (to recognise duplicates of them) but not written, and the report goes on from it.

The rules are not here: each row is checked and built by its domain's service (``providers``,
``catalogue``, ``sessions`` and ``offers.lifecycle``), the very functions the API uses. This
module only batches rows, resolves their references in sets, and writes in sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from offers.access import Access
from offers.catalogue import service as catalogue_service
from offers.catalogue.quality import SessionDates
from offers.exchange import repository
from offers.exchange.formats import FileError, FileFormat, RawRow, read_csv, read_jsonl
from offers.exchange.repository import ExternalKey
from offers.exchange.schemas import (
    ALL_COLUMNS,
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
from offers.lifecycle import change_stamps, changed_stamps, status_to_store
from offers.providers import service as providers_service
from offers.sessions import service as sessions_service
from offers.vocabulary import PublicationStatus
from shared import bulk
from shared.db import utcnow
from shared.principal import Principal
from shared.problems import FieldIssue, reason_text

BATCH_SIZE = 2000
# Plain strings for the loops over rows.
_DRAFT = PublicationStatus.DRAFT.value
# Planner statistics of a table are refreshed when the rows written to it reach this, then
# eight times as many, and so on: a few ANALYZEs per import, whatever its size. (The first one
# matters most: it tells the planner that external ids are unique.)
FIRST_ANALYZE_AT = 1_000
ANALYZE_GROWTH = 8
MAX_LISTED_ISSUES = 1000
# What rows need of the provider or offer they refer to.
_PROVIDER_COLUMNS = (
    "region",
    "province",
    "status",
    "name_key",
    *providers_service.SHARED_WITH_OFFERS,
)
_OFFER_COLUMNS = ("region", "provider_id", "status", "duration_hours")
_SESSION_REFERENCES = ("offer_id", "offer_external_id", "offer_source")


class _RandomIds:
    """Random (version 4) UUIDs, their randomness read a thousand at a time: one system call
    per thousand ids instead of one each."""

    def __init__(self) -> None:
        self.ready: list[UUID] = []

    def __call__(self) -> UUID:
        if not self.ready:
            raw = os.urandom(16 * 1000)
            self.ready = [UUID(bytes=raw[i : i + 16], version=4) for i in range(0, len(raw), 16)]
        return self.ready.pop()


class ImportConflict(Exception):
    """A concurrent change wrote a record this import was about to create."""


@dataclass(frozen=True)
class ImportCheckpoint:
    """What a commit makes durable: the first ``rows`` rows of the file, the report as it stands
    after them (``report``, as JSON), and the regions of the records accepted so far."""

    rows: int
    report: dict[str, Any]
    regions: list[str]
    final: bool = False

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> ImportCheckpoint:
        return cls(**value)


BeforeCommit = Callable[[AsyncSession, ImportCheckpoint], Awaitable[None]]
# The id a new record gets, from its record type and (source, external id).
RecordId = Callable[[str, ExternalKey], UUID]


@dataclass
class _Valid:
    line: int
    source: str
    row: Any
    # Sessions: their own values and the problems found without the database (computed while
    # the previous batch is being written).
    values: dict[str, Any] | None = None
    problems: list[FieldIssue] | None = None

    @property
    def key(self) -> ExternalKey:
        return (self.source, self.row.external_id)


class _OfferRef(NamedTuple):
    """What a session row needs of its offer."""

    id: UUID
    region: str
    provider_id: UUID
    status: str
    duration_hours: int


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


# (is an error, line, record, external id, field, reason)
_Issue = tuple[bool, int, str | None, str | None, str | None, str]


@dataclass
class _Batch:
    """Validated rows of one batch, by record type, how many rows the file had for it, and what
    validation found wrong in them (added to the report when the batch is written, so the report
    after a batch covers exactly the rows up to it)."""

    rows: int = 0
    valid: dict[str, list[_Valid]] = dataclasses.field(
        default_factory=lambda: {"provider": [], "offer": [], "session": []}
    )
    issues: list[_Issue] = dataclasses.field(default_factory=list)
    rejected: dict[str, int] = dataclasses.field(
        default_factory=lambda: {"provider": 0, "offer": 0, "session": 0}
    )

    def error(
        self,
        line: int,
        record: str | None,
        external_id: str | None,
        field: str | None,
        reason: str,
    ) -> None:
        self.issues.append((True, line, record, external_id, field, reason))

    def reject(
        self, line: int, record: str, external_id: str | None, field: str | None, reason: str
    ) -> None:
        self.error(line, record, external_id, field, reason)
        self.rejected[record] += 1


def rows_of(file_format: FileFormat, chunks: AsyncIterable[bytes]) -> AsyncIterator[list[RawRow]]:
    if file_format is FileFormat.CSV:
        return read_csv(chunks, LIST_COLUMNS, frozenset(ALL_COLUMNS))
    return read_jsonl(chunks)


def _value_names(model: type[Any], exclude: set[str]) -> tuple[str, ...]:
    skipped = exclude | {"record", "source", "external_id"}
    return tuple(name for name in model.model_fields if name not in skipped)


_PROVIDER_VALUES = _value_names(ProviderRow, {"status"})
_OFFER_VALUES = _value_names(
    OfferRow, {"status", "provider_id", "provider_external_id", "provider_source"}
)
_SESSION_VALUES = _value_names(SessionRow, {"offer_id", "offer_external_id", "offer_source"})


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's own values (plain: the row models keep enum values), without the identity
    and reference columns."""
    values = row.__dict__
    return {name: values[name] for name in names}


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
        before_commit: BeforeCommit | None = None,
        resume: ImportCheckpoint | None = None,
        record_id: RecordId | None = None,
    ) -> None:
        """``record_id`` names the id each new record gets (random when left out): a generator
        whose records other services refer to (the demo's sessions) derives them from the
        external ids."""
        self.sessionmaker = sessionmaker
        self.access = Access(principal)
        self.mode = mode
        self.dry_run = dry_run
        self.default_source = default_source
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.before_commit = before_commit
        self.resume = resume
        # Rows of the file written (or, all or nothing, to be written) so far, and the regions of
        # the records accepted.
        self.rows_done = 0
        self.regions: set[str] = set()
        # Plain counters while rows stream through (the pydantic report is built at the end).
        self.counts = {record: _Counts() for record in ("provider", "offer", "session")}
        self.rows = 0
        self.error_count = 0
        self.warning_count = 0
        self.issues_truncated = False
        self.errors: list[RowIssue] = []
        self.warnings: list[RowIssue] = []
        self.committed = False
        # Where each record was first seen in the file, by a hash of its identity: a second
        # occurrence is an error rather than a silent overwrite.
        self.first_seen: dict[int, int] = {}
        # Offers whose derived columns need recomputing after the batch: all of them, or only
        # those that depend on sessions.
        self.touched_offers: set[UUID] = set()
        self.offers_with_new_sessions: set[UUID] = set()
        # New offers whose derived columns were computed with the sessions that follow them in
        # the same batch (how many), and how many of those sessions were then inserted: when
        # the two agree the offer needs no second write.
        self.presummarised: dict[UUID, int] = {}
        # Offers of the current batch, for its sessions to refer to without a query.
        self.batch_offers: dict[ExternalKey, _OfferRef] = {}
        self.sessions_inserted: dict[UUID, int] = {}
        self.written: dict[Any, int] = {}
        self.analyze_at: dict[Any, int] = {}
        self.new_id = _RandomIds()
        self.record_id = record_id
        self.now = utcnow()
        self.today = self.now.date()

    @property
    def writes_each_batch(self) -> bool:
        return self.mode is ImportMode.KEEP_VALID and not self.dry_run

    async def run(self, rows: AsyncIterable[list[RawRow]]) -> ImportReport:
        if self.resume is not None:
            self._restore(self.resume)
        async with self.sessionmaker() as db:
            try:
                await self._read(db, rows)
            except IntegrityError as exc:
                await db.rollback()
                raise ImportConflict from exc
            if self.dry_run or (self.mode is ImportMode.ALL_OR_NOTHING and self.error_count):
                await db.rollback()
            else:
                self.committed = True
                try:
                    await self._commit(db, final=True)
                except BaseException:
                    self.committed = False
                    raise
        return self.report()

    def checkpoint(self, *, final: bool = False) -> ImportCheckpoint:
        return ImportCheckpoint(
            rows=self.rows_done,
            report=self.report().model_dump(mode="json"),
            regions=sorted(self.regions),
            final=final,
        )

    async def _commit(self, db: AsyncSession, *, final: bool = False) -> None:
        if self.before_commit is not None:
            await self.before_commit(db, self.checkpoint(final=final))
        await db.commit()

    def _restore(self, checkpoint: ImportCheckpoint) -> None:
        """Go on from ``checkpoint``: its rows are written, its report is the report so far."""
        report = ImportReport.model_validate(checkpoint.report)
        self.rows = report.rows
        self.rows_done = checkpoint.rows
        for record, counts in (
            ("provider", report.providers),
            ("offer", report.offers),
            ("session", report.sessions),
        ):
            self.counts[record] = _Counts(**counts.model_dump())
        self.error_count = report.error_count
        self.warning_count = report.warning_count
        self.errors = list(report.errors)
        self.warnings = list(report.warnings)
        self.issues_truncated = report.issues_truncated
        self.regions = set(checkpoint.regions)

    def report(self) -> ImportReport:
        return ImportReport(
            dry_run=self.dry_run,
            mode=self.mode,
            committed=self.committed,
            rows=self.rows,
            providers=RecordCounts(**dataclasses.asdict(self.counts["provider"])),
            offers=RecordCounts(**dataclasses.asdict(self.counts["offer"])),
            sessions=RecordCounts(**dataclasses.asdict(self.counts["session"])),
            error_count=self.error_count,
            warning_count=self.warning_count,
            errors=self.errors,
            warnings=self.warnings,
            issues_truncated=self.issues_truncated,
        )

    async def _read(self, db: AsyncSession, rows: AsyncIterable[list[RawRow]]) -> None:
        """Read and validate the next batch while the database writes the previous one: the
        two run side by side (Python here, the database server there)."""
        batches: asyncio.Queue[_Batch | None] = asyncio.Queue(maxsize=2)

        async def validate() -> None:
            # Rows a resumed import wrote before: validated again only to know their records
            # (a later duplicate of one is an error), neither written nor reported again.
            skip = self.rows_done
            batch = _Batch()
            try:
                async for chunk in rows:
                    for raw in chunk:
                        if skip:
                            skip -= 1
                            self._validate(_Batch(), raw)
                            continue
                        self._add(batch, raw)
                        if batch.rows >= self.batch_size:
                            await batches.put(batch)
                            batch = _Batch()
            except FileError as exc:
                batch.error(exc.line, None, None, exc.field, exc.reason)
            await batches.put(batch)
            await batches.put(None)

        reader = asyncio.create_task(validate())
        try:
            while (batch := await batches.get()) is not None:
                await self._batch(db, batch)
                if self.on_progress is not None:
                    self.on_progress(self.rows_done)
            await reader
        finally:
            if not reader.done():
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader

    def _issue(
        self,
        issues: list[RowIssue],
        line: int,
        record: str | None,
        external_id: str | None,
        field: str | None,
        reason: str,
    ) -> None:
        if issues is self.errors:
            self.error_count += 1
        else:
            self.warning_count += 1
        if len(issues) < MAX_LISTED_ISSUES:
            issues.append(
                RowIssue(
                    line=line, record=record, external_id=external_id, field=field, reason=reason
                )
            )
        else:
            self.issues_truncated = True

    def _id_of(self, record: str, item: _Valid) -> UUID:
        if self.record_id is None:
            return self.new_id()
        return self.record_id(record, item.key)

    def _counts(self, record: str) -> _Counts:
        return self.counts[record]

    def _reject(self, item: _Valid, record: str, problems: list[FieldIssue]) -> None:
        for field, reason in problems:
            text = reason_text(reason)
            self._issue(self.errors, item.line, record, item.row.external_id, field, text)
        self._counts(record).rejected += 1

    def _warn(self, item: _Valid, record: str, problems: list[FieldIssue]) -> None:
        for field, reason in problems:
            text = reason_text(reason)
            self._issue(self.warnings, item.line, record, item.row.external_id, field, text)

    def _validate(self, batch: _Batch, raw: RawRow) -> tuple[str, _Valid] | None:
        """The row checked on its own (run ahead of the writes: what it finds goes to ``batch``,
        not to the report)."""
        external_id = raw.fields.get("external_id")
        external_id = external_id if isinstance(external_id, str) else None
        if raw.error is not None:
            batch.error(raw.line, None, None, raw.error_field, raw.error)
            return None
        record = raw.fields.get("record")
        model = ROW_MODELS.get(record) if isinstance(record, str) else None
        if record is None or model is None:
            reason = "must be 'provider', 'offer' or 'session'"
            batch.error(raw.line, None, external_id, "record", reason)
            return None
        try:
            row = model.model_validate(raw.fields)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = ".".join(str(part) for part in error["loc"]) or None
                batch.error(raw.line, record, external_id, field, error["msg"])
            batch.rejected[record] += 1
            return None
        source = row.source or self.default_source
        if source is None:
            reason = "give a source column, or the import's source parameter"
            batch.reject(raw.line, record, external_id, "source", reason)
            return None
        identity = hash((record, source, row.external_id))
        first = self.first_seen.setdefault(identity, raw.line)
        if first != raw.line:
            reason = f"this record already appears on line {first}"
            batch.reject(raw.line, record, external_id, "external_id", reason)
            return None
        valid = _Valid(raw.line, source, row)
        if record == "session":
            valid.values = _fields(row, _SESSION_VALUES)
            valid.problems = sessions_service.check(valid.values)
        return record, valid

    def _add(self, batch: _Batch, raw: RawRow) -> None:
        batch.rows += 1
        validated = self._validate(batch, raw)
        if validated is not None:
            batch.valid[validated[0]].append(validated[1])

    def _merge(self, batch: _Batch) -> None:
        """What validation found in the batch's rows, into the report."""
        self.rows += batch.rows
        for is_error, line, record, external_id, field, reason in batch.issues:
            issues = self.errors if is_error else self.warnings
            self._issue(issues, line, record, external_id, field, reason)
        for record, rejected in batch.rejected.items():
            self.counts[record].rejected += rejected

    async def _batch(self, db: AsyncSession, batch: _Batch) -> None:
        self._merge(batch)
        valid = batch.valid
        # Providers first, then offers, then sessions: a row may refer to one of an earlier kind
        # in the same batch.
        await self._providers(db, valid["provider"])
        await self._offers(db, valid["offer"], self._sessions_by_offer(valid["session"]))
        await self._sessions(db, valid["session"])
        for offer_id, expected in self.presummarised.items():
            if self.sessions_inserted.get(offer_id, 0) != expected:
                self.offers_with_new_sessions.add(offer_id)
        self.presummarised.clear()
        self.sessions_inserted.clear()
        self.batch_offers.clear()
        await catalogue_service.refresh_derived(db, self.touched_offers)
        await catalogue_service.refresh_derived(
            db, self.offers_with_new_sessions - self.touched_offers, sessions_only=True
        )
        self.touched_offers.clear()
        self.offers_with_new_sessions.clear()
        grown = [
            table
            for table, written in self.written.items()
            if written >= self.analyze_at.get(table, FIRST_ANALYZE_AT)
        ]
        await bulk.refresh_statistics(db, grown)
        self.analyze_at.update({table: self.written[table] * ANALYZE_GROWTH for table in grown})
        self.rows_done += batch.rows
        if self.writes_each_batch:
            await self._commit(db)

    async def _write(
        self,
        db: AsyncSession,
        table: Any,
        inserts: list[dict[str, Any]],
        updates: list[dict[str, Any]],
    ) -> None:
        await bulk.insert_rows(db, table, inserts)
        await bulk.update_rows(db, table, updates)
        self.written[table] = self.written.get(table, 0) + len(inserts) + len(updates)

    def _status(
        self, current: Any | None, wanted: str | None, region: str, issues: list[FieldIssue]
    ) -> str:
        """The status a row's record gets; a move the rules refuse is added to ``issues``."""
        status, issue = status_to_store(
            current.status if current is not None else None,
            wanted,
            self.access.may_publish(region),
        )
        if issue is not None:
            issues.append(issue)
        return status

    async def _providers(self, db: AsyncSession, items: list[_Valid]) -> None:
        if not items:
            return
        table = repository.provider_table
        existing = await repository.by_external_keys(db, table, [i.key for i in items])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        moved: set[UUID] = set()
        counts = self._counts("provider")
        for item in items:
            row: ProviderRow = item.row
            values = _fields(row, _PROVIDER_VALUES)
            current = existing.get(item.key)
            issues = providers_service.check(values)
            issues += providers_service.scope_issues(self.access, values["region"], current)
            status = self._status(current, row.status, row.region, issues)
            if issues:
                self._reject(item, "provider", issues)
                continue
            self._warn(item, "provider", providers_service.warnings(values))
            self.regions.add(values["region"])
            if current is None:
                inserts.append(
                    providers_service.new_row(
                        values,
                        provider_id=self._id_of("provider", item),
                        source=item.source,
                        external_id=row.external_id,
                        status=status,
                        now=self.now,
                    )
                )
                counts.created += 1
                continue
            stored = providers_service.stored_values(values, status)
            if _changed(current, stored):
                updates.append(
                    {**stored, "id": current.id, **changed_stamps(current, status, self.now)}
                )
                if providers_service.reaches_offers(current, stored):
                    moved.add(current.id)
                counts.updated += 1
            else:
                counts.unchanged += 1
        await self._write(db, table, inserts, updates)
        self.touched_offers.update(await catalogue_service.ids_of_providers(db, moved))

    async def _parents(
        self,
        db: AsyncSession,
        items: list[_Valid],
        table: Any,
        names: tuple[str, str, str],
        columns: Sequence[str],
        known: Mapping[ExternalKey, Any] | None = None,
    ) -> tuple[dict[UUID, Any], dict[ExternalKey, Any]]:
        """The records rows refer to, by id and by (source, external id); ``known`` ones (written
        earlier in this batch) are not looked up again."""
        id_field, external_field, source_field = names
        known = known or {}
        ids = {getattr(i.row, id_field) for i in items if getattr(i.row, id_field)}
        keys = {
            (getattr(i.row, source_field) or i.source, getattr(i.row, external_field))
            for i in items
            if getattr(i.row, external_field)
        }
        by_key: dict[ExternalKey, Any] = {key: known[key] for key in keys if key in known}
        by_key |= await repository.by_external_keys(db, table, keys - by_key.keys(), columns)
        return await repository.by_ids(db, table, ids, columns), by_key

    def _parent(
        self,
        item: _Valid,
        by_id: dict[UUID, Any],
        by_key: dict[ExternalKey, Any],
        names: tuple[str, str, str],
        kind: str,
        problems: list[FieldIssue],
        may_add_to: Callable[[Access, Any], bool],
    ) -> Any | None:
        """The provider or offer a row refers to, when it exists and the caller may add to it;
        one outside the caller's scope is reported exactly like a missing one."""
        id_field, external_field, source_field = names
        parent_id = getattr(item.row, id_field)
        external_id = getattr(item.row, external_field)
        if (parent_id is None) == (external_id is None):
            problems.append((external_field, f"give either {external_field} or {id_field}"))
            return None
        if parent_id is not None:
            parent = by_id.get(parent_id)
            if parent is None or not may_add_to(self.access, parent):
                problems.append((id_field, f"no {kind} in your scope has this id"))
                return None
            return parent
        source = getattr(item.row, source_field) or item.source
        parent = by_key.get((source, external_id))
        if parent is None or not may_add_to(self.access, parent):
            problems.append(
                (
                    external_field,
                    f"no {kind} in your scope has source '{source}' and external id "
                    f"'{external_id}' (import it first, or earlier in the file)",
                )
            )
            return None
        return parent

    def _sessions_by_offer(self, items: list[_Valid]) -> dict[ExternalKey, list[SessionDates]]:
        """The sessions of this batch that would be inserted as they are, by offer key."""
        found: dict[ExternalKey, list[SessionDates]] = {}
        for item in items:
            row: SessionRow = item.row
            if row.offer_external_id is None:
                continue
            if item.problems or sessions_service.check_status_input(row.status):
                continue
            key = (row.offer_source or item.source, row.offer_external_id)
            found.setdefault(key, []).append(
                SessionDates(row.start_date, row.end_date, row.registration_deadline, row.status)
            )
        return found

    async def _offers(
        self,
        db: AsyncSession,
        items: list[_Valid],
        batch_sessions: dict[ExternalKey, list[SessionDates]],
    ) -> None:
        if not items:
            return
        table = repository.offer_table
        names = ("provider_id", "provider_external_id", "provider_source")
        by_id, by_key = await self._parents(
            db, items, repository.provider_table, names, _PROVIDER_COLUMNS
        )
        existing = await repository.by_external_keys(db, table, [i.key for i in items])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        counts = self._counts("offer")
        for item in items:
            row: OfferRow = item.row
            values = _fields(row, _OFFER_VALUES)
            issues = catalogue_service.check(values)
            provider = self._parent(
                item, by_id, by_key, names, "provider", issues, catalogue_service.may_add_to
            )
            current = existing.get(item.key)
            status: str = _DRAFT
            if provider is not None:
                current_provider = current.provider_id if current is not None else None
                issues += catalogue_service.provider_issues(provider, names[1], current_provider)
                status = self._status(current, row.status, provider.region, issues)
                issue = catalogue_service.publication_issue(status, provider)
                if issue is not None:
                    issues.append(issue)
            if issues or provider is None:
                self._reject(item, "offer", issues)
                continue
            self._warn(item, "offer", catalogue_service.warnings(values))
            self.regions.add(provider.region)
            offer_id = current.id if current is not None else self._id_of("offer", item)
            self.batch_offers[item.key] = _OfferRef(
                offer_id, provider.region, provider.id, status, row.duration_hours
            )
            if current is None:
                # A new offer's only sessions are those later in this batch: its derived columns
                # are known now, without the second write an updated offer needs.
                sessions = batch_sessions.get(item.key, [])
                self.presummarised[offer_id] = len(sessions)
                inserts.append(
                    catalogue_service.new_row(
                        values,
                        offer_id=offer_id,
                        provider=provider,
                        source=item.source,
                        external_id=row.external_id,
                        status=status,
                        now=self.now,
                        sessions=sessions,
                    )
                )
                counts.created += 1
                continue
            stored = catalogue_service.stored_values(values, provider, status)
            if _changed(current, stored):
                updates.append(
                    {**stored, "id": current.id, **changed_stamps(current, status, self.now)}
                )
                self.touched_offers.add(current.id)
                counts.updated += 1
            else:
                counts.unchanged += 1
        await self._write(db, table, inserts, updates)

    async def _sessions(self, db: AsyncSession, items: list[_Valid]) -> None:
        if not items:
            return
        table = repository.session_table
        names = _SESSION_REFERENCES
        by_id, by_key = await self._parents(
            db, items, repository.offer_table, names, _OFFER_COLUMNS, self.batch_offers
        )
        existing = await repository.by_external_keys(db, table, [i.key for i in items])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        counts = self._counts("session")
        for item in items:
            row: SessionRow = item.row
            values = dict(item.values or {})
            current = existing.get(item.key)
            issues = sessions_service.check_status_input(
                row.status, current.status if current else None
            )
            if current is not None and current.seats_reserved:
                issues += sessions_service.check(values, current.seats_reserved)
            else:
                issues += item.problems or []
            offer = self._parent(
                item, by_id, by_key, names, "offer", issues, sessions_service.may_add_to
            )
            if offer is not None:
                current_offer = current.offer_id if current is not None else None
                issues += sessions_service.offer_issues(offer, names[1], current_offer)
            if issues or offer is None:
                self._reject(item, "session", issues)
                continue
            self._warn(
                item, "session", sessions_service.warnings(values, offer.duration_hours, self.today)
            )
            self.regions.add(offer.region)
            if current is None:
                inserts.append(
                    sessions_service.new_row(
                        values,
                        session_id=self._id_of("session", item),
                        offer_id=offer.id,
                        source=item.source,
                        external_id=row.external_id,
                        now=self.now,
                    )
                )
                counts.created += 1
                if offer.id in self.presummarised:
                    self.sessions_inserted[offer.id] = self.sessions_inserted.get(offer.id, 0) + 1
                    continue
            else:
                values["offer_id"] = offer.id
                if not _changed(current, values):
                    counts.unchanged += 1
                    continue
                stamps = change_stamps(current.version, self.now)
                updates.append({**values, "id": current.id, **stamps})
                counts.updated += 1
            self.offers_with_new_sessions.add(offer.id)
        await self._write(db, table, inserts, updates)
