from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import create_engine
from shared.testing import scratch_database


@pytest.fixture(scope="session")
async def scratch_engine(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """An empty database of each backend for tests of the shared infrastructure."""
    directory: Path = tmp_path_factory.mktemp("shared")
    async with scratch_database(backend, "kafaat_test_shared", directory) as url:
        engine = create_engine(url)
        yield engine
        await engine.dispose()
