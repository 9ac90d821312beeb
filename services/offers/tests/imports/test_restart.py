"""``kafaat-offers serve`` killed (SIGKILL) in the middle of an import job and started again:
the job finishes, and is never left ``running``; all or nothing leaves nothing half-applied."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from offers.catalogue.models import Offer
from shared.testing import Keys, free_port, make_principal

from .rows import PROVIDER_ROW, json_lines, offer_row

OFFERS = 24_000


def big_file() -> bytes:
    return json_lines([PROVIDER_ROW, *(offer_row(n) for n in range(OFFERS))])


class Service:
    """``kafaat-offers serve`` on a loopback port, on the test's database."""

    def __init__(self, database_url: str, keys: Keys, var_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "KAFAAT_OFFERS_DATABASE_URL": database_url,
            "KAFAAT_OFFERS_SERVICE_TOKEN_PUBLIC_KEYS": keys.public_pem.decode(),
            "KAFAAT_OFFERS_VAR_DIR": str(var_dir),
            "KAFAAT_OFFERS_LOG_LEVEL": "WARNING",
            "KAFAAT_OFFERS_JOB_LEASE_SECONDS": "3",
            "KAFAAT_OFFERS_JOB_HEARTBEAT_SECONDS": "0.5",
            "KAFAAT_OFFERS_JOB_POLL_SECONDS": "0.2",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from offers.cli import main; main()",
                "serve",
                "--port",
                str(self.port),
            ],
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the offers service stopped while starting"
            try:
                if httpx2.get(self.url + "/healthz", timeout=1.0, trust_env=False).is_success:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the offers service did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def service(
    database_url: str, clean_tables: AsyncEngine, keys: Keys, tmp_path: Path
) -> Iterator[Service]:
    running = Service(database_url, keys, tmp_path)
    try:
        yield running
    finally:
        running.stop()


async def stored_offers(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Offer)) or 0)


async def poll(client: httpx2.AsyncClient, location: str, keys: Keys) -> dict[str, Any]:
    response = await client.get(location.removeprefix("/api"), headers=keys.headers("offers"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def run_killed_and_restarted(
    service: Service, keys: Keys, engine: AsyncEngine, mode: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a job, kill the service under it, restart: the job as it was when killed, and
    as it ends."""
    await asyncio.to_thread(service.start)
    headers = {
        **keys.headers("offers", make_principal()),
        "Content-Type": "application/x-ndjson",
        "Prefer": "respond-async",
    }
    async with httpx2.AsyncClient(base_url=service.url, timeout=60, trust_env=False) as client:
        response = await client.post(
            "/v1/offers/import",
            content=big_file(),
            headers=headers,
            params={"source": "bulk", "mode": mode},
        )
        assert response.status_code == 202, response.text
        location = response.headers["location"]
        deadline = time.monotonic() + 60
        while True:
            job = await poll(client, location, keys)
            assert job["state"] in {"queued", "running"}, f"finished before the kill: {job}"
            # Kill it once a batch is committed (keep_valid), or a moment into its single
            # transaction (all_or_nothing).
            if job["state"] == "running" and (mode == "all_or_nothing" or job["rows_applied"]):
                if mode == "all_or_nothing":
                    await asyncio.sleep(0.5)
                break
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        service.kill()
        killed = job
        applied_at_kill = await stored_offers(engine)
        if mode == "all_or_nothing":
            assert applied_at_kill == 0
        else:
            assert 0 < applied_at_kill < OFFERS
        await asyncio.to_thread(service.start)
        deadline = time.monotonic() + 120
        while (job := await poll(client, location, keys))["state"] not in {"succeeded", "failed"}:
            assert time.monotonic() < deadline, f"still {job['state']} after the restart: {job}"
            await asyncio.sleep(0.2)
    return killed, job


async def test_keep_valid_job_resumes_after_a_kill(
    service: Service, keys: Keys, clean_tables: AsyncEngine
) -> None:
    killed, done = await run_killed_and_restarted(service, keys, clean_tables, "keep_valid")
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    report = done["report"]
    assert report["rows"] == OFFERS + 1
    assert report["offers"] == {"created": OFFERS, "updated": 0, "unchanged": 0, "rejected": 0}
    assert report["error_count"] == 0
    assert done["rows_applied"] == OFFERS + 1
    assert await stored_offers(clean_tables) == OFFERS


async def test_all_or_nothing_job_runs_again_after_a_kill(
    service: Service, keys: Keys, clean_tables: AsyncEngine
) -> None:
    killed, done = await run_killed_and_restarted(service, keys, clean_tables, "all_or_nothing")
    assert killed["rows_applied"] == 0
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    assert done["report"]["offers"]["created"] == OFFERS
    assert done["report"]["committed"] is True
    assert await stored_offers(clean_tables) == OFFERS
