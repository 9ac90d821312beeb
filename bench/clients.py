"""The gateway with another HTTP client on its proxy's hot path, for ``bench/gateway.py``.

The gateway as shipped sends proxied requests with aiohttp. These factories build the very same
application (middleware, identity, token minting, header rules, metrics) and replace only the
call that sends a request to the service and hands back its answer, so a side-by-side run
measures the client and nothing else:

    uvicorn --factory bench.clients:httpx2_gateway
"""

from __future__ import annotations

import types

from fastapi import FastAPI

from gateway.main import create_app
from gateway.proxy import Proxy, RequestBody, UpstreamResponse


async def _send_with_httpx2(
    proxy: Proxy, method: str, url: str, headers: list[tuple[str, str]], body: RequestBody
) -> UpstreamResponse:
    """The hot path as it was before aiohttp: the gateway's httpx2 client, streamed."""
    assert proxy.client is not None
    request = proxy.client.build_request(method, url, headers=headers, content=body)
    response = await proxy.client.send(request, stream=True)
    return UpstreamResponse(
        response.status_code, response.headers.raw, response.aiter_raw(), response.aclose
    )


def httpx2_gateway() -> FastAPI:
    app = create_app()
    proxy: Proxy = app.state.proxy
    proxy.send_upstream = types.MethodType(_send_with_httpx2, proxy)  # type: ignore[method-assign]
    return app
