"""``kafaat-offers migrate | serve | import FILE``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TextIO

from offers.exchange.formats import FileFormat
from offers.exchange.pipeline import ImportConflict, Importer, rows_of
from offers.exchange.schemas import ImportMode, ImportReport
from offers.settings import Settings
from shared.cli import service_cli
from shared.db import create_engine, create_sessionmaker
from shared.principal import Principal, Role

SERVICE_ROOT = Path(__file__).resolve().parents[2]
CHUNK_BYTES = 256 * 1024
LISTED_ERRORS = 20


class ProgressBar:
    """Bytes read of the file and rows imported, redrawn at most ten times a second (a line per
    tenth of the file when the output is not a terminal)."""

    def __init__(self, total_bytes: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total = max(total_bytes, 1)
        self.stream = stream
        self.width = width
        self.bytes_read = 0
        self.rows = 0
        self.started = time.perf_counter()
        self.drawn_at = 0.0
        self.last_tenth = -1
        self.interactive = stream.isatty()

    def advance(self, bytes_read: int) -> None:
        self.bytes_read += bytes_read
        self.draw()

    def set_rows(self, rows: int) -> None:
        self.rows = rows
        self.draw()

    def line(self) -> str:
        fraction = min(self.bytes_read / self.total, 1.0)
        filled = int(fraction * self.width)
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        bar = "#" * filled + "." * (self.width - filled)
        return f"[{bar}] {fraction:4.0%}  {self.rows:,} rows  {self.rows / elapsed:,.0f} rows/s"

    def draw(self, final: bool = False) -> None:
        now = time.perf_counter()
        if self.interactive:
            if final or now - self.drawn_at >= 0.1:
                self.drawn_at = now
                self.stream.write("\r" + self.line() + ("\n" if final else ""))
                self.stream.flush()
            return
        tenth = int(10 * self.bytes_read / self.total)
        if final or tenth > self.last_tenth:
            self.last_tenth = tenth
            self.stream.write(self.line() + "\n")
            self.stream.flush()


async def _chunks(path: Path, progress: ProgressBar) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            progress.advance(len(chunk))
            yield chunk
            await asyncio.sleep(0)


def _format_of(args: argparse.Namespace) -> FileFormat:
    if args.format:
        return FileFormat(args.format)
    suffix = args.file.suffix.lower()
    return FileFormat.CSV if suffix == ".csv" else FileFormat.JSONL


async def _import(args: argparse.Namespace) -> ImportReport:
    settings = Settings()
    url = args.database_url or settings.database_url or settings.default_sqlite_url("offers")
    engine = create_engine(url)
    # The command line is an operator's tool with direct database access: it acts as an admin.
    principal = Principal(subject=f"cli:{getpass.getuser()}", kind="user", role=Role.ADMIN)
    progress = ProgressBar(args.file.stat().st_size)
    try:
        importer = Importer(
            create_sessionmaker(engine),
            principal,
            mode=ImportMode(args.mode),
            dry_run=args.dry_run,
            default_source=args.source,
            on_progress=progress.set_rows,
        )
        report = await importer.run(rows_of(_format_of(args), _chunks(args.file, progress)))
    finally:
        await engine.dispose()
    progress.draw(final=True)
    return report


def _summary(report: ImportReport) -> str:
    if report.dry_run:
        outcome = "dry run, nothing written"
    elif report.committed:
        outcome = "changes written"
    else:
        outcome = "nothing written: fix the errors and import again"
    lines = [f"{report.rows:,} rows read; {outcome}"]
    for name in ("providers", "offers", "sessions"):
        counts = getattr(report, name)
        lines.append(
            f"  {name:<9} {counts.created:>7,} created {counts.updated:>7,} updated "
            f"{counts.unchanged:>7,} unchanged {counts.rejected:>7,} rejected"
        )
    lines.append(f"  {report.error_count:,} errors, {report.warning_count:,} warnings")
    for issue in report.errors[:LISTED_ERRORS]:
        where = f"line {issue.line}" + (f", {issue.field}" if issue.field else "")
        lines.append(f"  error {where}: {issue.reason}")
    if report.error_count > LISTED_ERRORS:
        lines.append(f"  … {report.error_count - LISTED_ERRORS:,} more (see --report)")
    return "\n".join(lines)


def import_file(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(_import(args))
    except ImportConflict:
        print("a concurrent change conflicted with the import; run it again", file=sys.stderr)
        return 1
    if args.report:
        args.report.write_text(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
    print(_summary(report))
    return 1 if report.error_count else 0


def _add_import(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "import", help="import providers, offers and sessions from a CSV or JSON Lines file"
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--format", choices=[f.value for f in FileFormat], help="default: .csv")
    parser.add_argument(
        "--mode", choices=[m.value for m in ImportMode], default=ImportMode.ALL_OR_NOTHING.value
    )
    parser.add_argument("--dry-run", action="store_true", help="validate and count only")
    parser.add_argument("--source", help="source of the rows without a source cell")
    parser.add_argument("--report", type=Path, help="write the whole JSON report here")
    parser.add_argument("--database-url", help="default: KAFAAT_OFFERS_DATABASE_URL")
    parser.set_defaults(handler=import_file)


run = service_cli("offers", Settings, SERVICE_ROOT, default_port=8001, extra=_add_import)


def main() -> None:
    sys.exit(run(None))
