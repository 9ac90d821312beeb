"""The adequacy review as a working group reads it: CSV (one table per block, for a
spreadsheet) and a printable page in French or Arabic (right to left), one self-contained HTML
document: inline styles and SVG bars, no script, no outside resource.

The words of the page live in ``report_words.json`` (one entry per language); the template in
``templates/adequacy.html`` (Jinja2, autoescaped: a partner's text cannot inject markup).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from gateway.views.adequacy import Adequacy
from gateway.views.figures import Cell, Rate
from shared.csv_cells import cell as csv_cell
from shared.reference import regions

Language = Literal["fr", "ar"]
LANGUAGES: tuple[Language, ...] = ("fr", "ar")


@cache
def words() -> dict[str, dict[str, str]]:
    text = resources.files("gateway.views").joinpath("report_words.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def _shown(value: Any) -> str:
    """A figure as a person reads it: withheld cells as "<5", rates as percentages."""
    if isinstance(value, Cell):
        return "<5" if value.suppressed else str(value.value)
    if isinstance(value, Rate):
        if value.suppressed:
            return "<5"
        return "–" if value.value is None else f"{value.value * 100:.1f} %"
    if value is None:
        return "–"
    return str(value)


def _raw(value: Any) -> str:
    """A figure for a spreadsheet: withheld and unknown cells empty, rates as decimals."""
    if isinstance(value, Cell | Rate):
        return "" if value.value is None else str(value.value)
    return "" if value is None else str(value)


Table = tuple[str, Sequence[str], list[list[Any]]]


def tables(review: Adequacy) -> list[Table]:
    """The review's tables, block by block: (name, header, rows of figures)."""
    found: list[Table] = []
    if review.labour_market is not None:
        found.append(
            (
                "labour_market",
                (
                    "sector",
                    "sessions",
                    "seats",
                    "enrolled",
                    "completed",
                    "certified",
                    "positions",
                    "placed",
                    "coverage",
                    "tension",
                ),
                [
                    [
                        row.sector,
                        row.sessions,
                        row.seats,
                        row.enrolled,
                        row.completed,
                        row.certified,
                        row.positions,
                        row.placed,
                        row.coverage,
                        row.tension,
                    ]
                    for row in review.labour_market.sectors
                ],
            )
        )
    if review.inclusion is not None:
        for dimension in ("by_vulnerability", "by_sex", "by_age_band"):
            found.append(
                (
                    f"inclusion_{dimension}",
                    (
                        "key",
                        "supported",
                        "enrolled",
                        "placed",
                        "share_of_enrolments",
                        "placement_rate",
                    ),
                    [
                        [
                            row.key,
                            row.supported,
                            row.enrolled,
                            row.placed,
                            row.share_of_enrolments,
                            row.placement_rate,
                        ]
                        for row in getattr(review.inclusion, dimension)
                    ],
                )
            )
        found.append(
            (
                "inclusion_provinces_without_session",
                ("province", "positions"),
                [
                    [gap.province, gap.positions]
                    for gap in review.inclusion.provinces_without_session
                ],
            )
        )
    if review.efficiency is not None:
        for dimension in ("by_sector", "by_provider_kind"):
            found.append(
                (
                    f"efficiency_{dimension}",
                    (
                        "key",
                        "sessions",
                        "completion_rate",
                        "dropout_rate",
                        "certification_rate",
                        "occupancy",
                    ),
                    [
                        [
                            row.key,
                            row.sessions,
                            row.completion_rate,
                            row.dropout_rate,
                            row.certification_rate,
                            row.occupancy,
                        ]
                        for row in getattr(review.efficiency, dimension)
                    ],
                )
            )
    if review.governance is not None:
        governance = review.governance
        found.append(
            (
                "governance_events",
                ("kind", "scheduled", "held", "cancelled"),
                [[e["kind"], e["scheduled"], e["held"], e["cancelled"]] for e in governance.events],
            )
        )
        found.append(
            (
                "governance_commitments",
                ("unit", "sector", "commitments", "committed", "achieved"),
                [
                    [c["unit"], c["sector"], c["commitments"], c["committed"], c["achieved"]]
                    for c in governance.commitments
                ],
            )
        )
    yoy = review.totals
    found.append(
        (
            "totals",
            ("figure", "current", "previous", "change"),
            [
                [name, getattr(yoy.current, name), getattr(yoy.previous, name), yoy.change[name]]
                for name in type(yoy.current).model_fields
            ],
        )
    )
    return found


def to_csv(review: Adequacy) -> str:
    """One table per block, each headed by a row naming it and followed by an empty row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "region",
            review.region or "",
            "year",
            review.year,
            "completed",
            str(review.completed).lower(),
        ]
    )
    for error in review.errors:
        writer.writerow(["error", error.service, error.reason, csv_cell(error.detail)])
    writer.writerow([])
    for name, header, rows in tables(review):
        writer.writerow([f"# {name}"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(_raw(value)) for value in row])
        writer.writerow([])
    return out.getvalue()


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("gateway.views", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _bars(values: Iterable[tuple[str, float | None]]) -> list[tuple[str, float, str]]:
    """(label, width in % of the widest, shown value) for an inline bar chart."""
    pairs = [(label, value or 0.0) for label, value in values]
    widest = max((value for _, value in pairs), default=0.0) or 1.0
    return [
        (label, round(100 * value / widest, 1), f"{value * 100:.0f} %") for label, value in pairs
    ]


def to_html(review: Adequacy, language: Language) -> str:
    said = words()[language]
    region = next((r for r in regions() if r.code == review.region), None)
    region_name = (
        said["whole_country"]
        if region is None
        else (region.name_ar if language == "ar" else region.name_fr)
    )
    coverage_bars = (
        _bars(
            (said.get(f"sector.{row.sector}", row.sector), row.coverage.value)
            for row in review.labour_market.sectors
        )
        if review.labour_market is not None
        else []
    )
    return (
        _environment()
        .get_template("adequacy.html")
        .render(
            review=review,
            language=language,
            direction="rtl" if language == "ar" else "ltr",
            said=said,
            region_name=region_name,
            tables=tables(review),
            shown=_shown,
            coverage_bars=coverage_bars,
        )
    )
