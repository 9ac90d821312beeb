"""Cross-service fixtures: the real four processes on free loopback ports, per backend."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx2
import pytest

from gateway import demo as gateway_demo
from kafaat import launcher
from kafaat.platform import PROCESSES
from kafaat.testing import Platform, platform_env
from shared.migrations import upgrade
from shared.testing import Keys, free_port, scratch_database


@pytest.fixture(scope="session")
async def platform(
    backend: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    directory = tmp_path_factory.mktemp(f"platform-{backend}")
    async with AsyncExitStack() as stack:
        urls = {
            p.name: await stack.enter_async_context(
                scratch_database(backend, f"kafaat_test_{p.name}", directory)
            )
            for p in PROCESSES
        }
        for process in PROCESSES:
            await asyncio.to_thread(upgrade, process.root, urls[process.name])
        # The demo accounts (one of every role) and the demo API client sign in below.
        await gateway_demo.seed(urls["gateway"])
        ports = {p.name: free_port() for p in PROCESSES}
        running = launcher.start(ports, platform_env(keys, urls, directory))
        try:
            base = f"http://127.0.0.1:{ports['gateway']}"
            ready = await asyncio.to_thread(launcher.wait_ready, base, running, 60.0)
            assert ready, "the platform did not become ready within 60 s"
            yield Platform(base, ports, running, urls)
        finally:
            await asyncio.to_thread(launcher.stop, running)


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(timeout=10.0, trust_env=False) as client:
        yield client


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
