"""Field issues as English text, for the tests that check what a rule says."""

from __future__ import annotations

from collections.abc import Sequence

from shared.problems import FieldIssue, reason_text


def english(issues: Sequence[FieldIssue]) -> list[tuple[str, str]]:
    """``[(field, reason)]`` with each reason in English (a rule answers codes and messages)."""
    return [(field, reason_text(reason)) for field, reason in issues]


def english_issue(issue: FieldIssue | None) -> tuple[str, str] | None:
    return None if issue is None else english([issue])[0]
