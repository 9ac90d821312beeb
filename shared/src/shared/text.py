"""Search text: one folded form for French and Arabic so "electricite" finds "Électricité".

The folded text is stored in its own column (``search_text``, ``title_key``, ``name_key``) and
the query is folded the same way, so matching is a plain ``LIKE`` that behaves identically on
SQLite and PostgreSQL (where a trigram index makes it fast).
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole: Latin ligatures, and Arabic letters written in several ways.
_REPLACEMENTS: dict[int, str | None] = {
    ord(letter): replacement
    for letter, replacement in {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ı": "i",
        "ٱ": "ا",  # alef wasla
        "ى": "ي",  # alef maqsura, often typed for a final yeh
        "ة": "ه",  # teh marbuta, often typed as heh
        "ـ": None,  # tatweel (kashida), only stretches a word
        "_": " ",
    }.items()
}


def _translation() -> dict[int, str | None]:
    """One table for str.translate: drop combining marks, digits of any script to ASCII, then
    the replacements above (built once: folding runs on every imported row)."""
    table: dict[int, str | None] = {}
    for code in range(0x80, 0x10000):
        character = chr(code)
        if unicodedata.combining(character):
            table[code] = None
        elif character.isdigit():
            digit = unicodedata.digit(character, None)
            if digit is not None:
                table[code] = str(digit)
    return table | _REPLACEMENTS


_TABLE = _translation()
_NOT_WORD = re.compile(r"\W+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces.

    NFKD splits accented letters and Arabic hamza forms (أ إ آ ؤ ئ) into a base letter and a
    combining mark; dropping the marks removes French accents and Arabic short vowels (harakat).
    Digits of any script become ASCII digits.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_TABLE)
    return _NOT_WORD.sub(" ", decomposed).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a search query; every one must appear in a match."""
    return [term for term in fold(query).split(" ") if term]


def contains_pattern(term: str) -> str:
    """A ``LIKE`` pattern matching a folded term anywhere: folded text has no ``%``, ``_`` or
    ``\\``, so nothing needs escaping."""
    return f"%{term}%"
