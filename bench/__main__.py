"""``make bench``: every benchmark, each printing its figures and ratios measured in one run.

Run one with ``python -m bench NAME``. Results are written to ``bench/results/NAME.json``;
``BENCHMARKS.md`` records them with the command that produced them.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: tuple[str, ...] = (
    "gateway",
    "offers",
    "beneficiaries",
    "network",
    "memory",
    "fanout",
    "load",
    "beneficiaries_scale",
    "adequacy_scale",
)


def main(argv: list[str]) -> int:
    selected = argv or list(BENCHMARKS)
    unknown = [name for name in selected if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in selected:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        code = int(module.main())
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
