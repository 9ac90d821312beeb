"""The regional views' fan-out with every service delayed 200 ms: one deadline, not the sum.

    python -m bench fanout

Three loopback services (one per backend of the views) answer their figures after 200 ms. The
gateway, in-process with its real fan-out (``gateway.views.fanout``: the proxy's client, service
tokens, the breakers), asks them side by side; measured side by side in the same run: one call to
one service (the floor), the three one after another (what a view would cost without the fan-out),
and the three at once, alone and with 10 views in flight. Target (issue 13): < 300 ms.

The views themselves (issue 12) put the figures together after the calls; once they exist this
benchmark measures them through ``/api/v1/dashboard`` and ``/api/v1/adequacy`` as well.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from pydantic import AnyHttpUrl
from starlette.types import Receive, Scope, Send

from gateway.main import create_app
from gateway.settings import Settings
from gateway.views.fanout import FanOut, Part
from kafaat.platform import ROOT
from shared.migrations import upgrade
from shared.settings import Environment
from shared.testing import make_principal, serve

RESULTS = Path(__file__).parent / "results"
DELAY_SECONDS = 0.2
ROUNDS = 30
TARGET_MS = 300.0
PARTS = {
    "supply": Part("offers", "/v1/stats/supply?region=01&year=2026"),
    "outcomes": Part("beneficiaries", "/v1/stats/outcomes?region=01&year=2026"),
    "activity": Part("network", "/v1/stats/activity?region=01&year=2026"),
}
FIGURES = json.dumps({"sectors": [{"code": f"S{n}", "count": n} for n in range(40)]}).encode()


async def delayed(scope: Scope, receive: Receive, send: Send) -> None:
    await asyncio.sleep(DELAY_SECONDS)
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": FIGURES})


async def _timed(rounds: int, once: Callable[[], Awaitable[Any]]) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await once()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "max_ms": round(ordered[-1], 1),
    }


async def run() -> dict[str, Any]:
    principal = make_principal(role="regional_coordinator", regions=["01"])
    with tempfile.TemporaryDirectory(prefix="kafaat-bench-fanout-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'gateway.db'}"
        await asyncio.to_thread(upgrade, ROOT / "gateway", url)
        async with (
            serve(delayed, lifespan="off") as offers,
            serve(delayed, lifespan="off") as beneficiaries,
            serve(delayed, lifespan="off") as network,
        ):
            settings = Settings(
                environment=Environment.TEST,
                database_url=url,
                var_dir=Path(directory),
                offers_url=AnyHttpUrl(offers),
                beneficiaries_url=AnyHttpUrl(beneficiaries),
                network_url=AnyHttpUrl(network),
            )
            app = create_app(settings)
            async with LifespanManager(app):
                fanout: FanOut = app.state.fanout
                one = {"supply": PARTS["supply"]}

                async def sequential() -> None:
                    for name, part in PARTS.items():
                        await fanout.gather(principal, {name: part})

                async def at_once() -> None:
                    gathered = await fanout.gather(principal, PARTS)
                    if not gathered.completed:
                        raise RuntimeError(gathered.errors)

                async def ten_views() -> None:
                    await asyncio.gather(*(at_once() for _ in range(10)))

                await at_once()  # connections opened, tokens' keys loaded
                return {
                    "delay_ms": DELAY_SECONDS * 1000,
                    "one service": _summary(
                        await _timed(ROUNDS, lambda: fanout.gather(principal, one))
                    ),
                    "three one after another": _summary(await _timed(10, sequential)),
                    "three at once (the fan-out)": _summary(await _timed(ROUNDS, at_once)),
                    "three at once, 10 views in flight": _summary(await _timed(10, ten_views)),
                }


def main() -> int:
    report = asyncio.run(run())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fanout.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"every service answers after {report['delay_ms']:.0f} ms; target < {TARGET_MS:.0f} ms")
    for name, figures in report.items():
        if isinstance(figures, dict):
            print(
                f"  {name:<36} median {figures['median_ms']:7.1f} ms  "
                f"p95 {figures['p95_ms']:7.1f} ms  max {figures['max_ms']:7.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
