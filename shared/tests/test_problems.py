"""Every error is RFC 9457 problem+json; nothing of a stack trace leaves the process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date

import httpx2
import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from shared.problems import install_problem_handlers
from shared.testing import asgi_client


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: date
    seats_total: int = Field(ge=1)


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3)
    sessions: list[SessionIn] = []


router = APIRouter()


@router.post("/offers", status_code=201)
async def create_offer(offer: OfferIn) -> OfferIn:
    return offer


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("secret connection string postgres://admin:hunter2@db")


@router.get("/teapot")
async def teapot() -> None:
    raise HTTPException(418, "Short and stout")


def build() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    async with asgi_client(build()) as client:
        yield client


async def test_unknown_field_is_named(client: httpx2.AsyncClient) -> None:
    response = await client.post("/offers", json={"title": "Soudure", "colour": "red"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == "Invalid request"
    assert [e["field"] for e in problem["errors"]] == ["body.colour"]
    assert "body.colour" in problem["detail"]


async def test_wrong_type_in_a_nested_field_is_named(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/offers",
        json={
            "title": "Soudure",
            "sessions": [{"start_date": "2027-01-10", "seats_total": "many"}],
        },
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.sessions.0.seats_total"
    assert "integer" in error["reason"]


async def test_malformed_json_is_422_not_500(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/offers", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_http_errors_are_problems(client: httpx2.AsyncClient) -> None:
    teapot = await client.get("/teapot")
    assert teapot.status_code == 418
    # An HTTPException's own detail is free text no catalogue translates: the problem has the
    # status's code and title only.
    assert teapot.json() == {
        "type": "about:blank",
        "title": "I'm a Teapot",
        "status": 418,
        "code": "http_418",
    }
    missing = await client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_method = await client.delete("/offers")
    assert wrong_method.status_code == 405


async def test_unexpected_error_is_a_generic_500_and_logged(
    client: httpx2.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kafaat.errors"):
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["type"].endswith("/internal")
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)
