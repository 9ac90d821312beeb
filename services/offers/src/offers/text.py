"""Search text: one folded form for French and Arabic so "electricite" finds "Électricité".

The folded text is stored in its own column (``search_text``, ``title_key``, ``name_key``) and
the query is folded the same way, so matching is a plain ``LIKE`` that behaves identically on
SQLite and PostgreSQL (where a trigram index makes it fast).
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole: Latin ligatures, and Arabic letters written in several ways.
_REPLACEMENTS = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ı": "i",
        "ٱ": "ا",  # alef wasla
        "ى": "ي",  # alef maqsura, often typed for a final yeh
        "ة": "ه",  # teh marbuta, often typed as heh
        "ـ": "",  # tatweel (kashida), only stretches a word
        "\u2019": " ",
        "'": " ",
    }
)
_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces.

    NFKD splits accented letters and Arabic hamza forms (أ إ آ ؤ ئ) into a base letter and a
    combining mark; dropping the marks removes French accents and Arabic short vowels (harakat).
    Digits of any script become ASCII digits.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_REPLACEMENTS)
    kept: list[str] = []
    for character in decomposed:
        if unicodedata.combining(character):
            continue
        if character.isdigit() and not character.isascii():
            digit = unicodedata.digit(character, None)
            kept.append(str(digit) if digit is not None else character)
            continue
        kept.append(character)
    return _NOT_WORD.sub(" ", "".join(kept)).replace("_", " ").strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a search query; every one must appear in a match."""
    return [term for term in fold(query).split(" ") if term]


def contains_pattern(term: str) -> str:
    """A ``LIKE`` pattern matching a folded term anywhere: folded text has no ``%``, ``_`` or
    ``\\``, so nothing needs escaping."""
    return f"%{term}%"
