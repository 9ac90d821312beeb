"""The database's own refusal to change the audit trail: triggers on ``audit_entry`` and
``audit_entry_record`` that abort any UPDATE or DELETE, on PostgreSQL and SQLite alike.

The migration that creates them (0003) holds its own copy of these statements, as migrations
never change; the tests use these to empty the tables between tests on SQLite (PostgreSQL's
TRUNCATE fires no row trigger).
"""

from __future__ import annotations

TABLES = ("audit_entry", "audit_entry_record")
MESSAGE = "the audit trail is append-only"


def sqlite_triggers() -> list[tuple[str, str]]:
    """(name, CREATE statement) of each SQLite trigger."""
    return [
        (
            f"{table}_no_{operation.lower()}",
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        )
        for table in TABLES
        for operation in ("UPDATE", "DELETE")
    ]
