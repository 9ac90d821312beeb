"""The problems the exchange routes answer: what an import's outcome means in HTTP."""

from __future__ import annotations

from offers.exchange.schemas import ImportReport
from shared.problems import FieldIssue, ProblemError, invalid, msg


def import_rejected(report: ImportReport) -> ProblemError:
    """An all-or-nothing import that wrote nothing: 422 naming each faulty row and field."""
    # The report's reasons are its own (English) text: the problem names them as they are.
    errors: list[FieldIssue] = [
        (f"line.{issue.line}.{issue.field or 'row'}", msg("import_row", reason=issue.reason))
        for issue in report.errors
    ]
    return ProblemError(
        422,
        "import_rejected",
        params={"errors": report.error_count},
        slug="import-rejected",
        errors=errors,
        extra={"report": report.model_dump(mode="json")},
    )


def import_conflict() -> ProblemError:
    return ProblemError(
        409,
        "import_conflict",
        slug="import-conflict",
    )


def unknown_format() -> ProblemError:
    return invalid([("format", "unknown_format")], location="query", code="name_the_format")
