"""The merged OpenAPI document that front-end clients are generated from, walked operation by
operation: each says how to authenticate and documents every status it can answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.identity.rate_limits import EXEMPT_PREFIXES
from kafaat.contract import main, merged_document
from shared.principal import Role

EDGE_STATUSES = {"400", "413", "502", "503", "504"}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
OAUTH_ERROR = {"$ref": "#/components/schemas/OAuthError"}
OPTIONAL_CREDENTIALS: list[dict[str, list[str]]] = [{}, {"accessToken": []}, {"apiClient": []}]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return merged_document()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        kind, name = node["$ref"].removeprefix("#/components/").split("/")
        node = document["components"][kind][name]
    return node


def test_the_document_covers_the_services(document: dict[str, Any]) -> None:
    assert "x-kafaat-missing-services" not in document
    ids = {operation["operationId"] for _, _, operation in operations(document)}
    assert {"auth-login", "offers-list", "sessions-reserve", "reference-regions"} <= ids
    assert len(ids) == len(operations(document)), "operation ids are unique"


def test_every_operation_declares_its_security(document: dict[str, Any]) -> None:
    flow = document["components"]["securitySchemes"]["apiClient"]["flows"]["clientCredentials"]
    roles = {str(role) for role in Role}
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        security = operation["security"]
        assert isinstance(security, list), where
        for requirement in security:
            assert set(requirement) <= {"accessToken", "apiClient"}, where
            assert set(requirement.get("apiClient", [])) <= set(flow["scopes"]), where
            assert set(requirement.get("accessToken", [])) <= roles, where
            if requirement.get("accessToken"):
                assert "admin" in requirement["accessToken"], where
    paths = document["paths"]
    public = {
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if operation["security"] == []
    }
    assert public == {
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/logout",
        "POST /api/v1/auth/token",
        "GET /api/v1/status",
        "GET /healthz",
        "GET /readyz",
    } | {f"GET {path}" for path in paths if path.startswith("/api/v1/reference/")}
    # The published register is readable without credentials; staff see more with them.
    for path in ("/api/v1/offers", "/api/v1/providers", "/api/v1/sessions"):
        assert paths[path]["get"]["security"] == OPTIONAL_CREDENTIALS
    assert paths["/api/v1/offers"]["post"]["security"] == [
        {"accessToken": ["admin", "provider_staff", "regional_coordinator"]},
        {"apiClient": ["offers:write"]},
    ]


def test_every_operation_documents_every_status_it_can_answer(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        statuses = set(operation["responses"])
        parameters = operation.get("parameters", [])
        takes_body = "requestBody" in operation
        assert EDGE_STATUSES <= statuses, where
        assert ("429" in statuses) is not path.startswith(EXEMPT_PREFIXES), where
        if operation["security"] != []:
            assert "401" in statuses, where
        if operation["security"] not in ([], OPTIONAL_CREDENTIALS):
            assert "403" in statuses, where
        if parameters or takes_body:
            assert "422" in statuses, where
        if any(parameter["in"] == "path" for parameter in parameters):
            assert "404" in statuses, where
        if any(parameter["name"].lower() == "if-match" for parameter in parameters):
            assert "412" in statuses, where
        # A duplicate still in flight, or a key reused for another request, is a 409.
        if any(parameter["name"].lower() == "idempotency-key" for parameter in parameters):
            assert "409" in statuses, where
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = resolved(document, response)["content"]
            if content.get("application/json", {}).get("schema") == OAUTH_ERROR:
                # The token endpoint answers its own errors as RFC 6749 §5.2 asks.
                assert path == "/api/v1/auth/token", where
                continue
            assert content == PROBLEM, (where, status)
        too_many = operation["responses"].get("429")
        if too_many is not None:
            assert "Retry-After" in resolved(document, too_many)["headers"], where


def test_the_dump_command_writes_the_document(document: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"
    assert main(["--output", str(output)]) == 0
    assert json.loads(output.read_text(encoding="utf-8")) == document
