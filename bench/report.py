"""BENCHMARKS.md, where each benchmark keeps its section (with the command that produced it)."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def write_section(section: str) -> None:
    """Replace the section of BENCHMARKS.md headed by ``section``'s first line (``## …``), or
    add it at the end, leaving the others alone."""
    heading = section.splitlines()[0] + "\n"
    current = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n\n"
    start = current.find(heading)
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + section
    else:
        end = current.find("\n## ", start + 1)
        updated = current[:start] + section + (current[end + 1 :] if end != -1 else "")
    BENCHMARKS_MD.write_text(updated)
