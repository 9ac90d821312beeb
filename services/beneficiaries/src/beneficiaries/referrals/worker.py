"""The worker that settles pending referrals: a durable job per referral (``shared.jobs``).

The job is queued with the referral, in the same transaction, so a referral is never pending
without one; claimed with a lease, it survives the process: a job whose worker stopped is handed
back (shutdown) or claimed again once its lease expires (a kill), and resumed by the next process.
Its handler waits until the referral is older than ``referral_settle_after_seconds`` (the request
that made it has had its chance), then settles it, trying again every ``referral_retry_seconds``
while offers is away. The job ends when the referral is no longer pending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi import FastAPI

from beneficiaries.jobs import store
from beneficiaries.referrals import service
from beneficiaries.referrals.offers import PEER
from beneficiaries.settings import Settings
from shared.db import utcnow
from shared.jobs import Job, JobContext, JobKind, Worker
from shared.peers import PeerClient

logger = logging.getLogger(__name__)
# Interruptions (the service stopping under a job) tolerated before the job is given up: a
# pending referral must outlive any number of restarts, so as good as unlimited.
MAX_ATTEMPTS = 1000


def _settler(app: FastAPI) -> Any:
    settings: Settings = app.state.settings
    give_up_after = timedelta(seconds=settings.referral_give_up_seconds)

    async def run(context: JobContext) -> dict[str, Any]:
        referral_id = UUID(context.job.payload["referral_id"])
        client: PeerClient = app.state.offers
        wait = (
            settings.referral_settle_after_seconds
            - (utcnow() - context.job.created_at).total_seconds()
        )
        if wait > 0:
            await asyncio.sleep(wait)
        while True:
            try:
                async with context.sessionmaker() as db:
                    if await service.settle(db, client, referral_id, give_up_after):
                        return {"referral_id": str(referral_id)}
            except Exception:
                # A database away for a moment: the referral is still pending, try again.
                logger.warning("could not settle referral %s", referral_id, exc_info=True)
            await asyncio.sleep(settings.referral_retry_seconds)

    return run


def _interrupted(job: Job) -> str:
    return f"Stopped {job.attempts - 1} times before the referral was settled."


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The offers client and the worker, for the application's lifespan."""
    settings: Settings = app.state.settings
    client = PeerClient.from_settings(
        settings, app.state.service, PEER, str(settings.offers_url).rstrip("/")
    )
    client.open()
    app.state.offers = client
    try:
        async with Worker(
            app.state.sessionmaker,
            store,
            [JobKind(service.SETTLE_JOB, _settler(app), _interrupted)],
            concurrency=settings.referral_workers,
            max_attempts=MAX_ATTEMPTS,
        ) as worker:
            app.state.referral_worker = worker
            yield
    finally:
        await client.close()
