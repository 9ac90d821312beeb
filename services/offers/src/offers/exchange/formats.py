"""The exchange file formats, read and written as streams: CSV and JSON Lines.

One file carries providers, offers and sessions, one record per row, told apart by the ``record``
column (``provider``, ``offer`` or ``session``); see the README for the columns. Rows are read
from an async stream of bytes, a chunk at a time, so a file never sits in memory whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.csv_cells import cell, restore

# A CSV record or JSON line longer than this is a broken file (an unclosed quote), not data.
MAX_RECORD_CHARACTERS = 1_000_000
# CSV cells holding several codes separate them with this character.
LIST_SEPARATOR = "|"


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


MEDIA_TYPES: dict[FileFormat, str] = {
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.JSONL: "application/x-ndjson",
}


def format_of_media_type(content_type: str | None) -> FileFormat | None:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in {"text/csv", "application/csv"}:
        return FileFormat.CSV
    if media_type in {"application/x-ndjson", "application/jsonl", "application/jsonlines"}:
        return FileFormat.JSONL
    return None


@dataclass
class RawRow:
    """One record of the file: its first line number and its cells, or why it is unreadable."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None


class FileError(Exception):
    """The rest of the file cannot be read (bad encoding, bad header, unclosed quote)."""

    def __init__(self, line: int, reason: str, field: str | None = None) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason
        self.field = field


async def _lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[list[tuple[int, str]]]:
    """The numbered text lines (without their ending) of a UTF-8 byte stream, a chunk's worth
    at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    number = 0
    async for chunk in chunks:
        try:
            pending += decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise FileError(number + pending.count("\n") + 1, "the file is not UTF-8") from exc
        *complete, pending = pending.split("\n")
        if complete:
            first = number + 1
            number += len(complete)
            yield [(first + i, line.removesuffix("\r")) for i, line in enumerate(complete)]
        if len(pending) > MAX_RECORD_CHARACTERS:
            raise FileError(number + 1, f"line longer than {MAX_RECORD_CHARACTERS} characters")
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise FileError(number + 1, "the file is not UTF-8") from exc
    if pending:
        yield [(number + 1, pending.removesuffix("\r"))]


class _Feed:
    """The lines a csv.reader reads, handed over one complete record at a time."""

    def __init__(self) -> None:
        self.records: deque[str] = deque()

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        return self.records.popleft()


async def read_csv(
    chunks: AsyncIterable[bytes], list_columns: frozenset[str], known_columns: frozenset[str]
) -> AsyncIterator[list[RawRow]]:
    """Rows of a CSV file with a header line, a chunk's worth at a time. Empty cells are left
    out; cells of ``list_columns`` are split on ``|``. A record spans lines while a quote is
    open."""
    feed = _Feed()
    reader = csv.reader(feed, strict=True)
    header: list[str] | None = None
    record: list[str] = []
    first_line = 0
    async for lines in _lines(chunks):
        rows: list[RawRow] = []
        try:
            for number, line in lines:
                if not record:
                    first_line = number
                    if not line.strip():
                        continue
                record.append(line)
                text = "\n".join(record)
                if text.count('"') % 2:
                    if len(text) > MAX_RECORD_CHARACTERS:
                        raise FileError(first_line, "a quoted cell is never closed")
                    continue  # a quoted cell goes on on the next line
                record = []
                feed.records.append(text + "\n")
                try:
                    cells = next(reader)
                except csv.Error as exc:
                    if header is None:
                        raise FileError(first_line, f"unreadable header: {exc}") from exc
                    rows.append(RawRow(first_line, error=f"unreadable CSV: {exc}"))
                    continue
                if header is None:
                    header = _header(cells, first_line, known_columns)
                elif len(cells) != len(header):
                    reason = f"{len(cells)} cells where the header has {len(header)}"
                    rows.append(RawRow(first_line, error=reason))
                else:
                    rows.append(RawRow(first_line, _cells(header, cells, list_columns)))
        except FileError:
            if rows:
                yield rows  # the rows before the unreadable part still count
            raise
        if rows:
            yield rows
    if record:
        raise FileError(first_line, "a quoted cell is never closed")
    if header is None:
        raise FileError(1, "the file is empty: a header line is expected")


def _header(cells: list[str], line: int, known_columns: frozenset[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    if "record" not in names:
        raise FileError(line, "the header has no 'record' column", "record")
    for name in names:
        if name not in known_columns:
            raise FileError(line, f"unknown column '{name}'", name)
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise FileError(line, f"column '{sorted(duplicates)[0]}' appears twice")
    return names


def _cells(header: list[str], cells: list[str], list_columns: frozenset[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, written in zip(header, cells, strict=True):
        # What the export neutralised (shared.csv_cells) reads back as it was.
        text = restore(written.strip())
        if not text:
            continue
        if name in list_columns:
            values[name] = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
        else:
            values[name] = text
    return values


async def read_jsonl(chunks: AsyncIterable[bytes]) -> AsyncIterator[list[RawRow]]:
    """Rows of a JSON Lines file, a chunk's worth at a time: one JSON object per line; blank
    lines are skipped and ``null`` values left out."""
    async for lines in _lines(chunks):
        rows: list[RawRow] = []
        for number, line in lines:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append(RawRow(number, error=f"not JSON: {exc.msg} at column {exc.colno}"))
                continue
            if not isinstance(value, dict):
                rows.append(RawRow(number, error="each line must be a JSON object"))
                continue
            rows.append(RawRow(number, {k: v for k, v in value.items() if v is not None}))
        if rows:
            yield rows


def csv_line(columns: Iterable[str], values: Mapping[str, Any]) -> str:
    """One CSV line of ``values`` in the order of ``columns`` (lists joined with ``|``), every
    cell safe to open in a spreadsheet (see :mod:`shared.csv_cells`)."""
    buffer = io.StringIO()
    cells = []
    for name in columns:
        value = values.get(name)
        if isinstance(value, list):
            value = LIST_SEPARATOR.join(str(item) for item in value)
        cells.append(cell(value))
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def json_line(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, default=str, separators=(",", ":")) + "\n"
