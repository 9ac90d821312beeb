"""Every problem code the platform can answer has its messages in French, Arabic and English.

The codes are found in the source, not listed by hand: every call that takes a code (the
problem helpers of ``shared.problems`` and ``shared.translations``, and any function of the
platform that hands its ``code`` or ``reason`` parameter on to one of them), every field issue
``(field, "code")``, every function answering a ``Code``, plus pydantic's own error types. A new
code without its three messages fails here, whichever file raises it.
"""

from __future__ import annotations

import ast
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest
from pydantic_core import core_schema

from gateway.failures import UpstreamFailure
from gateway.identity.organisations import ORGANISATIONS
from gateway.views.fanout import Reason as FanOutReason
from shared import problem_codes
from shared.translations import LANGUAGES, lookup

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "shared/src", ROOT / "gateway/src", *sorted((ROOT / "services").glob("*/src"))]
CODE_SHAPE = r"[a-z][a-z0-9_]*"

# The calls every code goes through: (name, position of the code, keyword) → message context.
# ``ProblemError``'s position counts ``status``; ``Message`` may say its context itself.
BASE: dict[tuple[str, int, str], str] = {
    ("ProblemError", 1, "code"): "detail",
    ("msg", 0, "code"): "reason",
    ("Message", 0, "code"): "reason",
    ("PydanticCustomError", 0, "error_type"): "reason",
    ("record", 0, "kind"): "record",
    ("quantity", 0, "unit"): "unit",
}

# Codes built from a value: the source line that builds them → every value it can take.
DYNAMIC: dict[str, set[tuple[str, str]]] = {
    "gateway/views/fanout.py:figures_": {
        ("reason", f"figures_{reason}") for reason in typing.get_args(FanOutReason)
    },
    "gateway/failures.py:upstream_": {
        ("detail", f"upstream_{reason}") for reason in typing.get_args(UpstreamFailure)
    },
    "shared/problems.py:http_": {
        ("title", f"http_{status.value}") for status in HTTPStatus if status >= 400
    },
}


@dataclass(frozen=True)
class Use:
    context: str
    code: str
    where: str


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[position]
    return None


