"""A service killed (SIGKILL) while a stream of creates runs through the gateway, on each backend:
every request gets an answer (none hangs), the gateway answers 503 problem+json for the service
once it is gone and its status shows a partial view, and after a restart every record created
before the kill is there; the creates that failed, retried with their ``Idempotency-Key``, are
made once each.

One stream per service, through the first create of the merged OpenAPI that the service owns and
that takes an ``Idempotency-Key`` (a new service is covered the day its creates appear; their
bodies come from ``World.body``).
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from gateway import routing
from kafaat.hardening import Operation, World, assert_no_leak
from shared.problems import PROBLEM_MEDIA_TYPE

from .conftest import UPSTREAM_DEADLINE, FaultyPlatform
from .test_concurrent_writes import count, idempotent_creates

STREAM = 40
AT_ONCE = 6
# The kill comes once this many records of the stream are stored.
KILL_AFTER = 8
# Any answer comes within the gateway's deadline for the service; the client waits longer, so
# that a request the gateway left hanging fails the test as a timeout.
PATIENCE = UPSTREAM_DEADLINE + 10


def streams() -> list[tuple[str, Operation]]:
    """The first idempotent create of each service behind the gateway."""
    found: dict[str, Operation] = {}
    for op in idempotent_creates():
        owner = routing.resolve(op.path)
        if owner is not None:
            found.setdefault(owner[0].service, op)
    return sorted(found.items())


@dataclass
class Outcome:
    key: str
    body: dict[str, Any]
    after_kill: bool
    response: httpx2.Response | None  # None: cut off by the kill (see ``create``)

    @property
    def stored(self) -> bool:
        return self.response is not None and self.response.status_code == 201


@pytest.mark.parametrize(("service", "op"), streams(), ids=[name for name, _ in streams()])
async def test_a_service_killed_mid_load_loses_nothing_stored(
    service: str, op: Operation, faulty: FaultyPlatform, world: World
) -> None:
    bodies = [await asyncio.to_thread(world.body, op.operation_id) for _ in range(STREAM)]
    process = faulty.platform.process(service).popen
    killed = asyncio.Event()
    stored = 0
    gate = asyncio.Semaphore(AT_ONCE)
    limits = httpx2.Limits(max_connections=32, max_keepalive_connections=32)
    http = httpx2.AsyncClient(
        base_url=faulty.base_url, timeout=PATIENCE, trust_env=False, limits=limits
    )

    async def create(body: dict[str, Any]) -> Outcome:
        nonlocal stored
        key = f"stream-{uuid.uuid4().hex}"
        async with gate:
            after_kill = killed.is_set()
            headers = {**world.admin, "Idempotency-Key": key}
            try:
                response = await http.post(op.path, headers=headers, json=body)
            except httpx2.RemoteProtocolError:
                # The gateway had passed the service's status line on when the service died
                # in the middle of the body: the connection closes on a truncated answer.
                return Outcome(key, body, after_kill, None)
        stored += response.status_code == 201
        return Outcome(key, body, after_kill, response)

    async def kill() -> None:
        while stored < KILL_AFTER:
            await asyncio.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 15)
        killed.set()

    async with http:
        before = await count(http, op.path, world.admin)
        try:
            outcomes, _ = await asyncio.gather(
                asyncio.gather(*(create(body) for body in bodies)), kill()
            )
            status = await http.get("/api/v1/status")
        finally:
            if process.poll() is None:
                process.kill()
            await faulty.restart(service)

        answers = [outcome.response for outcome in outcomes if outcome.response is not None]
        for answer in answers:
            assert_no_leak(answer, op.operation_id)
        assert {a.status_code for a in answers} <= {201, 502, 503}, [a.text for a in answers]
        gone = [outcome for outcome in outcomes if outcome.after_kill]
        assert gone, "every request of the stream started before the kill"
        for answer in (a for a in answers if a.status_code != 201):
            # 502 only for a request in flight at the kill: the service closed it unanswered.
            assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
            assert answer.json()["service"] == service
        for outcome in gone:
            assert outcome.response is not None, "a request sent after the kill was cut off"
            assert outcome.response.status_code == 503, outcome.response.text
            assert outcome.response.headers["retry-after"]
        # A fan-out shows what it can: the other services answer, this one is unreachable.
        assert status.status_code == 200
        states = {s["service"]: s["status"] for s in status.json()["services"]}
        assert states[service] == "unreachable"
        assert {state for name, state in states.items() if name != service} == {"ready"}
        assert status.json()["status"] == "degraded"

        # Every record stored before the kill is there after the restart.
        created = [o.response.json() for o in outcomes if o.stored and o.response is not None]
        assert len(created) >= KILL_AFTER
        for record in created:
            again = await http.get(f"{op.path}/{record['id']}", headers=world.admin)
            assert again.status_code == 200, again.text
            assert again.json()["version"] == record["version"]
        # The failed ones, retried with their key, are made once each; none made twice.
        for outcome in (o for o in outcomes if not o.stored):
            headers = {**world.admin, "Idempotency-Key": outcome.key}
            retry = await http.post(op.path, headers=headers, json=outcome.body)
            assert retry.status_code == 201, retry.text
            created.append(retry.json())
        assert len({record["id"] for record in created}) == STREAM
        assert await count(http, op.path, world.admin) == before + STREAM
        ready = await http.get("/api/v1/status")
        assert ready.json()["status"] == "ready"
