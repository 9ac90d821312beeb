"""Recurring events: the RRULE subset the network accepts (RFC 5545 §3.3.10), and its
occurrences.

Only what a working group's rhythm needs, so every calendar application reads it alike:
``FREQ=WEEKLY`` or ``FREQ=MONTHLY``, ``INTERVAL`` (1 to 12), and at most one of ``COUNT`` (1 to
520) or ``UNTIL`` (a UTC time, ``YYYYMMDDTHHMMSSZ``, or a date). No ``UNTIL``/``COUNT``: the
series has no end. A rule is stored in one canonical spelling (``FREQ;INTERVAL;COUNT|UNTIL``),
the one the iCalendar feed publishes.

Occurrences repeat the first one's wall-clock time in Africa/Casablanca (the feed's ``TZID``),
whatever that zone's offset does in between: a meeting at 10:00 stays at 10:00. A monthly rule
on the 31st skips shorter months, as RFC 5545 says (and as dateutil and calendar applications
do), so the agenda and the calendars show the same dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from shared.problems import Message, msg, reason_text

DISPLAY_ZONE = ZoneInfo("Africa/Casablanca")
DISPLAY_ZONE_NAME = "Africa/Casablanca"
MAX_INTERVAL = 12
MAX_COUNT = 520
_FREQUENCIES: dict[str, Literal[1, 2]] = {"MONTHLY": MONTHLY, "WEEKLY": WEEKLY}


class RuleError(ValueError):
    """The rule is outside the accepted subset; ``reason`` says why (for a 422)."""

    def __init__(self, code: str, **params: object) -> None:
        self.reason = msg(code, **params)
        super().__init__(reason_text(self.reason))


@dataclass(frozen=True)
class Rule:
    frequency: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None  # UTC

    def text(self) -> str:
        """The canonical RRULE value."""
        parts = [f"FREQ={self.frequency}", f"INTERVAL={self.interval}"]
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append("UNTIL=" + self.until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        return ";".join(parts)

    def _rrule(self, first_start: datetime) -> rrule:
        return rrule(
            _FREQUENCIES[self.frequency],
            dtstart=local(first_start),
            interval=self.interval,
            count=self.count,
            until=self.until,
        )

    def starts(self, first_start: datetime, window_start: datetime) -> Iterator[datetime]:
        """The occurrences' starts (in UTC) from ``window_start`` on, in order; endless when
        the rule has no end, so the caller stops."""
        start = max(window_start, first_start)
        for occurrence in self._rrule(first_start).xafter(local(start), inc=True):
            yield occurrence.astimezone(UTC)

    def last_start(self, first_start: datetime) -> datetime | None:
        """The start of the last occurrence (UTC); None for a series without end."""
        if self.count is None and self.until is None:
            return None
        # Bounded: ``check`` refuses a series of more than MAX_COUNT occurrences.
        series = list(self._rrule(first_start))
        return series[-1].astimezone(UTC) if series else None

    def is_occurrence(self, first_start: datetime, moment: datetime) -> bool:
        found = self._rrule(first_start).after(local(moment), inc=True)
        return found is not None and found.astimezone(UTC) == moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` in the display zone."""
    return moment.astimezone(DISPLAY_ZONE)


def local_date(moment: datetime) -> date:
    return local(moment).date()


def _integer(name: str, value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise RuleError("rule_whole_number", name=name, low=low, high=high)
    return int(value)


def _until(value: str) -> datetime:
    try:
        if len(value) == 8:
            # A date: the series may run until the end of that day, in the display zone.
            day = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
            return datetime.combine(day, time(23, 59, 59), DISPLAY_ZONE).astimezone(UTC)
        if len(value) == 16 and value.endswith("Z"):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise RuleError("rule_until_not_a_date", value=value) from exc
    raise RuleError("rule_until_format")


def parse(text: str) -> Rule:
    """The rule ``text`` names (an optional ``RRULE:`` prefix is dropped), or a
    :class:`RuleError` saying what is outside the subset."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    values: dict[str, str] = {}
    for part in body.split(";"):
        name, equals, value = part.partition("=")
        name = name.strip().upper()
        if not equals or not name or not value.strip():
            raise RuleError("rule_not_name_value", part=part)
        if name in values:
            raise RuleError("rule_given_twice", name=name)
        values[name] = value.strip().upper()
    unknown = sorted(set(values) - {"FREQ", "INTERVAL", "COUNT", "UNTIL"})
    if unknown:
        raise RuleError("rule_unsupported", names=", ".join(unknown))
    frequency = values.get("FREQ")
    if frequency not in _FREQUENCIES:
        raise RuleError("rule_frequency")
    if "COUNT" in values and "UNTIL" in values:
        raise RuleError("rule_count_or_until")
    interval = _integer("INTERVAL", values.get("INTERVAL", "1"), 1, MAX_INTERVAL)
    count = _integer("COUNT", values["COUNT"], 1, MAX_COUNT) if "COUNT" in values else None
    until = _until(values["UNTIL"]) if "UNTIL" in values else None
    return Rule(frequency=frequency, interval=interval, count=count, until=until)


def check(text: str, first_start: datetime) -> tuple[Rule | None, Message | None]:
    """The rule of an event starting at ``first_start``, or why it cannot be."""
    try:
        rule = parse(text)
    except RuleError as exc:
        return None, exc.reason
    if rule.until is not None and rule.until < first_start:
        return None, msg("rule_until_before_start")
    if (
        rule.until is not None
        and sum(1 for _ in islice(rule._rrule(first_start), MAX_COUNT + 1)) > MAX_COUNT
    ):
        # Bounded like COUNT: a series of more than MAX_COUNT meetings is a typing mistake.
        return None, msg("rule_too_many", max_count=MAX_COUNT)
    return rule, None


def occurrences(
    rule: Rule | None, first_start: datetime, window_start: datetime, window_end: datetime
) -> list[datetime]:
    """Starts (UTC) of the occurrences starting in [window_start, window_end)."""
    if rule is None:
        return [first_start] if window_start <= first_start < window_end else []
    found = []
    for start in rule.starts(first_start, window_start):
        if start >= window_end:
            break
        found.append(start)
    return found


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year ``year`` in the display zone, as UTC bounds [start, end)."""
    start = datetime(year, 1, 1, tzinfo=DISPLAY_ZONE).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=DISPLAY_ZONE).astimezone(UTC)
    return start, end


def today() -> date:
    return datetime.now(DISPLAY_ZONE).date()


ONE_DAY = timedelta(days=1)
