"""One OpenAPI 3.1 document for the whole public API, merged from the services' documents.

Service paths (``/v1/offers``) are rewritten to public ones (``/api/v1/offers``) and kept only when
the route table exposes them, with the components they use. Components with the same name and
content are shared; a clash of different ones is resolved by prefixing the service's one with the
service name.

Each application's document already says what its routes answer and who may call them
(``shared.openapi``). The merge adds what only the public document knows: the security schemes
(people's bearer JWTs; API clients' OAuth2 client credentials with the gateway's scope catalogue),
``servers``, contact and licence, and what the edge answers on every route whatever the service:
400, 413, 429 (with ``Retry-After`` and the ``RateLimit-*`` headers, also sent on successes),
502, 503 and 504, all problem+json.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from gateway.identity.rate_limits import EXEMPT_PREFIXES
from gateway.identity.schemas import ClientScope
from gateway.proxy import Proxy
from gateway.routing import SERVICES, public_path
from gateway.upstreams import UpstreamError, get_json
from shared.auth import public
from shared.openapi import (
    ACCESS_TOKEN_SCHEME,
    API_CLIENT_SCHEME,
    document_status,
    operations,
    use_header,
)
from shared.principal import ANONYMOUS

logger = logging.getLogger("kafaat.gateway.openapi")
CACHE_SECONDS = 60.0
OPENAPI_PATH = "/api/v1/openapi.json"
CHANGELOG_PATH = "/api/v1/changelog"
# The regional adequacy review's method, formulas and thresholds (French, Arabic, English).
ADEQUACY_METHOD_PATH = "/api/v1/adequacy/method"
# Every problem code with its messages in French, Arabic and English (shared.problem_codes).
PROBLEM_CODES_PATH = "/api/v1/problem-codes"
_COMPONENTS_PREFIX = "#/components/"
TOKEN_OPERATION = "auth-token"
# The platform's version, the root pyproject's: every workspace member carries the same one
# (tests/test_contract_stability.py keeps them equal), and the images install the gateway's.
PLATFORM_VERSION = version("kafaat-gateway")
# Placeholders of the programme's own: to be confirmed by whoever owns the API's terms.
CONTACT = {"name": "Kafaat platform team", "url": "https://kafaat.ma"}
LICENSE = {"name": "Proprietary", "identifier": "LicenseRef-Kafaat-Proprietary"}
# Relative: the API is served by whichever origin served this document (the edge or the gateway).
SERVERS = [{"url": "/", "description": "The origin that served this document"}]
# What the edge (nginx) and the gateway's middleware answer on every route, whatever the service.
EDGE_STATUSES = (400, 413, 502, 503, 504)
RATE_LIMIT_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
)


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    """``renames`` maps ``kind/name`` (``schemas/Offer``) to the name it takes in the merge."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_COMPONENTS_PREFIX):
                target = value.removeprefix(_COMPONENTS_PREFIX)
                kind = target.split("/", 1)[0]
                renamed = renames.get(target)
                result[key] = _COMPONENTS_PREFIX + (f"{kind}/{renamed}" if renamed else target)
            else:
                result[key] = _rename_refs(value, renames)
        return result
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def _scope_description(scope: str) -> str:
    area, _, action = scope.partition(":")
    area = area.replace("-", " ")
    described = {
        "read": f"Read {area} records, drafts included where the client's regions allow",
        "write": f"Create, change and publish {area} records in the client's regions",
        "stats": f"Read aggregate {area} statistics (no personal data)",
        "reserve": f"Reserve and release seats ({area})",
    }
    return described.get(action, f"{action.capitalize()} {area}")


def security_schemes(token_url: str) -> dict[str, Any]:
    """How to authenticate: people's access tokens, and API clients' OAuth2 client credentials
    with every scope the gateway can grant (its own catalogue, :class:`ClientScope`)."""
    return {
        ACCESS_TOKEN_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "A person's access token (15 minutes at most) from `POST /api/v1/auth/login`, "
                "renewed with `POST /api/v1/auth/refresh`. Where an operation lists roles, only "
                "people with one of them (or admins) are let in."
            ),
        },
        API_CLIENT_SCHEME: {
            "type": "oauth2",
            "description": (
                "Client systems (regional IT): OAuth2 client credentials, limited to the "
                "client's regions. Send the token as `Authorization: Bearer <token>`."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": token_url,
                    "scopes": {
                        scope.value: _scope_description(scope.value) for scope in ClientScope
                    },
                }
            },
        },
    }


def _grantable_requirements(
    requirements: list[dict[str, list[str]]], grantable: set[str]
) -> list[dict[str, list[str]]]:
    """A requirement naming a scope no API client can be granted is one nobody can meet."""
    return [
        requirement
        for requirement in requirements
        if set(requirement.get(API_CLIENT_SCHEME, ())) <= grantable
    ]


def _document_edge_statuses(document: dict[str, Any], path: str, operation: dict[str, Any]) -> None:
    statuses = list(EDGE_STATUSES)
    rate_limited = not path.startswith(EXEMPT_PREFIXES)
    if rate_limited:
        statuses.append(429)
    for status in statuses:
        document_status(document, operation, status)
    if rate_limited:
        for code, response in operation["responses"].items():
            if code.startswith("2") and "$ref" not in response:
                headers = response.setdefault("headers", {})
                for name in RATE_LIMIT_HEADERS:
                    headers.setdefault(name, use_header(document, name))


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_COMPONENTS_PREFIX):
                yield value.removeprefix(_COMPONENTS_PREFIX)
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _drop_unreachable_components(document: dict[str, Any]) -> None:
    """Components only the services' internal paths used (``/v1/stats/...``) leave with them."""
    components: dict[str, dict[str, Any]] = document["components"]
    reachable: set[str] = set()
    pending = list(_references(document["paths"]))
    while pending:
        target = pending.pop()
        if target in reachable:
            continue
        reachable.add(target)
        kind, _, name = target.partition("/")
        pending.extend(_references(components.get(kind, {}).get(name)))
    for kind, entries in components.items():
        if kind == "securitySchemes":
            continue
        for name in [name for name in entries if f"{kind}/{name}" not in reachable]:
            del entries[name]


