"""``kafaat-beneficiaries migrate | serve | verify-audit | rotate-keys``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from beneficiaries.audit import service as audit_service
from beneficiaries.encryption import Vault
from beneficiaries.people import repository as people_repository
from beneficiaries.people.rotation import Rotation, rotate_keys
from beneficiaries.settings import Settings
from shared.cli import service_cli
from shared.db import create_engine, create_sessionmaker
from shared.progress import progress

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def _database_url(settings: Settings) -> str:
    return settings.database_url or settings.default_sqlite_url("beneficiaries")


async def _verify(settings: Settings) -> audit_service.Verification:
    engine = create_engine(_database_url(settings))
    try:
        async with create_sessionmaker(engine)() as db:
            total = await audit_service.entry_count(db)
            with progress("verifying the audit trail", total, unit="entries") as advance:
                return await audit_service.verify(db, on_batch=advance)
    finally:
        await engine.dispose()


def verify_audit(args: argparse.Namespace) -> int:
    """Exit 0 when the whole chain holds; 1 naming the first bad sequence number."""
    result = asyncio.run(_verify(Settings()))
    if result.intact:
        print(f"audit trail intact: {result.checked} entries")
        return 0
    print(
        f"audit trail broken at sequence {result.first_bad_sequence}: {result.reason} "
        f"({result.checked} entries before it are intact)",
        file=sys.stderr,
    )
    return 1


async def _rotate(settings: Settings, batch: int) -> Rotation:
    vault = Vault.from_settings(settings)
    engine = create_engine(_database_url(settings))
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as db:
            total = await people_repository.count_not_under_key(db, vault.active_key_id)
        with progress("re-encrypting identifiers", total, unit="people") as advance:
            done = 0

            def on_batch(rotation: Rotation) -> None:
                nonlocal done
                advance(rotation.rewritten + rotation.skipped - done)
                done = rotation.rewritten + rotation.skipped

            return await rotate_keys(sessionmaker, vault, batch=batch, on_batch=on_batch)
    finally:
        await engine.dispose()


def rotate(args: argparse.Namespace) -> int:
    settings = Settings()
    rotation = asyncio.run(_rotate(settings, args.batch))
    print(
        f"re-encrypted {rotation.rewritten} people under key "
        f"'{Vault.from_settings(settings).active_key_id}' "
        f"({rotation.skipped} changed meanwhile, already current)"
    )
    return 0


def _extra(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = commands.add_parser(
        "verify-audit", help="check the audit trail's hash chain (exit 1 at the first break)"
    )
    verify.set_defaults(handler=verify_audit)
    rotation = commands.add_parser(
        "rotate-keys", help="re-encrypt identifiers under the active key (resumable)"
    )
    rotation.add_argument("--batch", type=int, default=500, help="people per transaction")
    rotation.set_defaults(handler=rotate)


run = service_cli("beneficiaries", Settings, SERVICE_ROOT, default_port=8002, extra=_extra)


def main() -> None:
    sys.exit(run(None))
