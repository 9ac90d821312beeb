"""The field types every service validates with: one behaviour for e-mails, regions, code lists."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from shared.fields import (
    EMAIL_MAX_LENGTH,
    Distinct,
    Email,
    ExternalId,
    IscedCode,
    ProvinceCode,
    RegionCode,
    Website,
    province_problem,
    text,
)
from shared.problems import Message, reason_text


class Contact(BaseModel):
    email: Email | None = None
    region: RegionCode | None = None
    province: ProvinceCode | None = None
    isced: IscedCode | None = None
    regions: Annotated[list[RegionCode], Distinct] = []


def _error(**fields: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as raised:
        Contact.model_validate(fields)
    error = raised.value.errors()[0]
    return ".".join(str(part) for part in error["loc"]), error["msg"]


@pytest.mark.parametrize(
    "email",
    [
        "amina.alaoui@example.ma",
        "  padded@example.org ",
        "contact@example.xn--mgbc0a9azcg",  # .المغرب as written in DNS
        "contact@مثال.المغرب",
    ],
)
def test_emails_of_any_script_pass(email: str) -> None:
    assert Contact(email=email).email == email.strip()


@pytest.mark.parametrize(
    "email", ["no-at-sign.example.org", "two@@example.org", "x@example.m", "x@example", "a b@x.ma"]
)
def test_malformed_emails_are_refused_on_their_field(email: str) -> None:
    assert _error(email=email)[0] == "email"


def test_an_email_longer_than_the_smtp_path_limit_is_refused() -> None:
    local = "a" * 64
    domain = ("d" * 60 + ".") * 3 + "ma"
    assert len(f"{local}@{domain}") <= EMAIL_MAX_LENGTH
    Contact(email=f"{local}@{domain}")
    field, message = _error(email=f"{local}@{'e' * 60}.{domain}")
    assert field == "email"
    assert str(EMAIL_MAX_LENGTH) in message


def test_an_unknown_region_names_the_known_ones() -> None:
    field, message = _error(region="99")
    assert field == "region"
    assert "unknown region code '99'" in message
    assert "01" in message


def test_a_code_given_twice_is_refused_not_dropped() -> None:
    assert Contact(regions=["02", "01"]).regions == ["02", "01"]
    field, message = _error(regions=["01", "02", "01"])
    assert field == "regions"
    assert "only once" in message


def test_reference_codes_are_checked() -> None:
    assert Contact(isced="07", province="01.571").isced == "07"
    assert _error(isced="11")[0] == "isced"
    assert _error(province="1.571")[0] == "province"


def test_a_province_must_lie_in_its_region() -> None:
    assert province_problem("01", "01.571") is None
    assert province_problem("01", None) is None
    assert _text(province_problem("02", "01.571")) == "province '01.571' is not in region '02'"
    assert _text(province_problem("01", "01.999")) == "unknown province '01.999' in region '01'"


def _text(reason: Message | None) -> str | None:
    return None if reason is None else reason_text(reason)


class Stored(BaseModel):
    name: Annotated[str, text(50)]
    email: Email | None = None
    website: Website | None = None
    external_id: ExternalId | None = None


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "A\x00B"},
        {"email": "a\x00@example.ma"},
        {"website": "https://example.ma/\x00"},
        {"external_id": "P\x001"},
    ],
)
def test_a_nul_character_is_refused_on_its_field(fields: dict[str, str]) -> None:
    # PostgreSQL cannot store it in a text column: refused here, 422, not a database error.
    with pytest.raises(ValidationError) as raised:
        Stored.model_validate({"name": "ok"} | fields)
    assert [error["loc"][0] for error in raised.value.errors()] == list(fields)
