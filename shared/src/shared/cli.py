"""The command line every service shares: ``migrate`` and ``serve``.

A service adds its own commands with :func:`service_cli`'s ``extra`` hook.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from shared.migrations import upgrade
from shared.settings import BaseServiceSettings

Command = Callable[[argparse.Namespace], int]


def service_cli(
    service: str,
    settings_factory: Callable[[], BaseServiceSettings],
    service_root: Path,
    *,
    default_port: int,
    extra: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None = None,
) -> Callable[[Sequence[str] | None], int]:
    """``kafaat-<service>``: ``migrate`` (Alembic under ``service_root``) and ``serve``
    (uvicorn on ``<service>.main:create_app``), plus what ``extra`` adds."""
    app_factory = f"{service}.main:create_app"

    def migrate(args: argparse.Namespace) -> int:
        settings = settings_factory()
        upgrade(service_root, settings.database_url or settings.default_sqlite_url(service))
        return 0

    def serve(args: argparse.Namespace) -> int:
        import uvicorn

        uvicorn.run(
            app_factory,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_graceful_shutdown=args.graceful_timeout,
            proxy_headers=False,
            server_header=False,
            access_log=False,
            log_config=None,
        )
        return 0

    def main(argv: Sequence[str] | None = None) -> int:
        parser = argparse.ArgumentParser(prog=f"kafaat-{service}")
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("migrate", help="upgrade the database to the latest migration")
        serve_parser = commands.add_parser("serve", help="run the HTTP server")
        serve_parser.add_argument("--host", default="127.0.0.1")
        serve_parser.add_argument("--port", type=int, default=default_port)
        serve_parser.add_argument("--workers", type=int, default=1)
        serve_parser.add_argument("--graceful-timeout", type=int, default=20)
        if extra is not None:
            extra(commands)
        args = parser.parse_args(argv)
        handlers: dict[str, Command] = {"migrate": migrate, "serve": serve}
        handler = handlers.get(args.command) or args.handler
        return handler(args)

    return main
