"""The ``Prefer`` request header (RFC 7240): ``respond-async``, ``wait=N`` and the like."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

PreferHeader = Annotated[
    str | None,
    Header(
        alias="Prefer",
        description="RFC 7240 preferences: `respond-async`, `wait=N` (seconds)",
    ),
]


def parse_prefer(*values: str | None) -> dict[str, str]:
    """Preferences by lower-case name (``""`` for a name without value); parameters after
    ``;`` are ignored, the first occurrence of a name wins (RFC 7240 §2)."""
    found: dict[str, str] = {}
    for value in values:
        for item in (value or "").split(","):
            token = item.split(";", 1)[0].strip()
            if not token:
                continue
            name, _, argument = token.partition("=")
            found.setdefault(name.strip().lower(), argument.strip().strip('"'))
    return found


def wait_seconds(preferences: dict[str, str], most: float) -> float | None:
    """The ``wait`` preference, at most ``most`` seconds; None when absent or unreadable."""
    raw = preferences.get("wait")
    if raw is None or not raw.isdigit():
        return None
    return min(float(raw), most)
