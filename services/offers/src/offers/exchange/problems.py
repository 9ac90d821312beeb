"""The problems the exchange routes answer: what an import's outcome means in HTTP."""

from __future__ import annotations

from offers.exchange.schemas import ImportReport
from shared.problems import FieldProblem, ProblemError, invalid


def import_rejected(report: ImportReport) -> ProblemError:
    """An all-or-nothing import that wrote nothing: 422 naming each faulty row and field."""
    errors = [
        FieldProblem(field=f"line.{issue.line}.{issue.field or 'row'}", reason=issue.reason)
        for issue in report.errors
    ]
    return ProblemError(
        422,
        f"{report.error_count} error(s) in the file: nothing was imported.",
        slug="import-rejected",
        title="Import rejected",
        errors=errors,
        extra={"report": report.model_dump(mode="json")},
    )


def import_conflict() -> ProblemError:
    return ProblemError(
        409,
        "A concurrent change created a record this import was creating; nothing of the batch "
        "in progress was written. Import the file again: rows already imported are unchanged.",
        slug="import-conflict",
    )


def unknown_format() -> ProblemError:
    return invalid(
        [("format", "unknown file format")],
        location="query",
        detail="Say which format the file is in: format=csv or format=jsonl, or a Content-Type "
        "of text/csv or application/x-ndjson.",
    )
