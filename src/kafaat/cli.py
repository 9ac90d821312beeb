"""``kafaat``: the platform's ops command line.

kafaat run                    migrate, then run the four processes on loopback until Ctrl-C,
                              one readable log line per request per process
kafaat migrate                upgrade every database to its latest migration
kafaat seed-demo              load the demo data of every service (idempotent); ``--scale
                              national`` generates the whole country's, for benchmarks
kafaat create-admin --email   create the first administrator (``kafaat-gateway create-admin``)
kafaat import-offers FILE     import training offers (``kafaat-offers import``)
kafaat backup --dir DIR       dump every database (PostgreSQL custom format, or SQLite copies)
kafaat restore --dir DIR      put them back (``--yes``: it replaces the databases' content)

Each process's database comes from its own ``KAFAAT_<PROCESS>_DATABASE_URL``, as when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from kafaat import backup as backups
from kafaat import launcher
from kafaat.platform import PROCESSES
from shared.demo import Scale
from shared.migrations import upgrade

# Commands that belong to one process's own command line, run here under the platform's name.
DELEGATED = {
    "create-admin": ("gateway", "create-admin", "create the first administrator"),
    "import-offers": ("offers", "import", "import providers, offers and sessions from a file"),
}


def database_url(env_prefix: str, name: str) -> str:
    url = os.environ.get(f"{env_prefix}DATABASE_URL")
    var_dir = Path(os.environ.get(f"{env_prefix}VAR_DIR", "var"))
    return url or f"sqlite+aiosqlite:///{var_dir / (name + '.db')}"


def migrate(args: argparse.Namespace) -> int:
    for process in PROCESSES:
        url = database_url(process.env_prefix, process.name)
        print(f"migrating {process.name} ({url.split('://', 1)[0]})", flush=True)
        upgrade(process.root, url)
    return 0


def seed_demo(args: argparse.Namespace) -> int:
    """Load each package's demo data (``<package>.demo.seed``) at the scale asked; safe to
    run again."""
    scale = Scale(getattr(args, "scale", Scale.PILOT))
    if scale is Scale.NATIONAL:
        embedded = [
            p.name for p in PROCESSES if database_url(p.env_prefix, p.name).startswith("sqlite")
        ]
        if embedded:
            print(
                "the national demo data (100,000 offers, 1,000,000 people, 10,000 partners) is "
                f"generated on PostgreSQL: {', '.join(embedded)} run on SQLite; set their "
                "KAFAAT_<PROCESS>_DATABASE_URL to postgresql+asyncpg:// databases, or load the "
                "pilot's (kafaat seed-demo)",
                file=sys.stderr,
            )
            return 2
    for process in PROCESSES:
        try:
            demo = importlib.import_module(f"{process.name}.demo")
        except ModuleNotFoundError:
            continue
        print(f"seeding {scale} demo data into {process.name}", flush=True)
        asyncio.run(demo.seed(database_url(process.env_prefix, process.name), scale))
    return 0


def run(args: argparse.Namespace) -> int:
    migrate(args)
    if args.demo:
        seed_demo(args)
    ports = {p.name: p.default_port + args.port_offset for p in PROCESSES}
    # A person watches this terminal: readable lines, not JSON (images and production keep JSON).
    running = launcher.start(ports, launcher.console_environment(os.environ), host=args.host)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    base = f"http://{args.host}:{ports['gateway']}"
    try:
        if not launcher.wait_ready(base, running, timeout=60):
            print("the platform did not become ready within 60 s", file=sys.stderr)
            return 1
        print(
            f"\nKafaat is running.\n"
            f"  API            {base}/api/v1/\n"
            f"  Documentation  {base}/docs\n"
            f"  Status         {base}/api/v1/status\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while not stopping.is_set():
            for item in running:
                if item.popen.poll() is not None:
                    print(f"{item.process.name} stopped unexpectedly", file=sys.stderr)
                    return 1
            stopping.wait(0.5)
        return 0
    finally:
        print("stopping…", flush=True)
        launcher.stop(running)


def _targets(args: argparse.Namespace) -> list[backups.Target]:
    selected = [p for p in PROCESSES if not args.only or p.name in args.only]
    return [backups.target(p, database_url(p.env_prefix, p.name)) for p in selected]


def backup(args: argparse.Namespace) -> int:
    try:
        manifest = backups.backup(_targets(args), args.dir)
    except backups.BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    for name, entry in manifest["databases"].items():
        revisions = ", ".join(entry["alembic_revisions"]) or "no migration"
        print(f"{name}: {args.dir / entry['file']} ({entry['bytes']:,} bytes, at {revisions})")
    return 0


def restore(args: argparse.Namespace) -> int:
    try:
        targets = _targets(args)
        backups.check(targets, args.dir)
        if not args.yes:
            names = ", ".join(t.name for t in targets)
            print(
                f"the backup in {args.dir} is complete; restoring replaces the content of the "
                f"{names} databases: stop the processes, then run again with --yes",
                file=sys.stderr,
            )
            return 2
        restored = backups.restore(targets, args.dir)
    except backups.BackupError as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    for name, revisions in restored.items():
        print(f"{name}: restored, at {', '.join(revisions) or 'no migration'}")
    return 0


def delegate(command: str, arguments: Sequence[str]) -> int:
    process, subcommand, _ = DELEGATED[command]
    module = importlib.import_module(f"{process}.cli")
    result: int = module.run([subcommand, *arguments])
    return result


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in DELEGATED:
        # The process's own parser reads the rest (and answers --help).
        sys.exit(delegate(arguments[0], arguments[1:]))
    parser = argparse.ArgumentParser(prog="kafaat", description="Kafaat platform operations")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="migrate and run the whole platform on loopback")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port-offset", type=int, default=0)
    run_parser.add_argument("--demo", action="store_true", help="load demo data first")
    run_parser.set_defaults(handler=run)
    commands.add_parser("migrate", help="upgrade every database").set_defaults(handler=migrate)
    seed_parser = commands.add_parser("seed-demo", help="load demo data")
    seed_parser.add_argument(
        "--scale",
        choices=[scale.value for scale in Scale],
        default=Scale.PILOT.value,
        help="pilot: the programme's two pilot regions (make run); national: the whole country",
    )
    seed_parser.set_defaults(handler=seed_demo)
    for command, (process, subcommand, description) in DELEGATED.items():
        commands.add_parser(command, help=f"{description} (kafaat-{process} {subcommand})")
    names = [p.name for p in PROCESSES]
    for command, handler, description in (
        ("backup", backup, "dump every database into a directory"),
        ("restore", restore, "replace every database's content with a backup's"),
    ):
        sub = commands.add_parser(command, help=description)
        sub.add_argument("--dir", type=Path, required=True, help="the backup's directory")
        sub.add_argument(
            "--only", action="append", choices=names, help="this process only (repeatable)"
        )
        if command == "restore":
            sub.add_argument("--yes", action="store_true", help="really replace the content")
        sub.set_defaults(handler=handler)
    args = parser.parse_args(arguments)
    sys.exit(args.handler(args))
