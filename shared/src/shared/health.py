"""``/healthz`` (the process answers) and ``/readyz`` (its database answers too)."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth import public
from shared.db import ping
from shared.problems import ProblemError, problem_responses

READINESS_TIMEOUT_SECONDS = 2.0
logger = logging.getLogger("kafaat.health")


class Health(BaseModel):
    status: Literal["ok", "ready"]


router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, name="live")
@public
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, name="ready", responses=problem_responses(503))
@public
async def readyz(request: Request) -> Health:
    engine: AsyncEngine = request.app.state.engine
    try:
        await asyncio.wait_for(ping(engine), READINESS_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("database not reachable: %s", exc)
        raise ProblemError(503, "database_unreachable", slug="not-ready") from exc
    return Health(status="ready")
