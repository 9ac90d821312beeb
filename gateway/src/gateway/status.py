"""``/api/v1/status``: the readiness of every service, asked concurrently."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

import httpx2
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from gateway.proxy import Proxy
from gateway.routing import SERVICES
from gateway.views.fanout import FanOut
from shared.auth import public
from shared.metrics import CircuitState

STATUS_TIMEOUT_SECONDS = 2.0


class ServiceStatus(BaseModel):
    service: str
    status: Literal["ready", "not_ready", "unreachable"]
    latency_ms: float
    circuit: CircuitState = Field(
        description="The regional views' breaker in front of the service: `open` while it is "
        "skipped after repeated failures, `half_open` while the next call tries it again"
    )


class PlatformStatus(BaseModel):
    status: Literal["ready", "degraded"]
    services: list[ServiceStatus]


router = APIRouter(prefix="/api/v1", tags=["status"])


async def _readiness(proxy: Proxy, fanout: FanOut, service: str) -> ServiceStatus:
    assert proxy.client is not None
    started = time.perf_counter()
    try:
        async with asyncio.timeout(STATUS_TIMEOUT_SECONDS):
            response = await proxy.client.get(proxy.service_urls[service] + "/readyz")
        state: Literal["ready", "not_ready", "unreachable"] = (
            "ready" if response.status_code == 200 else "not_ready"
        )
    except (TimeoutError, httpx2.TransportError):
        state = "unreachable"
    latency = round((time.perf_counter() - started) * 1000, 1)
    return ServiceStatus(
        service=service, status=state, latency_ms=latency, circuit=await fanout.state(service)
    )


@router.get("/status", response_model=PlatformStatus, name="get")
@public
async def platform_status(request: Request) -> PlatformStatus:
    """Each service's readiness; ``degraded`` when any is not ready."""
    proxy: Proxy = request.app.state.proxy
    fanout: FanOut = request.app.state.fanout
    services = await asyncio.gather(*(_readiness(proxy, fanout, s) for s in SERVICES))
    overall: Literal["ready", "degraded"] = (
        "ready" if all(s.status == "ready" for s in services) else "degraded"
    )
    return PlatformStatus(status=overall, services=list(services))
