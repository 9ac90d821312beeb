"""The page listing every problem code with its messages (``docs/problems.md``), written from
the catalogues: ``python -m shared.problem_codes`` rewrites it, a test checks it is current,
and the gateway serves it with its documentation."""

from __future__ import annotations

import sys
from pathlib import Path

from shared.translations import CONTEXTS, LANGUAGES, Template, read_catalogue

_HEADINGS = {
    "title": "Titles (`title`)",
    "detail": "Problems (`code` and `detail`)",
    "reason": "Field problems (`errors[].code` and `errors[].reason`)",
    "record": "Kinds of record (the `{kind}` of other messages)",
    "unit": "Quantities (their plural forms)",
}

_INTRODUCTION = """\
# Problem codes

Every error answer is an RFC 9457 problem (`application/problem+json`) with a stable `code`,
and each of its field problems (`errors[]`) has one too: programs test the codes, people read
`title`, `detail` and `reason`, written in the language `Accept-Language` asks for — French
(the default), Arabic or English — and named by `Content-Language`. Placeholders such as
`{le}` are filled from the request; pydantic's validation errors keep pydantic's error types
as their codes (`missing`, `less_than_equal`…).

This page is generated from the catalogues (`shared/src/shared/locale/*/LC_MESSAGES/problems.po`)
by `python -m shared.problem_codes`; do not edit it by hand.
"""


def _cell(template: Template) -> str:
    forms = [template] if isinstance(template, str) else list(template)
    return " / ".join(form.replace("|", "\\|") for form in forms)


def markdown() -> str:
    catalogues = {language: read_catalogue(language) for language in LANGUAGES}
    messages: dict[str, dict[str, dict[str, Template]]] = {context: {} for context in CONTEXTS}
    for language, catalogue in catalogues.items():
        for message in catalogue:
            if not message.id or not message.context:
                continue
            code = message.id if isinstance(message.id, str) else message.id[0]
            string: Template = (
                message.string if isinstance(message.string, str) else tuple(message.string or ())
            )
            messages[message.context].setdefault(str(code), {})[language] = string
    lines = [_INTRODUCTION]
    for context in CONTEXTS:
        lines += [f"## {_HEADINGS[context]}", "", "| code | français | العربية | English |"]
        lines.append("|---|---|---|---|")
        for code, texts in sorted(messages[context].items()):
            cells = [_cell(texts.get(language, "")) for language in ("fr", "ar", "en")]
            lines.append(f"| `{code}` | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or ["docs/problems.md"])[0])
    target.write_text(markdown(), encoding="utf-8")
    print(f"wrote {target}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
