"""Which differences between two versions of the public OpenAPI document break a client.

Written here because no maintained Python library does it for OpenAPI 3.1 (oasdiff, the reference
tool, is a Go binary; the PyPI packages are Swagger 2.0 only, unmaintained or a few weeks old).

A client generated from the ``old`` document breaks when, in the ``new`` one:

- an operation it calls is gone, or a status it handles (``removed status``);
- a field it reads or sends is gone (a property of a request or response schema, a parameter);
- an enum value it sends or compares with is gone;
- a request needs what it did not send: a field or parameter made required, or a new one that
  is required at once;
- a response field it relies on may now be missing (``response field made optional``).

Everything else (new operations, statuses, optional fields, enum values) is an addition: the
snapshot is refreshed and nobody's code breaks. Each breaking change is one line of text, stable
for a given difference, which is what the changelog records to accept it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_COMPOSITIONS = ("allOf", "anyOf", "oneOf")


@dataclass
class _Node:
    """What a client relies on at one place of a schema (``items[].title``)."""

    properties: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    enum: set[str] | None = None


Facts = dict[str, _Node]


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    seen = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen.add(ref)
        target: Any = document
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node = target
    return node


def _walk(
    document: Mapping[str, Any], schema: Any, where: str, facts: Facts, stack: tuple[str, ...]
) -> None:
    ref = schema.get("$ref") if isinstance(schema, Mapping) else None
    if ref is not None:
        if ref in stack:  # a recursive schema: its own place is already walked
            return
        stack = (*stack, ref)
    schema = _resolve(document, schema)
    if not isinstance(schema, Mapping):
        return
    node = facts.setdefault(where, _Node())
    if "enum" in schema or "const" in schema:
        values = {repr(value) for value in schema.get("enum", [schema.get("const")])}
        node.enum = values if node.enum is None else node.enum | values
    properties: Mapping[str, Any] = schema.get("properties", {})
    node.properties |= set(properties)
    node.required |= set(schema.get("required", []))
    for name, child in properties.items():
        _walk(document, child, f"{where}.{name}" if where else name, facts, stack)
    if "items" in schema:
        _walk(document, schema["items"], f"{where}[]", facts, stack)
    if isinstance(schema.get("additionalProperties"), Mapping):
        _walk(document, schema["additionalProperties"], f"{where}{{}}", facts, stack)
    for composition in _COMPOSITIONS:
        for branch in schema.get(composition, []):
            _walk(document, branch, where, facts, stack)


def _schema_facts(document: Mapping[str, Any], schema: Any) -> Facts:
    facts: Facts = {}
    _walk(document, schema, "", facts, ())
    return facts


def _operations(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        f"{method.upper()} {path}": item[method]
        for path, item in document.get("paths", {}).items()
        for method in _METHODS
        if method in item
    }


def _parameters(document: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, Any]:
    resolved = (_resolve(document, parameter) for parameter in operation.get("parameters", []))
    return {f"{p['in']} parameter {p['name']}": p for p in resolved}


def _body_schemas(document: Mapping[str, Any], holder: Any) -> Iterator[tuple[str, Any]]:
    for media_type, content in _resolve(document, holder).get("content", {}).items():
        if "schema" in content:
            yield media_type, content["schema"]


def _label(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _compare_schemas(
    old_document: Mapping[str, Any],
    old_schema: Any,
    new_document: Mapping[str, Any],
    new_schema: Any,
    prefix: str,
    *,
    sent: bool,
) -> Iterator[str]:
    """``sent``: the client sends this schema (a request body), else it reads it."""
    old, new = _schema_facts(old_document, old_schema), _schema_facts(new_document, new_schema)
    for where, before in old.items():
        after = new.get(where)
        if after is None:  # under a removed field: that field is the change
            continue
        for name in sorted(before.properties - after.properties):
            yield f"removed field: {prefix}: {_label(where, name)}"
        if before.enum is not None and after.enum is not None:
            for value in sorted(before.enum - after.enum):
                yield f"removed enum value: {prefix}: {where or '(value)'} = {value}"
        if sent:
            for name in sorted(after.required - before.required):
                change = "made required" if name in before.properties else "added as required"
                yield f"request field {change}: {prefix}: {_label(where, name)}"
        else:
            for name in sorted((before.required - after.required) & after.properties):
                yield f"response field made optional: {prefix}: {_label(where, name)}"


def _compare_operation(
    old_document: Mapping[str, Any],
    old: Mapping[str, Any],
    new_document: Mapping[str, Any],
    new: Mapping[str, Any],
    name: str,
) -> Iterator[str]:
    old_parameters = _parameters(old_document, old)
    new_parameters = _parameters(new_document, new)
    for key, parameter in old_parameters.items():
        replacement = new_parameters.get(key)
        if replacement is None:
            yield f"removed field: {name}: {key}"
            continue
        if replacement.get("required") and not parameter.get("required"):
            yield f"request field made required: {name}: {key}"
        yield from _compare_schemas(
            old_document,
            parameter.get("schema", {}),
            new_document,
            replacement.get("schema", {}),
            f"{name} {key}",
            sent=True,
        )
    for key, parameter in new_parameters.items():
        if key not in old_parameters and parameter.get("required"):
            yield f"request field added as required: {name}: {key}"
    if "requestBody" in old:
        old_bodies = dict(_body_schemas(old_document, old["requestBody"]))
        new_bodies = dict(_body_schemas(new_document, new.get("requestBody", {})))
        for media_type, schema in old_bodies.items():
            if media_type not in new_bodies:
                yield f"removed request body: {name}: {media_type}"
                continue
            yield from _compare_schemas(
                old_document,
                schema,
                new_document,
                new_bodies[media_type],
                f"{name} request body",
                sent=True,
            )
    elif _resolve(new_document, new.get("requestBody", {})).get("required"):
        yield f"request field added as required: {name}: request body"
    new_responses = new.get("responses", {})
    for status, response in old.get("responses", {}).items():
        if status not in new_responses:
            yield f"removed status: {name}: {status}"
            continue
        new_bodies = dict(_body_schemas(new_document, new_responses[status]))
        for media_type, schema in _body_schemas(old_document, response):
            if media_type not in new_bodies:
                yield f"removed response media type: {name} {status}: {media_type}"
                continue
            yield from _compare_schemas(
                old_document,
                schema,
                new_document,
                new_bodies[media_type],
                f"{name} {status} response",
                sent=False,
            )


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Every change from ``old`` to ``new`` that breaks a client of ``old``, one line each."""
    changes: list[str] = []
    new_operations = _operations(new)
    for name, operation in _operations(old).items():
        replacement = new_operations.get(name)
        if replacement is None:
            changes.append(f"removed operation: {name}")
            continue
        changes.extend(_compare_operation(old, operation, new, replacement, name))
    return sorted(set(changes))
