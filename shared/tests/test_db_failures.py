"""Which database errors mean "not now" (503 with Retry-After) and which are bugs (500)."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import APIRouter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from shared.app import create_base_app
from shared.auth import public
from shared.db_failures import unavailable
from shared.settings import BaseServiceSettings
from shared.testing import asgi_client


def failure(statement: str, *setup: str) -> DBAPIError:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO item VALUES (1)"))
        for line in setup:
            connection.execute(text(line))
        with pytest.raises(DBAPIError) as raised:
            connection.execute(text(statement))
    return raised.value


def test_a_read_only_database_is_unavailable() -> None:
    assert unavailable(failure("INSERT INTO item VALUES (2)", "PRAGMA query_only = ON"))


def test_a_full_database_is_unavailable() -> None:
    def fill(connection: Connection) -> None:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
        connection.execute(text(f"PRAGMA max_page_count = {pages}"))

    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT)"))
        fill(connection)
        with pytest.raises(DBAPIError) as raised:
            connection.execute(text("INSERT INTO item VALUES (1, zeroblob(100000))"))
    assert unavailable(raised.value)


def test_bugs_are_not_unavailability() -> None:
    assert not unavailable(failure("INSERT INTO item VALUES (1)"))  # a taken key
    assert not unavailable(failure("SELECT * FROM nowhere"))
    assert not unavailable(ValueError("not a database error"))


async def test_the_answers_are_503_with_retry_after_and_500_for_bugs() -> None:
    router = APIRouter()

    @router.get("/read-only")
    @public
    async def read_only() -> None:
        raise failure("INSERT INTO item VALUES (2)", "PRAGMA query_only = ON")

    @router.get("/bug")
    @public
    async def bug() -> None:
        raise failure("INSERT INTO item VALUES (1)")

    settings = BaseServiceSettings(database_url="sqlite+aiosqlite://", log_json=False)
    app = create_base_app(
        service="test", title="test", description="", settings=settings, routers=[router]
    )
    async with asgi_client(app) as client:
        unavailable_answer: httpx2.Response = await client.get("/read-only")
        bug_answer = await client.get("/bug")
    assert unavailable_answer.status_code == 503
    assert unavailable_answer.headers["content-type"] == "application/problem+json"
    assert unavailable_answer.headers["retry-after"] == "5"
    assert "sqlite" not in unavailable_answer.text.lower()
    assert bug_answer.status_code == 500
    assert bug_answer.json()["type"].endswith("/internal")
