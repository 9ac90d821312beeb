"""A deprecated operation says so in the document (generated clients flag its calls) and on
every answer (``Deprecation``, RFC 9745; ``Sunset``, RFC 8594), from one route flag."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pytest
from fastapi import APIRouter, FastAPI

from shared.auth import public
from shared.deprecation import deprecated
from shared.openapi import install_openapi

SINCE = datetime(2026, 12, 1, tzinfo=UTC)
SUNSET = datetime(2027, 6, 30, tzinfo=UTC)
router = APIRouter(tags=["things"])


@router.get(
    "/v1/old-things",
    dependencies=[deprecated(SINCE, sunset=SUNSET, link="/api/v1/changelog")],
)
@public
async def old_things() -> list[str]:
    return []


@router.get("/v1/things")
@public
async def things() -> list[str]:
    return []


def application() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    install_openapi(app)
    return app


async def test_a_deprecated_route_answers_with_the_deprecation_headers() -> None:
    transport = httpx2.ASGITransport(app=application())
    async with httpx2.AsyncClient(transport=transport, base_url="http://x") as client:
        old = await client.get("/v1/old-things")
        current = await client.get("/v1/things")
    assert old.status_code == 200
    assert old.headers["deprecation"] == f"@{int(SINCE.timestamp())}" == "@1796083200"
    assert old.headers["sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert old.headers["link"] == '</api/v1/changelog>; rel="deprecation"'
    assert "deprecation" not in current.headers


def test_the_document_marks_the_operation_deprecated_and_its_headers() -> None:
    document = application().openapi()
    old = document["paths"]["/v1/old-things"]["get"]
    assert old["deprecated"] is True
    assert set(old["responses"]["200"]["headers"]) == {"Deprecation", "Sunset", "Link"}
    assert "Deprecation" in document["components"]["headers"]
    assert "deprecated" not in document["paths"]["/v1/things"]["get"]


def test_deprecation_dates_carry_their_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        deprecated(datetime(2026, 12, 1))
