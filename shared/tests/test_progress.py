"""Long commands draw their progress on a terminal, and nothing anywhere else."""

from __future__ import annotations

import io

import pytest

from shared.progress import progress
from shared.testing.terminal import Terminal


@pytest.fixture(autouse=True)
def no_forcing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Variables that would make rich take any stream for a terminal, or none.
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)


def test_a_terminal_sees_the_count_and_the_time_left() -> None:
    screen = Terminal()
    with progress("re-encrypting", total=1_000, stream=screen, unit="people") as advance:
        advance(250)
        advance(750)
    drawn = screen.text
    assert "re-encrypting" in drawn
    assert "1000/1000" in drawn
    assert "people" in drawn
    assert "ETA" in drawn
    assert "100%" in drawn


def test_ci_and_pipes_see_nothing() -> None:
    piped = io.StringIO()
    with progress("re-encrypting", total=10, stream=piped) as advance:
        advance(10)
    assert piped.getvalue() == ""