def _declare_tags(document: dict[str, Any], owners: dict[str, str]) -> None:
    """Every tag an operation uses is declared, saying which application serves it."""
    tags: list[dict[str, Any]] = document["tags"]
    known = {tag["name"] for tag in tags}
    used = {tag for _, _, operation in operations(document) for tag in operation.get("tags", [])}
    tags.extend(
        {"name": tag, "description": f"Served by {owners.get(tag, 'the gateway')}."}
        for tag in sorted(used - known)
    )


@dataclass(frozen=True)
class MethodNote:
    """How figures the API serves are computed (formulas, thresholds, sources), published with
    the API's documentation: a tag of its own, with no operation (``x-traitTag``), that ReDoc
    shows as a section and Swagger UI as a heading, so the method is one click from the figures.
    ``description`` is Markdown."""

    name: str
    title: str
    description: str

    def tag(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "x-displayName": self.title,
            "description": self.description,
            "x-traitTag": True,
        }


# The hook of the regional views (the adequacy dashboard and the regions' profiles): the issue
# that builds them adds its method here as ``MethodNote("method-regional-views", ...)``. Empty
# until then: no method is published that nobody has written.
METHOD_NOTES: tuple[MethodNote, ...] = ()


def merge_documents(
    base: dict[str, Any],
    services: dict[str, dict[str, Any]],
    *,
    method_notes: Sequence[MethodNote] = METHOD_NOTES,
) -> dict[str, Any]:
    """The public document: the gateway's own (``base``) and the services' whose paths the route
    table exposes, with how to authenticate, what the edge answers on every route and the
    methods behind the figures (``method_notes``)."""
    merged = copy.deepcopy(base)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    components: dict[str, dict[str, Any]] = merged.setdefault("components", {})
    tags: list[dict[str, Any]] = merged.setdefault("tags", [])
    owners: dict[str, str] = {}  # tag -> the service serving its operations
    for service, document in services.items():
        service_components: dict[str, dict[str, Any]] = document.get("components", {})
        renames = {
            f"{kind}/{name}": f"{service.title()}{name}"
            for kind, entries in service_components.items()
            for name, entry in entries.items()
            if name in components.get(kind, {}) and components[kind][name] != entry
        }
        document = _rename_refs(document, renames)
        for kind, entries in document.get("components", {}).items():
            into = components.setdefault(kind, {})
            for name, entry in entries.items():
                into.setdefault(renames.get(f"{kind}/{name}", name), entry)
        exposed = {
            public: item
            for public, item in (
                (public_path(service, path), item)
                for path, item in document.get("paths", {}).items()
            )
            if public is not None
        }
        paths.update(exposed)
        for _, _, operation in operations({"paths": exposed}):
            for tag in operation.get("tags", []):
                owners.setdefault(tag, f"the {service} service")
        known = {tag["name"] for tag in tags}
        tags.extend(tag for tag in document.get("tags", []) if tag["name"] not in known)
    merged["paths"] = dict(sorted(paths.items()))
    _complete(merged, owners)
    merged["tags"].extend(note.tag() for note in method_notes)
    return merged


def _complete(merged: dict[str, Any], owners: dict[str, str]) -> None:
    """What only the public document says: who serves it, how to authenticate, which tags
    there are, and what the edge answers on every route."""
    info = merged.get("info", {})
    merged["info"] = {
        **info,
        "description": (
            info.get("description", "")
            + "\n\nBreaking changes to this contract, version by version: "
            + f"[{CHANGELOG_PATH}]({CHANGELOG_PATH}). The regional adequacy review's method, "
            + "formulas and thresholds (français, العربية, English): "
            + f"[{ADEQUACY_METHOD_PATH}]({ADEQUACY_METHOD_PATH}). Errors are problems "
            + "(RFC 9457) in the language `Accept-Language` asks for (français by default, "
            + "العربية, English), each with a stable `code`: "
            + f"[{PROBLEM_CODES_PATH}]({PROBLEM_CODES_PATH})."
        ).strip(),
        "version": PLATFORM_VERSION,
        "contact": copy.deepcopy(CONTACT),
        "license": copy.deepcopy(LICENSE),
    }
    merged["servers"] = copy.deepcopy(SERVERS)
    _declare_tags(merged, owners)
    token_url = next(
        path
        for path, _, operation in operations(merged)
        if operation.get("operationId") == TOKEN_OPERATION
    )
    components: dict[str, dict[str, Any]] = merged["components"]
    components["securitySchemes"] = security_schemes(token_url)
    grantable = {scope.value for scope in ClientScope}
    for path, _, operation in operations(merged):
        operation["security"] = _grantable_requirements(operation.get("security", []), grantable)
        _document_edge_statuses(merged, path, operation)
    _drop_unreachable_components(merged)
    merged["components"] = {
        kind: dict(sorted(entries.items())) for kind, entries in sorted(components.items())
    }


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
