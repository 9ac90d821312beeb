"""The offers service answers its problems in the caller's language (French by default)."""

from __future__ import annotations

from uuid import uuid4

import httpx2

from .factories import SESSION
from .helpers import Api


async def _without_language(api: Api, path: str) -> httpx2.Response:
    # The test kit's client asks for English: this request asks for nothing.
    request = api.client.build_request("GET", path, headers=api.headers())
    del request.headers["accept-language"]
    return await api.client.send(request)


async def test_a_validation_problem_is_french_by_default(api: Api) -> None:
    response = await _without_language(api, "/v1/offers?limit=500")
    assert response.status_code == 422
    assert response.headers["content-language"] == "fr"
    assert "accept-language" in response.headers["vary"].lower()
    problem = response.json()
    assert (problem["code"], problem["title"]) == ("validation", "Requête invalide")
    assert problem["errors"] == [
        {
            "field": "query.limit",
            "reason": "La valeur doit être inférieure ou égale à 200",
            "code": "less_than_equal",
        }
    ]


async def test_arabic_and_english_on_request_with_the_same_codes(api: Api) -> None:
    missing = f"/v1/offers/{uuid4()}"
    arabic = await api.request("GET", missing, headers={"Accept-Language": "ar;q=0.9, en;q=0.8"})
    english = await api.request("GET", missing, headers={"Accept-Language": "en"})
    assert arabic.status_code == english.status_code == 404
    assert arabic.headers["content-language"] == "ar"
    assert english.headers["content-language"] == "en"
    assert arabic.json()["code"] == english.json()["code"] == "not_found"
    assert arabic.json()["title"] == "غير موجود"
    assert arabic.json()["detail"].startswith("تعذّر العثور على عرض تدريبي")
    assert english.json()["detail"] == f"No offer has the id '{missing.rsplit('/', 1)[1]}'."


async def test_a_rule_of_the_service_is_translated_with_its_values(api: Api) -> None:
    offer = await api.offer()
    body = {"offer_id": offer["id"], "start_date": "2027-03-10", "end_date": "2027-03-01"}
    session = {**SESSION, **body}
    response = await api.request(
        "POST", "/v1/sessions", json=session, headers={"Accept-Language": "fr-MA"}
    )
    assert response.status_code == 422
    (error,) = [e for e in response.json()["errors"] if e["field"] == "body.end_date"]
    assert error == {
        "field": "body.end_date",
        "reason": "la session se termine (2027-03-01) avant de commencer (2027-03-10)",
        "code": "session_ends_before_start",
    }
