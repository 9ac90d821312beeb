"""The problems' messages in the caller's language: French (the default), Arabic or English.

Messages live in one gettext catalogue per language (``locale/<lang>/LC_MESSAGES/problems.po``),
read with Babel when the module is imported. A message is found by its context and its code:

- ``title`` and ``detail``: a problem's code (``not_found``, ``seats_reserved``…); a title may
  also be found by the problem's slug or, last, by its status (``http_404``);
- ``reason``: a field problem's code, pydantic's error types among them (``less_than_equal``);
- ``record``: the name of a kind of record, put into other messages (``not_found``'s ``kind``);
- ``unit``: a quantity with the plural forms of its language (``minutes``, with ``count``).

Messages carry named placeholders (``{le}``, ``{kind}``) filled from the parameters the code
raising the problem gives, so no text is built in the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from gettext import c2py
from importlib import resources
from string import Formatter
from typing import Any, Final

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

LANGUAGES: Final = ("fr", "ar", "en")
DEFAULT_LANGUAGE: Final = "fr"
DOMAIN: Final = "problems"
CONTEXTS: Final = ("title", "detail", "reason", "record", "unit")


@dataclass(frozen=True)
class Message:
    """A message to translate when the answer's language is known: its code and parameters
    (a parameter may itself be a message: a kind of record, a list of reasons)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    context: str = "reason"


def msg(code: str, /, **params: object) -> Message:
    """A field problem's reason: ``("end_date", msg("ends_before_start", end=…, start=…))``."""
    return Message(code, params)


def record(kind: str) -> Message:
    """The name of a kind of record (``"working group"``), as a parameter of another message."""
    return Message(kind, context="record")


def quantity(unit: str, count: int) -> Message:
    """``count`` of ``unit`` (``quantity("minutes", 2)``) in the plural form its language uses."""
    return Message(unit, {"count": count}, context="unit")


def catalogue_path(language: str) -> Any:
    return resources.files("shared") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


# A message's template, or its plural forms (in the order of the language's plural rule).
Template = str | tuple[str, ...]


def _messages(catalogue: Catalog) -> dict[tuple[str, str], Template]:
    found: dict[tuple[str, str], Template] = {}
    for message in catalogue:
        if not message.id or not message.context or not all(_forms(message.string)):
            continue
        code = message.id[0] if isinstance(message.id, tuple | list) else message.id
        found[(message.context, str(code))] = (
            message.string if isinstance(message.string, str) else _forms(message.string)
        )
    return found


def _forms(string: object) -> tuple[str, ...]:
    return (string,) if isinstance(string, str) else tuple(string or ("",))  # type: ignore[arg-type]


_CATALOGUES: Final = {language: _messages(read_catalogue(language)) for language in LANGUAGES}


def lookup(context: str, code: str, language: str) -> Template | None:
    """The message's template in ``language`` (its plural forms for a ``unit``), or None when the
    catalogue has none."""
    return _CATALOGUES[language].get((context, code))


def plural_form(language: str, count: int) -> int:
    """Which plural form ``count`` takes in ``language`` (Arabic has six, French three)."""
    return _PLURAL_RULES[language](count)


# Babel's plural rules (C expressions, as in a catalogue's Plural-Forms) made functions.
_PLURAL_RULES: Final = {language: c2py(get_plural(language).plural_expr) for language in LANGUAGES}


def placeholders(template: Template) -> set[str]:
    return {name for form in _forms(template) for _, name, _, _ in Formatter().parse(form) if name}


class _Parameters(dict[str, object]):
    # A placeholder the raising code did not fill stays visible rather than failing the answer.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(message: Message, language: str) -> str:
    """The message in ``language`` (English, then the code itself, when a catalogue lacks it)."""
    found = lookup(message.context, message.code, language)
    if found is None:
        language = "en"
        found = lookup(message.context, message.code, language) or message.code
    params = _Parameters(
        (name, _parameter(value, language)) for name, value in message.params.items()
    )
    if isinstance(found, str):
        return found.format_map(params)
    count = message.params.get("count")
    form = plural_form(language, count) if isinstance(count, int) else len(found) - 1
    return found[min(form, len(found) - 1)].format_map(params)


def _parameter(value: object, language: str) -> object:
    if isinstance(value, Message):
        return render(value, language)
    if isinstance(value, list | tuple) and all(isinstance(item, Message) for item in value):
        return LIST_SEPARATORS.get(language, "; ").join(render(item, language) for item in value)
    return value


# Between the items of a list of messages (Arabic has its own semicolon).
LIST_SEPARATORS: Final = {"ar": "؛ "}


def negotiate(accept_language: str | None) -> str:
    """The language to answer in for an ``Accept-Language`` header (RFC 9110 §12.5.4):
    the supported language of highest q-value, matching on the primary subtag (``fr-MA`` is
    French); ``*`` stands for the default, French, as do a missing header and one that names no
    supported language."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    refused: set[str] = set()
    for position, item in enumerate(accept_language.split(",")):
        tag, _, parameters = item.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        quality = _quality(parameters)
        if quality is None or not primary:
            continue
        if quality == 0:
            refused.add(primary)
        elif primary == "*" or primary in LANGUAGES:
            ranked.append((-quality, position, primary))
    for _, _, primary in sorted(ranked):
        if primary == "*":
            # Any language: the default, unless the caller refused it.
            return next((one for one in LANGUAGES if one not in refused), DEFAULT_LANGUAGE)
        return primary
    return DEFAULT_LANGUAGE


def _quality(parameters: str) -> float | None:
    """The q-value of one ``Accept-Language`` item (1 when absent); None when malformed."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0
