"""The TypeScript client front-end teams use: the committed types are the current contract's
(``make client``), and the examples of the front-end page are the ones ``make contract-check``
compiles under ``tsc --strict``."""

from __future__ import annotations

import json
import re

from kafaat.contract import CLIENT_COMMAND, TYPES, document_digest, merged_document, types_digest
from kafaat.platform import ROOT

PAGE = ROOT / "docs/calling-the-api.md"
EXAMPLES = ROOT / "tools/contract/examples.ts"
TSCONFIG = ROOT / "tools/contract/tsconfig.json"


def test_the_committed_types_are_the_current_contracts() -> None:
    committed = types_digest(TYPES.read_text(encoding="utf-8"))
    assert committed is not None, f"{TYPES} has no header: run `{CLIENT_COMMAND}`"
    assert committed == document_digest(merged_document()), (
        f"the contract changed since {TYPES.relative_to(ROOT)} was generated: "
        f"run `{CLIENT_COMMAND}` and commit it"
    )


def test_the_page_shows_the_examples_that_are_compiled() -> None:
    blocks = re.findall(r"```ts\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) >= 6
    examples = EXAMPLES.read_text(encoding="utf-8")
    position = 0
    for block in blocks:
        found = examples.find(block, position)
        assert found >= 0, f"a block of {PAGE.name} is not in {EXAMPLES.name}:\n{block}"
        position = found + len(block)
    for subject in ("/api/v1/auth/login", "/api/v1/auth/refresh", "cursor", "If-Match", "errors"):
        assert any(subject in block for block in blocks), subject
    compiled = json.loads(TSCONFIG.read_text(encoding="utf-8"))
    assert compiled["compilerOptions"]["strict"] is True
    assert {"examples.ts", "../../clients/typescript/api.d.ts"} <= set(compiled["files"])
