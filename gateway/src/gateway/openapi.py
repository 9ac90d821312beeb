"""One OpenAPI 3.1 document for the whole public API, merged from the services' documents.

Service paths (``/v1/offers``) are rewritten to public ones (``/api/v1/offers``) and kept only when
the route table exposes them. Schemas with the same name and content are shared; a clash of
different schemas is resolved by prefixing the service's one with the service name.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from gateway.proxy import Proxy
from gateway.routing import SERVICES, public_path
from gateway.upstreams import UpstreamError, get_json
from shared.auth import public
from shared.principal import ANONYMOUS

logger = logging.getLogger("kafaat.gateway.openapi")
CACHE_SECONDS = 60.0
OPENAPI_PATH = "/api/v1/openapi.json"
_REF_PREFIX = "#/components/schemas/"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX):
                name = value.removeprefix(_REF_PREFIX)
                result[key] = _REF_PREFIX + renames.get(name, name)
            else:
                result[key] = _rename_refs(value, renames)
        return result
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def merge_documents(base: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    tags: list[dict[str, Any]] = merged.setdefault("tags", [])
    for service, document in services.items():
        service_schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service.title()}{name}"
            for name, schema in service_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        document = _rename_refs(document, renames)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for path, operations in document.get("paths", {}).items():
            public = public_path(service, path)
            if public is not None:
                paths[public] = operations
        known = {tag["name"] for tag in tags}
        tags.extend(tag for tag in document.get("tags", []) if tag["name"] not in known)
    merged["paths"] = dict(sorted(paths.items()))
    return merged


class MergedOpenAPI:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._cached: dict[str, Any] | None = None
        self._cached_at = 0.0
        self._lock = asyncio.Lock()

    async def document(self, proxy: Proxy) -> dict[str, Any]:
        async with self._lock:
            if self._cached is not None and time.monotonic() - self._cached_at < CACHE_SECONDS:
                return self._cached
            results = await asyncio.gather(
                *(get_json(proxy, service, "/openapi.json", ANONYMOUS) for service in SERVICES),
                return_exceptions=True,
            )
            documents: dict[str, dict[str, Any]] = {}
            missing: list[str] = []
            for service, result in zip(SERVICES, results, strict=True):
                if isinstance(result, UpstreamError):
                    logger.warning("no OpenAPI document from %s: %s", service, result.reason)
                    missing.append(service)
                elif isinstance(result, BaseException):
                    raise result
                else:
                    documents[service] = result
            merged = merge_documents(self.app.openapi(), documents)
            if missing:
                # A partial document is served but not kept, so it heals when services return.
                merged["x-kafaat-missing-services"] = missing
                return merged
            self._cached, self._cached_at = merged, time.monotonic()
            return merged


router = APIRouter(tags=["openapi"])


@router.get(OPENAPI_PATH, include_in_schema=False)
@public
async def openapi_document(request: Request) -> Response:
    merged: MergedOpenAPI = request.app.state.merged_openapi
    body = json.dumps(await merged.document(request.app.state.proxy), ensure_ascii=False)
    return Response(body, media_type="application/json")


@router.get("/docs", include_in_schema=False)
@public
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=OPENAPI_PATH, title="Kafaat API")
