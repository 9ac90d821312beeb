"""The regional views' fan-out with every service delayed 200 ms: one deadline, not the sum.

    python -m bench fanout

Three loopback services (one per backend of the views) answer their figures after 200 ms. The
gateway, in-process with its real fan-out (``gateway.views.fanout``: the proxy's client, service
tokens, the breakers), asks them side by side; measured side by side in the same run: one call to
one service (the floor), the three one after another (what a view would cost without the fan-out),
and the three at once, alone and with 10 views in flight. Target (issue 13): < 300 ms.

The views themselves (issue 12) are measured too, through their routes (``/api/v1/dashboard``,
``/api/v1/adequacy`` in JSON and as the printable page, ``/api/v1/regions/01/profile``) as a
signed-in viewer: the delayed services answer the figures each real service gives on an empty
database (computed once at the start by the services' own code), so the views put real shapes
together.
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

import httpx2
from pydantic import AnyHttpUrl, BaseModel
from starlette.types import Receive, Scope, Send

from gateway.main import create_app
from gateway.settings import Settings
from gateway.views.fanout import FanOut, Part
from kafaat.platform import ROOT
from shared.migrations import upgrade
from shared.principal import Role
from shared.settings import Environment
from shared.testing import asgi_client, make_principal, serve

RESULTS = Path(__file__).parent / "results"
DELAY_SECONDS = 0.2
ROUNDS = 30
TARGET_MS = 300.0
PARTS = {  # the dashboard's calls
    "supply": Part("offers", "/v1/stats/supply?region=01&year=2026"),
    "outcomes": Part("beneficiaries", "/v1/stats/outcomes?region=01&year=2026"),
    "activity": Part("network", "/v1/stats/activity?region=01&year=2026"),
}
VIEWS = {
    "dashboard": "/api/v1/dashboard?region=01",
    "adequacy (JSON)": "/api/v1/adequacy?region=01&year=2026",
    "adequacy (printable page)": "/api/v1/adequacy?region=01&year=2026&format=html",
    "region profile": "/api/v1/regions/01/profile",
}
VIEWER_EMAIL = "viewer@bench.kafaat.ma"
VIEWER_PASSWORD = "bench-viewer-password-2026"


async def service_figures(directory: Path) -> dict[str, bytes]:
    """What each statistics route of the real services answers on an empty database, by path."""
    from beneficiaries.stats import service as outcomes_service
    from network.activity import service as activity_service
    from network.demand import service as demand_service
    from offers.stats import service as supply_service
    from shared.db import create_engine, create_sessionmaker, utcnow

    viewer = make_principal(role="viewer")
    today = utcnow().date()
    found: dict[str, bytes] = {}
    for name in ("offers", "beneficiaries", "network"):
        url = f"sqlite+aiosqlite:///{directory / (name + '.db')}"
        await asyncio.to_thread(upgrade, ROOT / "services" / name, url)
        engine = create_engine(url)
        async with create_sessionmaker(engine)() as db:
            figures: dict[str, BaseModel | dict[str, Any]] = {}
            if name == "offers":
                figures["/v1/stats/supply"] = await supply_service.supply(db, "01", 2026, today)
            elif name == "beneficiaries":
                figures["/v1/stats/outcomes"] = await outcomes_service.outcomes(
                    db, viewer, region="01", year=2026, association_id=None, today=today
                )
            else:
                figures["/v1/stats/demand"] = await demand_service.demand(db, "01", 2026)
                figures["/v1/stats/activity"] = await activity_service.activity(db, "01", 2026)
                figures["/v1/stats/overview"] = {"region": "01", "networks": [], "upcoming": []}
            for path, value in figures.items():
                found[path] = (
                    value.model_dump_json().encode()
                    if isinstance(value, BaseModel)
                    else json.dumps(value).encode()
                )
        await engine.dispose()
    return found


def delayed(figures: dict[str, bytes]) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(DELAY_SECONDS)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": figures[scope["path"]]})

    return answer


async def _viewer_headers(app: Any, client: httpx2.AsyncClient) -> dict[str, str]:
    from gateway.identity import service as identity_service
    from gateway.identity.dependencies import passwords_for
    from gateway.identity.scopes import UserScope
    from shared.db import create_sessionmaker

    async with create_sessionmaker(app.state.engine)() as session:
        await identity_service.add_account(
            session,
            passwords_for(app.state.settings),
            email=VIEWER_EMAIL,
            full_name="Bench Viewer",
            password=VIEWER_PASSWORD,
            scope=UserScope(role=Role.VIEWER),
        )
        await session.commit()
    login = await client.post(
        "/api/v1/auth/login", json={"email": VIEWER_EMAIL, "password": VIEWER_PASSWORD}
    )
    login.raise_for_status()
    return {"Authorization": "Bearer " + login.json()["access_token"]}


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
        answer = delayed(await service_figures(Path(directory)))
        async with (
            serve(answer, lifespan="off") as offers,
            serve(answer, lifespan="off") as beneficiaries,
            serve(answer, lifespan="off") as network,
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
            async with asgi_client(app) as client:
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
                viewer = await _viewer_headers(app, client)

                def view(path: str) -> Callable[[], Awaitable[None]]:
                    async def once() -> None:
                        response = await client.get(path, headers=viewer)
                        response.raise_for_status()
                        if "format=" not in path and not response.json()["completed"]:
                            raise RuntimeError(response.json()["errors"])

                    return once

                views = {}
                for name, path in VIEWS.items():
                    await view(path)()
                    views[f"view: {name}"] = _summary(await _timed(ROUNDS, view(path)))
                return {
                    "delay_ms": DELAY_SECONDS * 1000,
                    "one service": _summary(
                        await _timed(ROUNDS, lambda: fanout.gather(principal, one))
                    ),
                    "three one after another": _summary(await _timed(10, sequential)),
                    "three at once (the fan-out)": _summary(await _timed(ROUNDS, at_once)),
                    "three at once, 10 views in flight": _summary(await _timed(10, ten_views)),
                    **views,
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