def _functions(
    tree: ast.Module,
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, int]]:
    """(name it is called by, definition, how many leading parameters a call does not pass)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    yield node.name, item, 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "__init__":
            params = node.args.posonlyargs + node.args.args
            skip = 1 if params and params[0].arg in ("self", "cls") else 0
            yield node.name, node, skip


def _trees() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(source)): ast.parse(path.read_text(encoding="utf-8"))
        for source in SOURCES
        for path in sorted(source.rglob("*.py"))
    }


def _code_parameters(trees: dict[str, ast.Module]) -> dict[tuple[str, int, str], str]:
    """BASE, and every function that hands a parameter on to a call taking a code (found
    until nothing new is: a wrapper of a wrapper counts)."""
    known = dict(BASE)
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            shared_reason = "Reason" not in _module_names(tree)
            for name, function, skip in _functions(tree):
                params = [p.arg for p in function.args.posonlyargs + function.args.args][skip:]
                params += [p.arg for p in function.args.kwonlyargs]
                annotations = {
                    p.arg: ast.unparse(p.annotation) if p.annotation else ""
                    for p in function.args.posonlyargs
                    + function.args.args
                    + function.args.kwonlyargs
                }
                for index, param in enumerate(params):
                    key = (name, index, param)
                    if key in known:
                        continue
                    # ``Reason`` of shared.problems, not a module's own (the fan-out's Literal).
                    reason = shared_reason and "Reason" in annotations[param].split(" | ")
                    context = "reason" if reason else None
                    for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                        for (callee, position, keyword), found in list(known.items()):
                            if _name(call.func) != callee:
                                continue
                            value = _argument(call, position, keyword)
                            if isinstance(value, ast.Name) and value.id == param:
                                context = found
                    if context is not None:
                        known[key] = context
                        changed = True
    return known


def _module_names(tree: ast.Module) -> set[str]:
    """The names a module defines itself (``Reason = Literal[...]``)."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _module_strings(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _not_issues(tree: ast.Module) -> set[int]:
    """The tuples that are no field issue: what a loop runs over, what ``in`` tests, a
    module's constants (``("employer", "contract_type")``)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.comprehension):
            skipped.add(id(node.iter))
        elif isinstance(node, ast.Compare):
            skipped.update(id(item) for item in node.comparators)
        elif isinstance(node, ast.Call):
            # A keyword's value (``separators=(",", ":")``) is no issue either.
            skipped.update(id(item.value) for item in node.keywords)
            skipped.update(id(item) for item in node.args if _name(node.func) == "startswith")
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            skipped.add(id(node.value))
    return skipped


def _issue_reason(node: ast.Tuple) -> ast.Constant | None:
    """The reason of a field issue ``(field, "code")``."""
    if len(node.elts) != 2:
        return None
    field, reason = node.elts
    if not isinstance(field, ast.Constant | ast.JoinedStr | ast.Name):
        return None
    if isinstance(field, ast.Constant) and not isinstance(field.value, str):
        return None
    return reason if isinstance(reason, ast.Constant) and isinstance(reason.value, str) else None


def uses() -> tuple[set[Use], set[str]]:
    """Every (context, code) the source uses, and the lines that build a code from a value."""
    trees = _trees()
    known = _code_parameters(trees)
    found: set[Use] = set()
    dynamic: set[str] = set()
    for path, tree in trees.items():
        strings = _module_strings(tree)
        issue_module = "FieldIssue" in ast.unparse(tree) or "invalid(" in ast.unparse(tree)
        not_issues = _not_issues(tree)
        for node in ast.walk(tree):
            where = f"{path}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                for (callee, position, keyword), context in known.items():
                    if _name(node.func) != callee:
                        continue
                    value = _argument(node, position, keyword)
                    if callee == "Message" and len(node.args) > 2:
                        third = node.args[2]
                        if isinstance(third, ast.Constant):
                            context = str(third.value)
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.add(Use(context, value.value, where))
                    elif isinstance(value, ast.Name) and value.id in strings:
                        found.add(Use(context, strings[value.id], where))
                    elif isinstance(value, ast.JoinedStr):
                        prefix = value.values[0]
                        text = prefix.value if isinstance(prefix, ast.Constant) else ""
                        dynamic.add(f"{path}:{text!s}")
            if issue_module and isinstance(node, ast.Tuple) and id(node) not in not_issues:
                reason = _issue_reason(node)
                if reason is not None:
                    found.add(Use("reason", str(reason.value), where))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
                returns = ast.unparse(node.returns)
                if "Code" in returns.split(" | ") or returns == "Code":
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Constant):
                            if isinstance(inner.value.value, str):
                                found.add(Use("reason", inner.value.value, where))
    return found, dynamic


def test_the_scan_finds_codes_of_every_kind() -> None:
    # The scan itself: a code of each way of raising is found where it is raised.
    found, _ = uses()
    by_code = {(use.context, use.code) for use in found}
    assert ("detail", "not_found") in by_code  # shared.problems.not_found
    assert ("record", "working group") in by_code  # not_found(GROUP, ...)
    assert ("detail", "no_seats_left") in by_code  # ProblemError(409, "no_seats_left")
    assert ("reason", "offer_archived") in by_code  # issues.append((field, "offer_archived"))
    assert ("reason", "no_offer_in_scope") in by_code  # out_of_scope("offer_id", ...)
    assert ("detail", "service_token_missing") in by_code  # _unauthorized("...") wrapper
    assert ("reason", "rule_frequency") in by_code  # RuleError("...") wrapper
    assert ("reason", "not_clearable") in by_code  # field_error("...")
    assert ("reason", "dot_segment") in by_code  # a function answering a Code
    assert ("detail", "reservation_key_reused") in by_code  # reused_key("...")
    assert ("unit", "minutes") in by_code


def _missing(context: str, code: str) -> list[str]:
    # A problem of a bare status (``http_404``) has the status's title and no detail.
    if context == "detail" and code.startswith("http_"):
        context = "title"
    return [language for language in LANGUAGES if not lookup(context, code, language)]


def test_every_code_the_source_uses_is_translated() -> None:
    found, dynamic = uses()
    assert dynamic == set(DYNAMIC), "a code built from a value: list what it can be in DYNAMIC"
    wanted = {(use.context, use.code): use.where for use in found}
    for family in DYNAMIC.values():
        wanted.update(dict.fromkeys(family, "built from a value"))
    wanted.update({("record", o.kind): "gateway ORGANISATIONS" for o in ORGANISATIONS.values()})
    missing = {
        f"{context} {code!r} ({where}): no message in {', '.join(languages)}"
        for (context, code), where in wanted.items()
        if (languages := _missing(context, code))
    }
    assert not missing, "\n".join(sorted(missing))


@pytest.mark.parametrize("error_type", sorted(set(typing.get_args(core_schema.ErrorType))))
def test_every_pydantic_error_type_has_a_reason_in_each_language(error_type: str) -> None:
    assert not _missing("reason", error_type)


def test_the_problem_codes_page_is_the_catalogues() -> None:
    page = ROOT / "docs" / "problems.md"
    assert page.read_text(encoding="utf-8") == problem_codes.markdown(), (
        "docs/problems.md is out of date: run python -m shared.problem_codes"
    )
