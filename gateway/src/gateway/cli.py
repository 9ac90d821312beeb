"""``kafaat-gateway migrate | serve | create-admin``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from gateway.identity import service
from gateway.identity.dependencies import passwords_for
from gateway.identity.passwords import policy_problems
from gateway.identity.scopes import UserScope
from gateway.settings import Settings
from shared.cli import service_cli
from shared.db import create_engine, create_sessionmaker
from shared.principal import Role
from shared.problems import reason_text

SERVICE_ROOT = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "KAFAAT_ADMIN_PASSWORD"


def _read_password() -> str | None:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        print(f"set {PASSWORD_ENV} or run on a terminal to be asked", file=sys.stderr)
        return None
    password = getpass.getpass("Password for the administrator: ")
    if getpass.getpass("Once more: ") != password:
        print("the two passwords differ", file=sys.stderr)
        return None
    return password


async def create_admin(settings: Settings, email: str, full_name: str, password: str) -> bool:
    """Create an administrator; False when the email is taken."""
    engine = create_engine(settings.database_url or settings.default_sqlite_url("gateway"))
    try:
        async with create_sessionmaker(engine)() as session:
            user = await service.add_account(
                session,
                passwords_for(settings),
                email=email,
                full_name=full_name,
                password=password,
                scope=UserScope(role=Role.ADMIN),
            )
            await session.commit()
            return user is not None
    finally:
        await engine.dispose()


def create_admin_command(args: argparse.Namespace) -> int:
    password = _read_password()
    if password is None:
        return 2
    problems = policy_problems(password, args.email, field="password")
    if problems:
        for _, reason in problems:
            print(f"the password {reason_text(reason)}", file=sys.stderr)
        return 2
    try:
        created = asyncio.run(create_admin(Settings(), args.email, args.full_name, password))
    except DBAPIError as exc:
        print(
            f"the identity database is not ready ({exc.orig!r}): run "
            "'kafaat-gateway migrate' first",
            file=sys.stderr,
        )
        return 1
    if not created:
        print(f"an account with the email {args.email} exists already", file=sys.stderr)
        return 1
    print(f"administrator {args.email} created")
    return 0


def _commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "create-admin",
        help=f"create an administrator (password from {PASSWORD_ENV} or asked on the terminal)",
    )
    parser.add_argument("--email", required=True)
    parser.add_argument("--full-name", default="Administrator")
    parser.set_defaults(handler=create_admin_command)


run = service_cli("gateway", Settings, SERVICE_ROOT, default_port=8000, extra=_commands)


def main() -> None:
    sys.exit(run(None))
