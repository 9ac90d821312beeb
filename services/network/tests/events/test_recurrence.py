"""The RRULE subset and its occurrences, called directly."""

from __future__ import annotations

from datetime import UTC, datetime

from network.events import recurrence
from shared.problems import reason_text

FIRST = datetime(2027, 1, 31, 9, 0, tzinfo=UTC)  # 10:00 in Casablanca


def test_rules_are_stored_in_one_spelling() -> None:
    rule, reason = recurrence.check("rrule:freq=monthly;count=3", FIRST)
    assert reason is None
    assert rule is not None
    assert rule.text() == "FREQ=MONTHLY;INTERVAL=1;COUNT=3"
    until, _ = recurrence.check("FREQ=WEEKLY;UNTIL=20270214", FIRST)
    assert until is not None
    # A date runs to the end of that day in Casablanca.
    assert until.text() == "FREQ=WEEKLY;INTERVAL=1;UNTIL=20270214T235959Z"


def test_monthly_on_the_31st_skips_shorter_months() -> None:
    rule, _ = recurrence.check("FREQ=MONTHLY;COUNT=3", FIRST)
    end = datetime(2028, 1, 1, tzinfo=UTC)
    starts = recurrence.occurrences(rule, FIRST, FIRST, end)
    assert [start.date().isoformat() for start in starts] == [
        "2027-01-31",
        "2027-03-31",
        "2027-05-31",
    ]
    assert rule is not None
    assert rule.last_start(FIRST) == starts[-1]
    assert rule.is_occurrence(FIRST, starts[1])
    assert not rule.is_occurrence(FIRST, datetime(2027, 2, 28, 9, 0, tzinfo=UTC))


def test_series_keep_their_wall_clock_time_across_offset_changes() -> None:
    rule, _ = recurrence.check("FREQ=WEEKLY;COUNT=10", FIRST)
    local_times = {
        recurrence.local(start).strftime("%H:%M")
        for start in recurrence.occurrences(rule, FIRST, FIRST, datetime(2028, 1, 1, tzinfo=UTC))
    }
    assert local_times == {"10:00"}


def test_endless_series_have_no_last_start_and_huge_ones_are_refused() -> None:
    endless, _ = recurrence.check("FREQ=MONTHLY", FIRST)
    assert endless is not None
    assert endless.last_start(FIRST) is None
    _, reason = recurrence.check("FREQ=WEEKLY;UNTIL=20450101", FIRST)
    assert reason is not None
    assert reason_text(reason) == "the series would have more than 520 occurrences"
