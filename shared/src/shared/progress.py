"""Progress of a long command (key rotation, audit verification, backups and restores): a bar
with what is done of the total, the rate and the time left, drawn with rich on standard error
when it is a terminal. Anywhere else (CI, a pipe, a log file) nothing is drawn: the command
prints only its result.

    with progress("re-encrypting", total=people) as advance:
        for batch in batches:
            ...
            advance(len(batch))
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Advance = Callable[[float], None]


def _quiet(_: float) -> None:
    return None


@contextmanager
def progress(
    description: str, total: float | None, *, stream: TextIO | None = None, unit: str = ""
) -> Iterator[Advance]:
    """``advance(n)`` moves the bar on by ``n`` of ``total`` (None: unknown, no time left
    shown); the bar stays on screen, complete, when the block ends."""
    console = Console(file=stream or sys.stderr)
    if not console.is_terminal:
        yield _quiet
        return
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(description, total=total)

        def advance(amount: float) -> None:
            bar.advance(task, amount)

        yield advance
