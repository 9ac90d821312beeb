"""Database failures that say "not now" answer 503 problem+json with ``Retry-After``, not 500.

A database that is read-only (a replica promoted late, ``default_transaction_read_only``, a file
opened read-only), full (its disk, its ``max_page_count``), restarting, refusing connections, or
whose pool is exhausted has not met a bug: the same request succeeds once it is back, and nothing
of it was written (the request's transaction is rolled back). The client is told to retry; the
log keeps the database's own message. Every other database error stays a 500.
"""

from __future__ import annotations

import logging
import sqlite3

from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.responses import Response

from shared.problems import problem_response

RETRY_AFTER_SECONDS = 5
logger = logging.getLogger("kafaat.database")

# PostgreSQL SQLSTATE classes and codes (Appendix A of its manual) that mean "unavailable".
_UNAVAILABLE_SQLSTATE_CLASSES = (
    "08",  # connection exception
    "53",  # insufficient resources: disk full, out of memory, too many connections
    "58",  # system error: I/O error
)
_UNAVAILABLE_SQLSTATES = frozenset(
    {
        "25006",  # read_only_sql_transaction
        "57P01",  # admin_shutdown (the server is stopping, or pg_terminate_backend)
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up, in recovery)
    }
)
# SQLite primary result codes that mean the same for a database file.
_UNAVAILABLE_SQLITE_CODES = frozenset(
    {
        5,  # SQLITE_BUSY: still locked once busy_timeout ran out
        6,  # SQLITE_LOCKED
        8,  # SQLITE_READONLY
        10,  # SQLITE_IOERR
        13,  # SQLITE_FULL
        14,  # SQLITE_CANTOPEN
    }
)


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve the request for now (see the module)."""
    if isinstance(exc, PoolTimeoutError | ConnectionRefusedError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    original = exc.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if isinstance(sqlstate, str):
        return sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    cause = (
        original
        if isinstance(original, sqlite3.Error)
        else original.__cause__
        if original
        else None
    )
    if isinstance(cause, sqlite3.Error):
        return (cause.sqlite_errorcode & 0xFF) in _UNAVAILABLE_SQLITE_CODES
    return False


def database_unavailable() -> Response:
    return problem_response(
        503,
        "database_unavailable",
        slug="database-unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_database_error(request: Request, exc: Exception) -> Response:
    if not unavailable(exc):
        raise exc  # a bug: the 500 of shared.problems, its trace in the log only
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return database_unavailable()


def install_database_failure_handlers(app: FastAPI) -> None:
    for kind in (DBAPIError, PoolTimeoutError, ConnectionRefusedError):
        app.add_exception_handler(kind, _on_database_error)
