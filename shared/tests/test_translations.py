"""Problems in the caller's language: the negotiation, the catalogues and the answers."""

from __future__ import annotations

import re
import typing
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from babel.messages.plurals import get_plural
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field
from pydantic_core import core_schema
from pydantic_core._pydantic_core import list_all_errors

from shared.problems import ProblemError, install_problem_handlers, not_found, pydantic_context
from shared.translations import (
    CONTEXTS,
    LANGUAGES,
    Message,
    lookup,
    negotiate,
    placeholders,
    quantity,
    read_catalogue,
    render,
)

ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
LATIN_WORD = re.compile("[A-Za-zÀ-ÿ]{3,}")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "fr"),
        ("", "fr"),
        ("ar", "ar"),
        ("en", "en"),
        ("fr-MA", "fr"),
        ("ar-MA, fr;q=0.5", "ar"),
        ("ar;q=0.9, en;q=0.8", "ar"),
        ("en;q=0.5, ar", "ar"),
        ("de, en;q=0.1", "en"),
        ("de-DE, es", "fr"),
        ("*", "fr"),
        ("*, fr;q=0", "ar"),
        ("ar;q=0, *", "fr"),
        ("EN-gb", "en"),
        ("ar;q=abc, en", "en"),
        ("ar;q=0.000, en;q=0.001", "en"),
    ],
)
def test_accept_language_picks_the_language(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def _catalogues() -> dict[str, dict[tuple[str, str], object]]:
    return {
        language: {
            (
                str(message.context),
                str(message.id if isinstance(message.id, str) else message.id[0]),
            ): message.string
            for message in read_catalogue(language)
            if message.id
        }
        for language in LANGUAGES
    }


def test_the_three_catalogues_hold_the_same_messages() -> None:
    catalogues = _catalogues()
    english = set(catalogues["en"])
    for language, messages in catalogues.items():
        assert set(messages) == english, language
        assert {context for context, _ in messages} <= set(CONTEXTS)
        for key, string in messages.items():
            forms = [string] if isinstance(string, str) else list(typing.cast(list[str], string))
            assert all(forms), (language, key)


def test_translations_use_only_the_placeholders_the_code_fills() -> None:
    # The English message names every parameter the raising code gives; a translation may
    # leave one out (an English plural ending) but never invent one.
    for context, code in _catalogues()["en"]:
        english = lookup(context, code, "en")
        assert english is not None
        for language in ("fr", "ar"):
            translated = lookup(context, code, language)
            assert translated is not None
            assert placeholders(translated) <= placeholders(english), (language, code)


def test_translations_are_written_in_their_language() -> None:
    for context, code in _catalogues()["en"]:
        english, french, arabic = (
            lookup(context, code, language) for language in ("en", "fr", "ar")
        )
        text = str(english)
        if not LATIN_WORD.search(re.sub(r"\{\w+\}", "", text)):
            continue  # a bare placeholder, "{problem}"
        assert ARABIC_LETTER.search(str(arabic)), code
        assert french != english or context == "title" and code == "http_418", code


def test_every_pydantic_error_type_is_translated() -> None:
    for error_type in typing.get_args(core_schema.ErrorType):
        for language in LANGUAGES:
            assert lookup("reason", error_type, language), (error_type, language)


def test_plural_messages_have_every_form_of_their_language() -> None:
    for language in LANGUAGES:
        forms = lookup("unit", "minutes", language)
        assert isinstance(forms, tuple)
        assert len(forms) == get_plural(language).num_plurals
    assert render(quantity("minutes", 1), "en") == "1 minute"
    assert render(quantity("minutes", 15), "en") == "15 minutes"
    assert render(quantity("minutes", 2), "ar") == "دقيقتين"
    assert render(quantity("minutes", 5), "ar") == "5 دقائق"
    assert render(quantity("minutes", 15), "ar") == "15 دقيقة"
    assert render(quantity("minutes", 1), "fr") == "1 minute"


def test_a_message_is_filled_from_its_parameters_in_each_language() -> None:
    message = Message("less_than_equal", {"le": 200})
    assert render(message, "en") == "Input should be less than or equal to 200"
    assert render(message, "fr") == "La valeur doit être inférieure ou égale à 200"
    assert render(message, "ar") == "يجب أن تكون القيمة أصغر من 200 أو مساوية له"


class Limit(BaseModel):
    limit: int = Field(le=200)


router = APIRouter()


@router.post("/limits")
async def post_limit(body: Limit) -> Limit:
    return body


@router.get("/offers/{offer_id}")
async def get_offer(offer_id: str) -> None:
    raise not_found("offer", offer_id)


@router.get("/seats")
async def seats() -> None:
    raise ProblemError(409, "no_seats_left", params={"seats": 3, "remaining": 1, "total": 20})


@pytest.fixture
async def bare_client() -> AsyncIterator[httpx2.AsyncClient]:
    """A client that sends no Accept-Language of its own (the test kit's asks for English)."""
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_problems_are_french_by_default(bare_client: httpx2.AsyncClient) -> None:
    response = await bare_client.post("/limits", json={"limit": 500})
    assert response.status_code == 422
    assert response.headers["content-language"] == "fr"
    assert "accept-language" in response.headers["vary"].lower()
    problem = response.json()
    assert problem["title"] == "Requête invalide"
    assert problem["code"] == "validation"
    assert problem["detail"] == "La requête contient des champs invalides : body.limit"
    assert problem["errors"] == [
        {
            "field": "body.limit",
            "reason": "La valeur doit être inférieure ou égale à 200",
            "code": "less_than_equal",
        }
    ]


async def test_arabic_on_request(bare_client: httpx2.AsyncClient) -> None:
    response = await bare_client.post(
        "/limits", json={"limit": 500}, headers={"Accept-Language": "ar-MA, fr;q=0.8"}
    )
    assert response.headers["content-language"] == "ar"
    problem = response.json()
    assert problem["title"] == "طلب غير صالح"
    assert problem["errors"][0]["reason"] == "يجب أن تكون القيمة أصغر من 200 أو مساوية له"
    assert problem["errors"][0]["code"] == "less_than_equal"
    missing = await bare_client.get("/offers/x1", headers={"Accept-Language": "ar"})
    assert missing.json()["detail"] == "تعذّر العثور على عرض تدريبي بالمعرّف «x1»."
    assert missing.json()["code"] == "not_found"


async def test_english_on_request_and_the_same_codes(bare_client: httpx2.AsyncClient) -> None:
    answers = {
        language: (await bare_client.get("/seats", headers={"Accept-Language": language}))
        for language in ("en", "fr", "ar;q=1, en;q=0.5")
    }
    english = answers["en"].json()
    assert answers["en"].headers["content-language"] == "en"
    assert english["detail"] == "Not enough seats left: 3 asked, 1 of 20 left."
    assert english["title"] == "Conflict"
    assert answers["fr"].json()["detail"] == (
        "Pas assez de places : 3 demandées, il en reste 1 sur 20."
    )
    assert {answer.json()["code"] for answer in answers.values()} == {"no_seats_left"}
    assert {answer.json()["type"] for answer in answers.values()} == {"about:blank"}
    # Routes the application does not know are answered in the caller's language too.
    nowhere = await bare_client.get("/nowhere")
    assert (nowhere.status_code, nowhere.json()["title"]) == (404, "Introuvable")
    assert nowhere.headers["content-language"] == "fr"


# too_long's example has no actual length: pydantic then words it apart ("not more").
@pytest.mark.parametrize(
    "error",
    [e for e in list_all_errors() if e["type"] not in ("too_long",)],
    ids=lambda e: e["type"],
)
def test_english_reasons_are_pydantic_s_own_messages(error: dict[str, Any]) -> None:
    # The English catalogue says what pydantic says, with the same context values.
    message = Message(error["type"], pydantic_context(error["example_context"] or {}))
    assert render(message, "en") == error["example_message_python"]
