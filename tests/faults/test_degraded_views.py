"""The regional views with each service in turn stopped (SIGKILL) and in turn stalled (SIGSTOP):
every view answers 200 with ``completed: false``, names the service and what
happened in ``errors`` and leaves that service's blocks empty while the others are filled; none
waits past its deadline (the client gives up later, so a hanging view fails as a timeout); the
breaker opens after repeated failures, shows in ``/api/v1/status``, and closes again once the
service is back and the cool-down has passed.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import httpx2
import pytest

from .conftest import BREAKER_COOLDOWN, VIEW_DEADLINE, FaultyPlatform

VIEWS = {
    "dashboard": "/api/v1/dashboard?region=01",
    "adequacy": "/api/v1/adequacy?region=01&year=2026",
    "profile": "/api/v1/regions/01/profile",
}
# What each view shows of each service: empty (null) when the service is away.
BLOCKS: dict[str, dict[str, tuple[str, ...]]] = {
    "dashboard": {
        "offers": ("training",),
        "beneficiaries": ("support",),
        "network": ("partnership",),
    },
    "adequacy": {
        "offers": ("labour_market", "efficiency"),
        "beneficiaries": ("inclusion",),
        "network": ("labour_market", "governance"),
    },
    "profile": {
        "offers": ("training",),
        "beneficiaries": ("support",),
        "network": ("networks", "upcoming_events"),
    },
}
# A killed process refuses new connections (unavailable) and resets the ones the gateway pooled
# (broken); a stalled one accepts and never answers (timeout).
REASONS = {
    "stopped": {"unavailable", "broken", "circuit_open"},
    "stalled": {"timeout", "circuit_open"},
}
# A view answers within its deadline; the client waits far longer before calling it a hang.
PATIENCE = VIEW_DEADLINE + 10


async def views(http: httpx2.AsyncClient, viewer: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every view at once, as a front-end page asks for them."""
    responses = await asyncio.gather(
        *(http.get(path, headers=viewer, timeout=PATIENCE) for path in VIEWS.values())
    )
    answers = {}
    for name, response in zip(VIEWS, responses, strict=True):
        assert response.status_code == 200, f"{name}: {response.text}"
        answers[name] = response.json()
    return answers


async def circuit(http: httpx2.AsyncClient, service: str) -> str:
    status = (await http.get("/api/v1/status", timeout=PATIENCE)).json()
    found: str = next(s["circuit"] for s in status["services"] if s["service"] == service)
    return found


# The views keep nothing in a database: what is tested is the gateway's handling of a service
# gone or silent, the same whatever the services store in. One backend keeps `make test` short.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("mode", ["stopped", "stalled"])
@pytest.mark.parametrize("service", ["offers", "beneficiaries", "network"])
async def test_views_answer_without_a_service_then_recover(
    service: str, mode: str, faulty: FaultyPlatform, http: httpx2.AsyncClient
) -> None:
    viewer = await asyncio.to_thread(faulty.api.sign_in, "viewer@demo.kafaat.ma")
    healthy = await views(http, viewer)
    assert all(answer["completed"] for answer in healthy.values()), healthy
    process = faulty.platform.process(service).popen
    if mode == "stopped":
        process.kill()
    else:
        os.kill(process.pid, signal.SIGSTOP)
    try:
        # Two rounds: the first round's calls reach the breaker's threshold (three failures), so
        # the second meets it open.
        for _ in range(2):
            for name, answer in (await views(http, viewer)).items():
                assert answer["completed"] is False, name
                assert [error["service"] for error in answer["errors"]] == [service], name
                assert answer["errors"][0]["reason"] in REASONS[mode], answer["errors"]
                away = BLOCKS[name][service]
                for block in away:
                    assert answer[block] is None, (name, block)
                present = {b for blocks in BLOCKS[name].values() for b in blocks} - set(away)
                for block in present:
                    assert answer[block] is not None, (name, block)
        assert await circuit(http, service) == "open"
    finally:
        if mode == "stopped":
            await faulty.restart(service)
        else:
            os.kill(process.pid, signal.SIGCONT)
    # After the cool-down the next call tries the service again, and one success closes it.
    await asyncio.sleep(BREAKER_COOLDOWN + 0.5)
    recovered = await views(http, viewer)
    assert all(answer["completed"] for answer in recovered.values()), recovered
    assert await circuit(http, service) == "closed"
