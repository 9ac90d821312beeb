"""The regional views' fan-out: concurrent calls with one deadline, partial results naming the
service that failed, the view failing only when nothing came back, and a breaker per service."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pydantic import AnyHttpUrl
from starlette.types import Receive, Scope, Send

from gateway.views.fanout import Part
from shared.problems import ProblemError
from shared.testing import free_port, make_principal, serve

from .conftest import OpenGateway

DEADLINE = 0.5
COORDINATOR = make_principal(role="regional_coordinator", regions=["01"])


class Upstream:
    """A service whose answer the test sets: a status, or no answer at all (``stall``)."""

    def __init__(self) -> None:
        self.status = 200
        self.stall = False
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        if self.stall:
            await asyncio.sleep(3600)
        body = json.dumps({"path": scope["path"], "query": scope["query_string"].decode()})
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


@asynccontextmanager
async def services(open_gateway: OpenGateway, **settings: Any) -> AsyncIterator[Any]:
    """offers and beneficiaries as test upstreams; network down (nothing listens on its port)."""
    offers, beneficiaries = Upstream(), Upstream()
    async with (
        serve(offers, lifespan="off") as offers_url,
        serve(beneficiaries, lifespan="off") as beneficiaries_url,
        open_gateway(
            offers_url=AnyHttpUrl(offers_url),
            beneficiaries_url=AnyHttpUrl(beneficiaries_url),
            network_url=AnyHttpUrl(f"http://127.0.0.1:{free_port()}"),
            view_deadline=DEADLINE,
            **settings,
        ) as (app, client),
    ):
        yield app.state.fanout, offers, beneficiaries, client


PARTS = {
    "supply": Part("offers", "/v1/stats/supply?region=01"),
    "outcomes": Part("beneficiaries", "/v1/stats/outcomes?region=01"),
    "demand": Part("network", "/v1/stats/demand?region=01"),
}


async def test_each_part_comes_back_or_is_named_with_what_happened(
    open_gateway: OpenGateway,
) -> None:
    async with services(open_gateway) as (fanout, offers, beneficiaries, _):
        beneficiaries.stall = True
        started = time.monotonic()
        gathered = await fanout.gather(COORDINATOR, PARTS)
        elapsed = time.monotonic() - started
    assert gathered.results == {"supply": {"path": "/v1/stats/supply", "query": "region=01"}}
    assert not gathered.completed
    assert [(e.service, e.reason) for e in gathered.errors] == [
        ("beneficiaries", "timeout"),
        ("network", "unavailable"),
    ]
    assert gathered.errors[0].detail == "The beneficiaries service did not answer in time."
    # The calls ran side by side: one deadline, not the sum (the stalled one would take an hour).
    assert elapsed < DEADLINE * 4
    gathered.raise_if_empty()  # something came back: the view answers


async def test_a_view_with_nothing_fails_504_when_all_were_slow_else_502(
    open_gateway: OpenGateway,
) -> None:
    async with services(open_gateway) as (fanout, offers, beneficiaries, _):
        offers.stall = beneficiaries.stall = True
        slow = await fanout.gather(COORDINATOR, {k: PARTS[k] for k in ("supply", "outcomes")})
        with pytest.raises(ProblemError) as timed_out:
            slow.raise_if_empty()
        assert timed_out.value.status == 504
        offers.stall = beneficiaries.stall = False
        offers.status, beneficiaries.status = 500, 502
        broken = await fanout.gather(COORDINATOR, PARTS)
    with pytest.raises(ProblemError) as failed:
        broken.raise_if_empty()
    assert failed.value.status == 502
    errors = failed.value.extra["errors"]
    assert {(e["service"], e["reason"]) for e in errors} == {
        ("offers", "broken"),
        ("beneficiaries", "broken"),
        ("network", "unavailable"),
    }
    assert broken.results == {}


async def test_a_failing_service_is_skipped_for_its_cool_down_then_tried_again(
    open_gateway: OpenGateway,
) -> None:
    settings = {"breaker_threshold": 2, "breaker_cooldown_seconds": 0.6}
    supply = {"supply": PARTS["supply"]}
    async with services(open_gateway, **settings) as (fanout, offers, _, client):
        offers.status = 503
        for _ in range(2):
            assert (await fanout.gather(COORDINATOR, supply)).errors[0].reason == "broken"
        assert await fanout.state("offers") == "open"
        calls = offers.calls
        skipped = await fanout.gather(COORDINATOR, supply)
        assert skipped.errors[0].reason == "circuit_open"
        assert offers.calls == calls  # not even asked
        status = (await client.get("/api/v1/status")).json()
        assert {s["service"]: s["circuit"] for s in status["services"]}["offers"] == "open"
        metrics = (await client.get("/metrics")).text
        assert (
            'kafaat_backend_circuit_state{backend="offers",kafaat_backend_circuit_state="open"} 1.0'
            in metrics
        )
        # The cool-down over, the next call tries it; it answers, the breaker closes.
        offers.status = 200
        await asyncio.sleep(0.7)
        calls = offers.calls  # /api/v1/status asked its /readyz meanwhile
        assert (await fanout.gather(COORDINATOR, supply)).completed
        assert await fanout.state("offers") == "closed"
        assert offers.calls == calls + 1


async def test_a_refusal_is_an_error_of_the_view_not_a_failure_of_the_service(
    open_gateway: OpenGateway,
) -> None:
    async with services(open_gateway, breaker_threshold=2) as (fanout, offers, _, _client):
        offers.status = 404
        for _ in range(3):
            gathered = await fanout.gather(COORDINATOR, {"supply": PARTS["supply"]})
            assert [(e.reason, e.detail) for e in gathered.errors] == [
                ("refused", "The offers service refused the request (it answered 404).")
            ]
        assert await fanout.state("offers") == "closed"
        assert offers.calls == 3
