"""The OpenAPI document of every Kafaat application, completed from what the code already declares.

FastAPI documents what a route declares. What every route can answer without declaring it is
added here, once, so that a new route is documented the day it appears:

- ``security`` on every operation, from the route's own marker: ``@public`` (credentials are
  not even looked at) is ``[]``; a :func:`shared.policy.require` policy names the people's access
  token (with the roles it admits) and the API clients' OAuth2 scopes, and one that also lets
  anonymous callers in makes them optional (``{}``);
- the problems of the application itself: 400 (on every route: a path, query or header the
  request guard refuses, or an unreadable body), 401 (missing or invalid credentials, on every
  route not ``@public``), 403 (a policy that may refuse), 404 (a path that names a record), 412
  (``If-Match``), 422 (invalid parameters or body);
- every error answer as ``application/problem+json`` with the one :class:`Problem` schema;
- ``deprecated: true`` and the ``Deprecation`` (``Sunset``, ``Link``) headers on the answers of
  a route marked :func:`shared.deprecation.deprecated`.

The gateway adds what its edge answers on every route (413, 429, 502-504) when it merges the
documents (``gateway.openapi``); the response catalogue below serves both.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth import is_public
from shared.deprecation import Deprecation, deprecation_of
from shared.policy import ANY_ROLE, Policy, policies_of
from shared.principal import Role
from shared.problems import PROBLEM_MEDIA_TYPE, Problem

# Security scheme names (their definitions are the gateway's: it issues the tokens).
ACCESS_TOKEN_SCHEME = "accessToken"
API_CLIENT_SCHEME = "apiClient"
SCHEMA_REF = "#/components/schemas/"
RESPONSE_REF = "#/components/responses/"
HEADER_REF = "#/components/headers/"
PROBLEM_REF = SCHEMA_REF + "Problem"
# What FastAPI documents for its own 422 answer, which ours replaces.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Document = dict[str, Any]
Operation = dict[str, Any]


@dataclass(frozen=True)
class CommonResponse:
    """A problem answer documented once under ``components/responses``."""

    status: int
    name: str
    description: str
    headers: tuple[str, ...] = ()


RESPONSES: dict[int, CommonResponse] = {
    response.status: response
    for response in (
        CommonResponse(
            400,
            "BadRequest",
            "The request cannot be read: a body whose bytes are not text in its encoding "
            "(JSON that is not UTF-8), or a malformed path, query or header. JSON that does "
            "not parse is a 422 naming where it breaks.",
        ),
        CommonResponse(
            401,
            "Unauthorized",
            "Credentials are missing, expired or invalid. Sign in (or ask a token for the API "
            "client) and send it as `Authorization: Bearer <token>`.",
            headers=("WWW-Authenticate",),
        ),
        CommonResponse(403, "Forbidden", "Your role or scopes do not allow this action."),
        CommonResponse(
            404,
            "NotFound",
            "No such record, or one outside your scope (both answer alike).",
        ),
        CommonResponse(
            412,
            "PreconditionFailed",
            "`If-Match` names a version that is no longer current: read the record again.",
        ),
        CommonResponse(
            413, "ContentTooLarge", "The request body is larger than the gateway's limit."
        ),
        CommonResponse(
            422,
            "ValidationFailed",
            "Invalid parameters or body: `errors` names each field and the reason.",
        ),
        CommonResponse(
            429,
            "TooManyRequests",
            "Too many requests from this address or caller: retry after `Retry-After` seconds.",
            headers=(
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "RateLimit-Policy",
            ),
        ),
        CommonResponse(502, "BadGateway", "A service answered with a broken response."),
        CommonResponse(
            503,
            "ServiceUnavailable",
            "A service is unavailable; retry after `Retry-After` seconds when it is sent.",
            headers=("Retry-After",),
        ),
        CommonResponse(504, "GatewayTimeout", "A service did not answer within the deadline."),
    )
}

_INTEGER = {"type": "integer", "minimum": 0}
HEADERS: dict[str, dict[str, Any]] = {
    "WWW-Authenticate": {
        "description": "The authentication scheme to use (RFC 9110 §11.6.1).",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": _INTEGER,
    },
    "RateLimit-Limit": {
        "description": (
            "Requests allowed in the current window (draft-ietf-httpapi-ratelimit-headers)."
        ),
        "schema": _INTEGER,
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": _INTEGER,
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window resets.",
        "schema": _INTEGER,
    },
    "RateLimit-Policy": {
        "description": "The limit and its window in seconds, e.g. `300;w=60`.",
        "schema": {"type": "string"},
    },
    "Deprecation": {
        "description": (
            "This operation is deprecated since the date given, as `@` and Unix seconds "
            "(RFC 9745): move to its replacement (see the API's changelog)."
        ),
        "schema": {"type": "string", "pattern": "^@-?[0-9]+$"},
    },
    "Sunset": {
        "description": "When this operation will stop answering (RFC 8594, an HTTP date).",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'Where to read what replaces it (`rel="deprecation"`).',
        "schema": {"type": "string"},
    },
}


def problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}


def problem_schemas() -> dict[str, Any]:
    """``Problem`` and the schemas it uses, as ``components/schemas`` entries, as they are sent
    (:func:`shared.problems.problem_response`): a member that would be ``null`` is left out of
    a problem, and one with a default (``type``) is always there. The schemas it uses keep their
    ``null`` (a response model may send them too) but lose the default that would make
    generated clients take them for always present."""
    schema = Problem.model_json_schema(ref_template=SCHEMA_REF + "{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    used = {name: _as_sent(entry, null_left_out=False) for name, entry in definitions.items()}
    return {**used, "Problem": _as_sent(schema, null_left_out=True)}


def _as_sent(schema: dict[str, Any], *, null_left_out: bool) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    required: list[str] = schema.setdefault("required", [])
    for name, field in schema.get("properties", {}).items():
        if field.get("default", None) is not None:
            del field["default"]
            required.append(name)
            continue
        field.pop("default", None)
        choices = field.get("anyOf")
        if null_left_out and choices is not None and {"type": "null"} in choices:
            rest = [choice for choice in choices if choice != {"type": "null"}]
            del field["anyOf"]
            field.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
    return schema


def operations(document: Mapping[str, Any]) -> Iterable[tuple[str, str, Operation]]:
    """Every ``(path, method, operation)`` of a document."""
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                yield path, method, item[method]


def use_header(document: Document, name: str) -> dict[str, str]:
    document.setdefault("components", {}).setdefault("headers", {})[name] = copy.deepcopy(
        HEADERS[name]
    )
    return {"$ref": HEADER_REF + name}


def _response_definition(document: Document, common: CommonResponse) -> dict[str, Any]:
    definition: dict[str, Any] = {"description": common.description}
    if common.headers:
        definition["headers"] = {name: use_header(document, name) for name in common.headers}
    definition["content"] = problem_content()
    return definition


def document_status(document: Document, operation: Operation, status: int) -> None:
    """Document the common problem ``status`` on ``operation`` unless the route describes it
    itself; a route's own answer in another format (OAuth2 errors are ``application/json``) is
    kept, and gains the problem that the platform answers with the same status."""
    common = RESPONSES[status]
    responses: dict[str, Any] = operation.setdefault("responses", {})
    existing = responses.get(str(status))
    if existing is None:
        components = document.setdefault("components", {}).setdefault("responses", {})
        components[common.name] = _response_definition(document, common)
        responses[str(status)] = {"$ref": RESPONSE_REF + common.name}
        responses_in_order(operation)
    elif "$ref" not in existing:
        content = existing.setdefault("content", {})
        content.setdefault(PROBLEM_MEDIA_TYPE, problem_content()[PROBLEM_MEDIA_TYPE])


def responses_in_order(operation: Operation) -> None:
    """Sort the responses by status, in place (callers may hold the dictionary)."""
    responses: dict[str, Any] = operation["responses"]
    ordered = sorted(responses.items())
    responses.clear()
    responses.update(ordered)


def _is_problem(response: Mapping[str, Any]) -> bool:
    content: Mapping[str, Any] = response.get("content", {})
    if PROBLEM_MEDIA_TYPE in content:
        return True
    schema = content.get("application/json", {}).get("schema", {})
    name = str(schema.get("$ref", "")).removeprefix(SCHEMA_REF)
    return name == "Problem" or name in _FASTAPI_VALIDATION_SCHEMAS


def _normalise_problems(document: Document, operation: Operation) -> None:
    """Error answers are problem+json with the Problem schema (FastAPI documents them as
    ``application/json``, and its 422 with a schema of its own); a route's description is kept
    unless it is only the status phrase."""
    responses: dict[str, Any] = operation.get("responses", {})
    for status, response in list(responses.items()):
        if not status.isdigit() or int(status) < 400 or "$ref" in response:
            continue
        if not _is_problem(response):
            continue
        common = RESPONSES.get(int(status))
        # "Validation Error" is FastAPI's own description of its 422.
        generic = response.get("description") in (None, "", "Validation Error") or (
            common is not None and _is_status_phrase(response["description"], int(status))
        )
        if common is not None and generic and not response.get("headers"):
            del responses[status]
            document_status(document, operation, int(status))
        else:
            response["content"] = problem_content()


def _is_status_phrase(description: str, status: int) -> bool:
    return description == HTTPStatus(status).phrase


def security_requirement(public: bool, policies: list[Policy]) -> list[dict[str, list[str]]]:
    """The OpenAPI ``security`` of a route: ``[]`` when public; otherwise the access token of
    people (listing the roles admitted, none when any role is) and, when the policy names
    scopes, an API client token granted all of them; ``{}`` first when anonymous callers are let
    in too (credentials then widen what is answered)."""
    if public:
        return []
    if policies and all(policy.anonymous for policy in policies):
        return [{}, {ACCESS_TOKEN_SCHEME: []}, {API_CLIENT_SCHEME: []}]
    guarding = [policy for policy in policies if not policy.anonymous]
    roles: frozenset[Role] = ANY_ROLE
    scopes: set[str] = set()
    for policy in guarding:
        roles &= policy.roles
        scopes |= policy.scopes
    named_roles = [] if roles == ANY_ROLE else sorted(str(role) for role in roles)
    requirement: list[dict[str, list[str]]] = [{ACCESS_TOKEN_SCHEME: named_roles}]
    if guarding and all(policy.scopes for policy in guarding):
        requirement.append({API_CLIENT_SCHEME: sorted(scopes)})
    return requirement


_CONVERTOR = re.compile(r"{(\w+):\w+}")


@dataclass(frozen=True)
class _Route:
    public: bool
    policies: list[Policy]
    deprecation: Deprecation | None = None


def _routes(app: FastAPI) -> dict[tuple[str, str], _Route]:
    found: dict[tuple[str, str], _Route] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        # The effective dependant also holds dependencies added by include_router().
        dependant: Dependant = getattr(context, "dependant", route.dependant)
        described = _Route(
            public=is_public(route.endpoint),
            policies=policies_of(dependant),
            deprecation=deprecation_of(dependant),
        )
        # The document names a path parameter without its convertor: {id}, not {id:uuid}.
        path = _CONVERTOR.sub(r"{\1}", context.path or "")
        for method in context.methods or ():
            found[(path, method.lower())] = described
    return found


def _common_statuses(route: _Route, operation: Operation) -> list[int]:
    """The problems this application answers on the route without the route raising them."""
    parameters: list[dict[str, Any]] = operation.get("parameters", [])
    takes_body = "requestBody" in operation
    # Every route: a path, query or header the request guard refuses (shared.request_guard),
    # and with a body, one that cannot be decoded.
    statuses: list[int] = [400]
    if not route.public:
        statuses.append(401)  # credentials missing (where required) or invalid
    if any(not policy.anonymous for policy in route.policies):
        statuses.append(403)
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append(404)  # the record named, missing or outside the caller's scope
    if any(
        parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match"
        for parameter in parameters
    ):
        statuses.append(412)
    if parameters or takes_body:
        statuses.append(422)
    return statuses


def complete_document(document: Document, app: FastAPI) -> Document:
    """Add to ``document`` (``app``'s own) what its routes answer without declaring it."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(problem_schemas())
    routes = _routes(app)
    for path, method, operation in operations(document):
        # Deny by default, as the application does: an unknown route needs credentials.
        route = routes.get((path, method), _Route(public=False, policies=[]))
        operation["security"] = security_requirement(route.public, route.policies)
        _normalise_problems(document, operation)
        for status in _common_statuses(route, operation):
            document_status(document, operation, status)
        if route.deprecation is not None:
            _document_deprecation(document, operation, route.deprecation)
    _drop_unused_validation_schemas(document)
    document["components"] = dict(sorted(document["components"].items()))
    return document


def _document_deprecation(document: Document, operation: Operation, notice: Deprecation) -> None:
    operation["deprecated"] = True
    for status, response in operation["responses"].items():
        if status.startswith("2") and "$ref" not in response:
            headers = response.setdefault("headers", {})
            for name in notice.headers():
                headers.setdefault(name, use_header(document, name))


def _drop_unused_validation_schemas(document: Document) -> None:
    schemas: dict[str, Any] = document["components"]["schemas"]
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        if name in schemas and not _refers_to(document, SCHEMA_REF + name):
            del schemas[name]


def _refers_to(node: Any, ref: str) -> bool:
    """Whether anything but FastAPI's validation schemas themselves refers to ``ref``."""
    if isinstance(node, dict):
        if node.get("$ref") == ref:
            return True
        return any(
            _refers_to(value, ref)
            for key, value in node.items()
            if key not in _FASTAPI_VALIDATION_SCHEMAS
        )
    if isinstance(node, list):
        return any(_refers_to(item, ref) for item in node)
    return False


def install_openapi(app: FastAPI) -> None:
    """Serve ``app``'s document completed by :func:`complete_document` (built once, on first use,
    like FastAPI's own)."""
    completed: Document | None = None

    def openapi() -> Document:
        nonlocal completed
        if completed is None:
            completed = complete_document(FastAPI.openapi(app), app)
            app.openapi_schema = completed
        return completed

    app.openapi = openapi  # type: ignore[method-assign]
