"""Harness for cross-service tests: the real processes of the platform on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx2

from gateway import demo as gateway_demo
from kafaat import launcher
from kafaat.platform import PROCESSES
from shared.migrations import upgrade
from shared.testing import Keys, free_port, scratch_database

UPSTREAM_DEADLINE = 2.0


RESTART_READY_SECONDS = 60.0


@dataclass
class Platform:
    base_url: str
    ports: dict[str, int]
    running: list[launcher.Running]
    database_urls: dict[str, str]
    # The environment the processes were started with (a restarted one gets it again).
    environment: dict[str, str] = field(default_factory=dict)

    def url(self, process: str) -> str:
        return f"http://127.0.0.1:{self.ports[process]}"

    def process(self, name: str) -> launcher.Running:
        return next(item for item in self.running if item.process.name == name)

    async def restart(self, name: str) -> None:
        """Start ``name`` again on its port and database once it has stopped (a test that
        stops a process of a shared platform puts it back), and wait until it answers ready."""
        old = self.process(name)
        await asyncio.to_thread(old.popen.wait, 15)
        (new,) = launcher.start(self.ports, self.environment, processes=[old.process])
        self.running[self.running.index(old)] = new
        url = self.url(name) + "/readyz"
        deadline = asyncio.get_running_loop().time() + RESTART_READY_SECONDS
        async with httpx2.AsyncClient(timeout=2.0, trust_env=False) as client:
            while asyncio.get_running_loop().time() < deadline:
                assert new.popen.poll() is None, f"{name} exited with {new.popen.returncode}"
                try:
                    if (await client.get(url)).status_code == 200:
                        return
                except httpx2.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"{name} was not ready {RESTART_READY_SECONDS} s after its restart")


def platform_env(keys: Keys, urls: dict[str, str], var_dir: Path) -> dict[str, str]:
    env = {
        "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
        "KAFAAT_GATEWAY_UPSTREAM_DEADLINE": str(UPSTREAM_DEADLINE),
        "KAFAAT_GATEWAY_CONNECT_TIMEOUT": "1.0",
    }
    for process in PROCESSES:
        env[f"{process.env_prefix}DATABASE_URL"] = urls[process.name]
        env[f"{process.env_prefix}VAR_DIR"] = str(var_dir)
        env[f"{process.env_prefix}ENVIRONMENT"] = "test"
        if process.name != "gateway":
            env[f"{process.env_prefix}SERVICE_TOKEN_PUBLIC_KEYS"] = keys.public_pem.decode()
    return env


READY_SECONDS = 180.0


@asynccontextmanager
async def running_platform(
    backend: str,
    keys: Keys,
    directory: Path,
    settings: Mapping[str, str] | None = None,
    output: IO[bytes] | None = None,
) -> AsyncIterator[Platform]:
    """The four processes on free loopback ports, each on a new database of ``backend`` with
    the demo accounts (one of every role) and the demo API client; ``settings`` are extra
    environment variables (``KAFAAT_GATEWAY_RATE_LIMIT_PER_IP``, …); the processes' logs go to
    ``output`` when it is given."""
    async with AsyncExitStack() as stack:
        urls = {
            p.name: await stack.enter_async_context(
                scratch_database(backend, f"kafaat_test_{p.name}", directory)
            )
            for p in PROCESSES
        }
        for process in PROCESSES:
            await asyncio.to_thread(upgrade, process.root, urls[process.name])
        await gateway_demo.seed(urls["gateway"])
        ports = {p.name: free_port() for p in PROCESSES}
        env = {**platform_env(keys, urls, directory), **(settings or {})}
        running = launcher.start(ports, env, output=output)
        try:
            base = f"http://127.0.0.1:{ports['gateway']}"
            # A ceiling, not a target: four processes importing their code on a busy 2-core
            # machine took over 60 s (make run's own start is timed by test_run_command).
            ready = await asyncio.to_thread(launcher.wait_ready, base, running, READY_SECONDS)
            assert ready, f"the platform did not become ready within {READY_SECONDS:.0f} s"
            yield Platform(base, ports, running, urls, env)
        finally:
            await asyncio.to_thread(launcher.stop, running)
