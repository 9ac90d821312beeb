from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

from shared.concurrency import check_if_match, conditional, etag
from shared.problems import ProblemError


def test_if_match_accepts_current_star_or_absent() -> None:
    check_if_match(None, 3)
    check_if_match('"3"', 3)
    check_if_match('W/"3"', 3)
    check_if_match('"1", "3"', 3)
    check_if_match("*", 3)


def test_stale_if_match_is_412_with_current_etag() -> None:
    with pytest.raises(ProblemError) as stale:
        check_if_match('"2"', 3)
    assert stale.value.status == 412
    assert stale.value.headers == {"ETag": etag(3)}


class Figures(BaseModel):
    region: str
    seats: int


def _app() -> FastAPI:
    app = FastAPI()
    state = {"seats": 12}

    @app.get("/figures")
    async def figures(request: Request) -> Response:
        return conditional(request, Figures(region="01", seats=state["seats"]))

    @app.post("/seats")
    async def more() -> None:
        state["seats"] += 1

    return app


async def test_a_computed_answer_is_revalidated_with_its_etag() -> None:
    transport = httpx2.ASGITransport(app=_app())
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        first = await client.get("/figures")
        assert first.json() == {"region": "01", "seats": 12}
        tag = first.headers["etag"]
        assert first.headers["cache-control"] == "private, no-cache"
        same = await client.get("/figures", headers={"If-None-Match": tag})
        assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", tag)
        assert (
            await client.get("/figures", headers={"If-None-Match": f'"x", W/{tag}'})
        ).status_code == 304
        await client.post("/seats")
        changed = await client.get("/figures", headers={"If-None-Match": tag})
        assert changed.status_code == 200
        assert changed.json()["seats"] == 13
        assert changed.headers["etag"] != tag
