"""Cross-service fixtures: the real four processes on free loopback ports, per backend."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest

from kafaat.testing import Platform, running_platform
from shared.testing import Keys


@pytest.fixture(scope="session")
async def platform(
    backend: str, keys: Keys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    directory = tmp_path_factory.mktemp(f"platform-{backend}")
    async with running_platform(backend, keys, directory) as running:
        yield running


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
