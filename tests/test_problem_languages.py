"""Problems in the caller's language across the platform: a service's problem passed on by the
gateway's proxy, and the gateway's own, French unless Accept-Language asks for Arabic or
English, always with the same codes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from kafaat.testing import Platform


@pytest.fixture
async def bare() -> AsyncIterator[httpx2.AsyncClient]:
    """A client sending no Accept-Language (the ``http`` fixture asks for English)."""
    async with httpx2.AsyncClient(timeout=10.0, trust_env=False) as client:
        yield client


def _localised(response: httpx2.Response, language: str) -> dict[str, object]:
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] == language
    assert "accept-language" in response.headers["vary"].lower()
    problem: dict[str, object] = response.json()
    return problem


async def test_a_service_problem_through_the_proxy(
    platform: Platform, bare: httpx2.AsyncClient
) -> None:
    url = platform.base_url + "/api/v1/offers?limit=500"
    french = _localised(await bare.get(url), "fr")
    arabic = _localised(await bare.get(url, headers={"Accept-Language": "ar"}), "ar")
    english = _localised(await bare.get(url, headers={"Accept-Language": "en-GB, fr;q=0.5"}), "en")
    assert french["errors"] == [
        {
            "field": "query.limit",
            "reason": "La valeur doit être inférieure ou égale à 200",
            "code": "less_than_equal",
        }
    ]
    assert arabic["errors"] == [
        {
            "field": "query.limit",
            "reason": "يجب أن تكون القيمة أصغر من 200 أو مساوية له",
            "code": "less_than_equal",
        }
    ]
    assert english["title"] == "Invalid request"
    assert {p["code"] for p in (french, arabic, english)} == {"validation"}


async def test_the_gateway_s_own_problems(platform: Platform, bare: httpx2.AsyncClient) -> None:
    # Refused by the proxy before any service is called: a token that is no token.
    junk = {"Authorization": "Bearer junk"}
    offers = platform.base_url + "/api/v1/offers"
    french = _localised(await bare.get(offers, headers=junk), "fr")
    arabic = _localised(await bare.get(offers, headers=junk | {"Accept-Language": "ar"}), "ar")
    assert french["code"] == arabic["code"] == "access_token_invalid"
    assert str(french["detail"]).startswith("Le jeton d'accès n'est pas valide")
    assert str(arabic["detail"]).startswith("رمز الوصول غير صالح")
    # A route of the gateway's own, for an anonymous caller.
    users = platform.base_url + "/api/v1/users"
    signed_out = _localised(await bare.get(users, headers={"Accept-Language": "ar"}), "ar")
    assert signed_out["code"] == "sign_in_required"
    assert signed_out["title"] == "غير مُصادَق عليه"
    english = _localised(await bare.get(users, headers={"Accept-Language": "en"}), "en")
    assert english["detail"] == "Sign in, or use an API client token, to call this route."


async def test_the_codes_are_documented_by_the_gateway(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    page = await http.get(platform.base_url + "/api/v1/problem-codes")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/markdown")
    assert "| `less_than_equal` | La valeur doit être inférieure ou égale à {le} |" in page.text
    document = (await http.get(platform.base_url + "/api/v1/openapi.json")).json()
    assert "(/api/v1/problem-codes)" in document["info"]["description"]
