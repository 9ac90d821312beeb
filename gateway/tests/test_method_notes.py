"""The methods behind the figures (the regional views' formulas and thresholds) are published
in the merged document, where /docs and /redoc show them beside the operations."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.openapi import METHOD_NOTES, PLATFORM_VERSION, MethodNote, merge_documents


def test_a_method_note_is_a_documentation_section_of_the_merged_document(app: FastAPI) -> None:
    note = MethodNote("method-example", "How the example is computed", "ratio = a / b")
    merged = merge_documents(app.openapi(), {}, method_notes=[note])
    tag = next(tag for tag in merged["tags"] if tag["name"] == "method-example")
    assert tag == {
        "name": "method-example",
        "x-displayName": "How the example is computed",
        "description": "ratio = a / b",
        "x-traitTag": True,
    }
    operations = [op for item in merged["paths"].values() for op in item.values()]
    assert all("method-example" not in op.get("tags", []) for op in operations)


def test_no_method_is_published_that_nobody_wrote(app: FastAPI) -> None:
    merged = merge_documents(app.openapi(), {})
    assert METHOD_NOTES == ()
    assert not [tag for tag in merged["tags"] if tag.get("x-traitTag")]
    assert merged["info"]["version"] == PLATFORM_VERSION
