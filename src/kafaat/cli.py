"""``kafaat``: the platform's ops command line.

kafaat run        migrate, then run the four processes on loopback until Ctrl-C
kafaat migrate    upgrade every database to its latest migration
kafaat seed-demo  load the demo data of every service (idempotent)
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

from kafaat import launcher
from kafaat.platform import PROCESSES
from shared.migrations import upgrade


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
    """Load each package's demo data (``<package>.demo.seed``); safe to run again."""
    for process in PROCESSES:
        try:
            demo = importlib.import_module(f"{process.name}.demo")
        except ModuleNotFoundError:
            continue
        print(f"seeding demo data into {process.name}", flush=True)
        asyncio.run(demo.seed(database_url(process.env_prefix, process.name)))
    return 0


def run(args: argparse.Namespace) -> int:
    migrate(args)
    if args.demo:
        seed_demo(args)
    ports = {p.name: p.default_port + args.port_offset for p in PROCESSES}
    running = launcher.start(ports, {}, host=args.host)
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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kafaat", description="Kafaat platform operations")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="migrate and run the whole platform on loopback")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port-offset", type=int, default=0)
    run_parser.add_argument("--demo", action="store_true", help="load demo data first")
    run_parser.set_defaults(handler=run)
    commands.add_parser("migrate", help="upgrade every database").set_defaults(handler=migrate)
    commands.add_parser("seed-demo", help="load demo data").set_defaults(handler=seed_demo)
    args = parser.parse_args(argv)
    sys.exit(args.handler(args))
