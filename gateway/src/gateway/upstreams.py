"""Calls the gateway itself makes to services (status, OpenAPI, aggregation)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx2

from gateway.failures import as_failure, failure_problem, failure_reason
from gateway.proxy import Proxy
from shared.metrics import record_backend_call
from shared.observability import current_request_id
from shared.principal import Principal
from shared.problems import ProblemError


class UpstreamError(Exception):
    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


async def call(
    proxy: Proxy, service: str, path: str, principal: Principal, timeout: float | None
) -> httpx2.Response:
    """GET a service path as ``principal``: its answer, whatever its status; a call that gets
    no answer (down, too slow, broken) raises UpstreamError."""
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
    return response


async def get_json(
    proxy: Proxy, service: str, path: str, principal: Principal, *, timeout: float | None = None
) -> Any:
    """GET a service path as ``principal``; raises UpstreamError naming the service."""
    response = await call(proxy, service, path, principal, timeout)
    if response.status_code >= 400:
        raise UpstreamError(service, f"answered {response.status_code}")
    return response.json()


async def get_record(
    proxy: Proxy, service: str, path: str, principal: Principal, *, timeout: float | None = None
) -> dict[str, Any] | None:
    """GET one record of a service as ``principal``: None when the service answers 404 (missing,
    or outside the principal's scope); raises UpstreamError for any other failure, so that a
    service that is down is never taken for one that said no."""
    response = await call(proxy, service, path, principal, timeout)
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise UpstreamError(service, f"answered {response.status_code}")
    try:
        record = response.json()
    except ValueError as exc:
        raise UpstreamError(service, "broken") from exc
    if not isinstance(record, dict):
        raise UpstreamError(service, "broken")
    return record


def upstream_problem(error: UpstreamError) -> ProblemError:
    """The answer to a call the gateway needed and could not make, as the proxy gives it: 503
    when the service is down, 504 when it is too slow, 502 when it answered something else."""
    return failure_problem(as_failure(error.reason), error.service)
