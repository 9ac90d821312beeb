"""Cross-service fixtures: the real four processes on free loopback ports, per backend."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import pytest

from kafaat.testing import Platform, running_platform
from shared.testing import TEST_LANGUAGE_HEADERS, Keys

# The session's platforms (one per backend), for the check that each module leaves them whole.
STARTED: list[Platform] = []


@pytest.fixture(scope="session")
async def platform(
    backend: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    directory = tmp_path_factory.mktemp(f"platform-{backend}")
    async with running_platform(backend, keys, directory) as running:
        STARTED.append(running)
        yield running
        STARTED.remove(running)


@pytest.fixture(scope="module", autouse=True)
def platform_left_whole(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module that stops a process of the session's platform starts it again
    (``Platform.restart``): the modules after it would meet a service that is gone."""
    yield
    for running in STARTED:
        gone = [item.process.name for item in running.running if item.popen.poll() is not None]
        assert not gone, f"{request.node.name} left {', '.join(gone)} stopped"


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    # English problems, as the test kit's clients ask (tests/test_problem_languages.py has the
    # French default and Arabic).
    async with httpx2.AsyncClient(
        timeout=10.0, trust_env=False, headers=TEST_LANGUAGE_HEADERS
    ) as client:
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
