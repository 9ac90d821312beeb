"""BENCHMARKS.md, where each benchmark keeps its section (with the command that produced it)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def publish(
    name: str, result: dict[str, Any], markdown: Callable[[dict[str, Any], str], str]
) -> None:
    """Keep a run's raw figures in ``bench/results/NAME.json``, its section in BENCHMARKS.md
    (``markdown(result, day measured)``), and print them."""
    measured = time.strftime("%Y-%m-%d")
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"{name}.json").write_text(
        json.dumps({"measured": measured, **result}, indent=2) + "\n"
    )
    write_section(markdown(result, measured))
    print(json.dumps(result, indent=2))
