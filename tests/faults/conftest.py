"""The platform the fault tests break: the four real processes on loopback, on each backend, with
rate limits raised (a stream of requests from one address must not be refused for its rate) and
the records of region 01 that the world of the hardening tests builds (``kafaat.hardening.World``),
so that a new service's routes are broken the day their recipes are there.

A test that kills a process restarts it (``FaultyPlatform.restart``) before it ends: the next
test finds the platform whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest

from kafaat.hardening import HARDENED_SETTINGS, Api, World, region_world
from kafaat.testing import Platform, platform_env, running_platform
from shared.testing import Keys

# The hardening settings (rate limits out of the way, one CORS origin, a small body limit) and a
# deadline for the services longer than the other platform tests' 2 s: twenty writers queued on
# one row of a busy 2-core machine must not be cut off as too slow.
UPSTREAM_DEADLINE = 10.0
# The regional views' deadline and their breakers' cool-down, short enough to see a breaker open
# and close again within a test.
VIEW_DEADLINE = 3.0
BREAKER_COOLDOWN = 2.0
SETTINGS = {
    **HARDENED_SETTINGS,
    "KAFAAT_GATEWAY_UPSTREAM_DEADLINE": str(UPSTREAM_DEADLINE),
    "KAFAAT_GATEWAY_VIEW_DEADLINE": str(VIEW_DEADLINE),
    "KAFAAT_GATEWAY_BREAKER_COOLDOWN_SECONDS": str(BREAKER_COOLDOWN),
}
ADMIN = "admin@demo.kafaat.ma"
COORDINATOR = "coordinator.tanger@demo.kafaat.ma"


@dataclass
class FaultyPlatform:
    """A running platform and what is needed to start one of its processes again."""

    platform: Platform
    backend: str
    environment: dict[str, str]
    api: Api
    world: World | None = field(default=None)

    @property
    def base_url(self) -> str:
        return self.platform.base_url

    async def restart(self, name: str) -> None:
        """Start ``name`` again on its port and database, once it has stopped, and wait until
        it answers ready."""
        await self.platform.restart(name)

    def the_world(self) -> World:
        """The records of region 01 and their people, built once per platform."""
        if self.world is None:
            self.world = build_world(self.api, self.platform)
        return self.world


def build_world(api: Api, platform: Platform) -> World:
    """The hardening tests' world of region 01 (their outsiders left out)."""
    gateway_database_url = platform.database_urls["gateway"]
    return region_world(api, api.sign_in(ADMIN), api.sign_in(COORDINATOR), gateway_database_url)


class Platforms:
    """One faulty platform per backend, started the first time a test asks for it (the test of
    PostgreSQL's own faults asks for PostgreSQL's whatever the backend of its run)."""

    def __init__(self, keys: Keys, factory: pytest.TempPathFactory, stack: AsyncExitStack) -> None:
        self.keys = keys
        self.factory = factory
        self.stack = stack
        self.started: dict[str, FaultyPlatform] = {}

    async def on(self, backend: str) -> FaultyPlatform:
        if backend not in self.started:
            directory: Path = self.factory.mktemp(f"faults-{backend}")
            platform = await self.stack.enter_async_context(
                running_platform(backend, self.keys, directory, SETTINGS)
            )
            environment = {
                **platform_env(self.keys, platform.database_urls, directory),
                **SETTINGS,
            }
            api = Api(platform.base_url)
            self.stack.callback(api.close)
            self.started[backend] = FaultyPlatform(platform, backend, environment, api)
        return self.started[backend]


@pytest.fixture(scope="session")
async def platforms(
    keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platforms]:
    async with AsyncExitStack() as stack:
        yield Platforms(keys, tmp_path_factory, stack)


@pytest.fixture(scope="session")
async def faulty(platforms: Platforms, backend: str) -> FaultyPlatform:
    return await platforms.on(backend)


@pytest.fixture(scope="session")
async def world(faulty: FaultyPlatform) -> World:
    return await asyncio.to_thread(faulty.the_world)


@pytest.fixture
async def http(faulty: FaultyPlatform) -> AsyncIterator[httpx2.AsyncClient]:
    """An asynchronous client of the gateway, for requests sent at the same time."""
    limits = httpx2.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx2.AsyncClient(
        base_url=faulty.base_url, timeout=20.0, trust_env=False, limits=limits
    ) as client:
        yield client
