"""Counting against a rate limit without meeting a window's edge.

The gateway counts with ``limits``' sliding-window counter: windows start at multiples of their
length since the epoch, and the previous window's hits are weighted by what is left of it and
floored. Right after an edge, three hits of the previous window weigh 2.99, floored to 2: one
request more gets through. That is the approximation the strategy is chosen for (one round trip,
two counters), not a fault; a test that counts "three then 429" starts where it fits in one
window, so what it asserts is exact.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping

__all__ = ["TIGHT", "is_tight", "within_one_window", "within_one_window_if_tight"]

# A limit a test reaches by counting (below this, requests per window).
TIGHT = 1000
# The notation of ``limits``: "3/minute", "3 per minute", "10/2 minutes".
_LIMIT = re.compile(r"\s*(?P<amount>\d+)\s*(?:/|per\s)")


def is_tight(setting: object) -> bool:
    """Whether a setting's value is a rate limit (``"3/minute"``) a test reaches by counting."""
    limit = _LIMIT.match(setting) if isinstance(setting, str) else None
    return limit is not None and int(limit["amount"]) < TIGHT


async def within_one_window(needed: float = 20.0, length: int = 60) -> None:
    """Return once ``needed`` seconds are left in the current window (waiting for the next)."""
    left = length - time.time() % length
    if left < needed:
        await asyncio.sleep(left + 0.05)


async def within_one_window_if_tight(settings: Mapping[str, object]) -> None:
    """``within_one_window`` when any of these settings is a tight rate limit."""
    if any(is_tight(value) for name, value in settings.items() if name.startswith("rate_limit")):
        await within_one_window()
