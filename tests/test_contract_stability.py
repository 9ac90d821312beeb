"""The contract front-end teams rely on: the merged document against its committed snapshot.
A change that breaks a client fails unless the API's changelog records it; an addition only
needs the snapshot refreshed (``make contract-snapshot``)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kafaat.compatibility import breaking_changes
from kafaat.contract import (
    REFRESH_COMMAND,
    check,
    document_text,
    merged_document,
    recorded_changes,
    unrecorded_breaking_changes,
)
from kafaat.platform import ROOT


def test_the_contract_matches_its_snapshot_or_says_how_to_refresh_it() -> None:
    problems = check()
    assert not problems, "\n".join(problems)


def test_the_document_carries_the_platform_version() -> None:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert merged_document()["info"]["version"] == root
    members = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    for member in members["members"]:
        pyproject = tomllib.loads((ROOT / member / "pyproject.toml").read_text())
        assert pyproject["project"]["version"] == root, member


def _document() -> dict[str, Any]:
    """A small document with what the rules look at: a body, a parameter, a response, an enum."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {
            "/api/v1/things": {
                "get": {
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Thing"},
                                    }
                                }
                            },
                        },
                        "422": {"description": "bad"},
                    },
                },
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}
                        },
                    },
                    "responses": {"201": {"description": "created"}},
                },
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "status": {"$ref": "#/components/schemas/Status"},
                        "parent": {
                            "anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]
                        },
                    },
                    "required": ["name", "status"],
                },
                "ThingIn": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "note": {"type": "string"}},
                    "required": ["name"],
                },
                "Status": {"type": "string", "enum": ["draft", "published"]},
            }
        },
    }


def _changed(change: str) -> dict[str, Any]:
    document = _document()
    things = document["paths"]["/api/v1/things"]
    schemas = document["components"]["schemas"]
    match change:
        case "operation":
            del things["post"]
        case "status":
            del things["get"]["responses"]["422"]
        case "field":
            del schemas["Thing"]["properties"]["name"]
        case "enum":
            schemas["Status"]["enum"] = ["published"]
        case "required":
            schemas["ThingIn"]["required"].append("note")
        case "new-required":
            schemas["ThingIn"]["properties"]["colour"] = {"type": "string"}
            schemas["ThingIn"]["required"].append("colour")
        case "parameter":
            things["get"]["parameters"][0]["required"] = True
        case "optional":
            schemas["Thing"]["required"] = ["name"]
    return document


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("operation", "removed operation: POST /api/v1/things"),
        ("status", "removed status: GET /api/v1/things: 422"),
        ("field", "removed field: GET /api/v1/things 200 response: [].name"),
        (
            "enum",
            "removed enum value: GET /api/v1/things 200 response: [].status = 'draft'",
        ),
        ("required", "request field made required: POST /api/v1/things request body: note"),
        (
            "new-required",
            "request field added as required: POST /api/v1/things request body: colour",
        ),
        ("parameter", "request field made required: GET /api/v1/things: query parameter limit"),
        ("optional", "response field made optional: GET /api/v1/things 200 response: [].status"),
    ],
)
def test_each_kind_of_breaking_change_is_named(change: str, expected: str) -> None:
    assert breaking_changes(_document(), _changed(change)) == [expected]


def test_additions_break_nobody() -> None:
    document = _document()
    things = document["paths"]["/api/v1/things"]
    schemas = document["components"]["schemas"]
    things["delete"] = {"responses": {"204": {"description": "gone"}}}
    document["paths"]["/api/v1/others"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    things["get"]["responses"]["404"] = {"description": "none"}
    things["get"]["parameters"].append({"name": "q", "in": "query", "schema": {"type": "string"}})
    schemas["Thing"]["properties"]["colour"] = {"type": "string"}
    schemas["ThingIn"]["properties"]["colour"] = {"type": "string"}
    schemas["Status"]["enum"].append("archived")
    assert breaking_changes(_document(), document) == []


CHANGELOG = """# Changes

## 1.1.0

- `removed status: GET /api/v1/things: 422` — validation moved to the edge.

## 1.0.0

- `removed operation: POST /api/v1/things` — use PUT.
"""


def test_a_breaking_change_recorded_under_the_current_version_is_accepted() -> None:
    assert recorded_changes(CHANGELOG, "1.1.0") == {"removed status: GET /api/v1/things: 422"}
    changed = _changed("status")
    changed["info"]["version"] = "1.1.0"
    assert unrecorded_breaking_changes(_document(), changed, CHANGELOG) == []
    # Recorded for another version: a new removal is not covered by an old entry.
    removed = _changed("operation")
    removed["info"]["version"] = "1.1.0"
    assert unrecorded_breaking_changes(_document(), removed, CHANGELOG) == [
        "removed operation: POST /api/v1/things"
    ]


def test_the_failure_says_what_to_record_and_how_to_refresh(tmp_path: Path) -> None:
    current = merged_document()
    snapshot = copy.deepcopy(current)
    snapshot["paths"]["/api/v1/gone"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    snapshot_path = tmp_path / "openapi.json"
    snapshot_path.write_text(document_text(snapshot), encoding="utf-8")
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(f"# Changes\n\n## {current['info']['version']}\n", encoding="utf-8")
    problems = check(snapshot_path, changelog)
    assert len(problems) == 1
    assert "`removed operation: GET /api/v1/gone`" in problems[0]
    assert f"## {current['info']['version']}" in problems[0]
    assert REFRESH_COMMAND in problems[0]
    # Once recorded, only the snapshot needs refreshing.
    changelog.write_text(
        changelog.read_text() + "\n- `removed operation: GET /api/v1/gone` — unused.\n"
    )
    refreshed = check(snapshot_path, changelog)
    assert len(refreshed) == 1
    assert "refresh its snapshot" in refreshed[0]
    assert REFRESH_COMMAND in refreshed[0]
    snapshot_path.write_text(document_text(current), encoding="utf-8")
    assert check(snapshot_path, changelog) == []
