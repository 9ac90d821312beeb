"""Calls the gateway itself makes to services (status, OpenAPI, aggregation)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx2

from gateway.proxy import Proxy, failure_reason
from shared.metrics import record_backend_call
from shared.observability import current_request_id
from shared.principal import Principal


class UpstreamError(Exception):
    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


async def get_json(
    proxy: Proxy, service: str, path: str, principal: Principal, *, timeout: float | None = None
) -> Any:
    """GET a service path as ``principal``; raises UpstreamError naming the service."""
    assert proxy.client is not None
    headers = {"authorization": "Bearer " + proxy.minter.token_for(principal, service)}
    request_id = current_request_id()
    if request_id:
        headers["x-request-id"] = request_id
    deadline = timeout or proxy.settings.upstream_deadline
    started = time.perf_counter()
    try:
        async with asyncio.timeout(deadline):
            response = await proxy.client.get(proxy.service_urls[service] + path, headers=headers)
    except (TimeoutError, httpx2.TransportError) as exc:
        reason = failure_reason(exc)
        record_backend_call(service, reason, time.perf_counter() - started)
        raise UpstreamError(service, reason) from exc
    record_backend_call(service, response.status_code, time.perf_counter() - started)
    if response.status_code >= 400:
        raise UpstreamError(service, f"answered {response.status_code}")
    return response.json()
