"""Keeping the figures' rollup up to date between reads: every ``stats_refresh_seconds`` the
process rebuilds the associations written since (``stats.rollup.refresh``), so a read finds
little or nothing left to build. A read still builds whatever is stale first: this only moves
the work off the reader's time. Replicas may all run it: the lock per association has one
build each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from beneficiaries.settings import Settings
from beneficiaries.stats import rollup
from shared.db import utcnow

logger = logging.getLogger(__name__)


async def _every(sessionmaker: async_sessionmaker[AsyncSession], seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            async with sessionmaker() as db:
                built = await rollup.refresh(db, utcnow().date())
            if built:
                logger.debug("statistics rebuilt for %d associations", built)
        except Exception:
            # The database away for a moment: the next read, or the next round, builds them.
            logger.warning("could not refresh the statistics' rollup", exc_info=True)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.stats_refresh_seconds <= 0:
        yield
        return
    task = asyncio.create_task(_every(app.state.sessionmaker, settings.stats_refresh_seconds))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
