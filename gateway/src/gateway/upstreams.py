"""Calls the gateway itself makes to services (status, OpenAPI, aggregation)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

from gateway.proxy import Proxy
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
    try:
        async with asyncio.timeout(deadline):
            response = await proxy.client.get(proxy.service_urls[service] + path, headers=headers)
    except TimeoutError as exc:
        raise UpstreamError(service, "timeout") from exc
    except httpx2.TimeoutException as exc:
        raise UpstreamError(service, "timeout") from exc
    except httpx2.TransportError as exc:
        raise UpstreamError(service, "unavailable") from exc
    if response.status_code >= 400:
        raise UpstreamError(service, f"answered {response.status_code}")
    return response.json()
