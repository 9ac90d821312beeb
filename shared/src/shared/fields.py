"""Field types every service's schemas share: texts, codes checked against ``shared.reference``,
contacts, identities from other systems, lists of codes.

One behaviour each, whoever uses them:

- an e-mail has at most 254 characters (the RFC 5321 path limit) and a domain ending in a label
  of two characters or more, in any script (``.ma``, ``.xn--mgbc0a9azcg`` and ``.المغرب`` pass);
- a list of codes refuses a code given twice (422 naming the field) rather than silently
  changing what the caller sent.

Checks involving two fields (a province inside its region, an end after a start) live in each
domain's service so the API and the bulk imports apply them alike, on the merged record of a
partial update too; :func:`province_problem` is the reusable part of one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

from shared import reference
from shared.problems import field_error
from shared.translations import Message, msg

T = TypeVar("T")

EMAIL_MAX_LENGTH = 254


# No text holds the NUL character: PostgreSQL cannot store it in a text column (the insert
# fails, a 500), and no person types one. Every pattern of a stored text excludes it.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, min_length: int = 1) -> StringConstraints:
    """Constraints of a free text: surrounding spaces dropped, then between the two lengths,
    without a NUL character (422 rather than a database error)."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=NO_NUL
    )


def _known_region(code: str) -> str:
    if code not in reference.region_codes():
        known = ", ".join(sorted(reference.region_codes()))
        raise field_error("unknown_region", code=code, known=known)
    return code


@cache
def _isced_codes() -> frozenset[str]:
    return frozenset(term.code for term in reference.isced_fields())


@cache
def _isco_codes() -> frozenset[str]:
    return frozenset(term.code for term in reference.isco_groups())


def _known_isced(code: str) -> str:
    if code not in _isced_codes():
        raise field_error("unknown_isced_field", code=code)
    return code


def _known_isco(code: str) -> str:
    if code not in _isco_codes():
        raise field_error("unknown_isco_group", code=code)
    return code


def _distinct(values: Sequence[T]) -> Sequence[T]:
    # Short lists of codes: comparing pairs beats hashing (enum hashes run in Python).
    if any(values[i] in values[:i] for i in range(1, len(values))):
        raise field_error("value_repeated")
    return values


# In ``Annotated[list[X], Distinct]``: a value given twice is refused.
Distinct = AfterValidator(_distinct)

RegionCode = Annotated[
    str,
    Field(description="Region code (`/api/v1/reference/regions`)"),
    AfterValidator(_known_region),
]
ProvinceCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{2}\.\d{3}$"),
    Field(description="Province or prefecture code `RR.PPP` (`/api/v1/reference/provinces`)"),
]
IscedCode = Annotated[
    str, Field(description="ISCED-F 2013 broad field, `00`–`10`"), AfterValidator(_known_isced)
]
IscoCode = Annotated[
    str, Field(description="ISCO-08 major group, `0`–`9`"), AfterValidator(_known_isco)
]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ().-]{6,24}$")]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=EMAIL_MAX_LENGTH,
        pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s.\x00]{2,}$",
    ),
]
Website = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=500, pattern=r"^https?://[^\s/\x00]+[^\s\x00]*$"
    ),
]
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=r"^[^\s\x00]+$"),
]
SourceName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$"),
    Field(description="Who the record comes from, e.g. `ofppt-register` (lower case)"),
]
Commune = Annotated[str, text(120)]


def province_problem(region: str, province: str | None) -> Message | None:
    """Why ``province`` cannot be in ``region``, or None when it can."""
    if province is None:
        return None
    if not province.startswith(region + "."):
        return msg("province_not_in_region", province=province, region=region)
    known = {p.code for p in reference.provinces() if p.region_code == region}
    if known and province not in known:
        return msg("unknown_province", province=province, region=region)
    return None
