"""Property-based fuzzing of every operation of the merged OpenAPI, as every kind of caller.

Schemathesis generates requests from the document (valid ones, and invalid ones where the
document constrains an input), sends them to the real platform, and checks each answer: never a
5xx, a documented status, the documented content type, headers and schema, and nothing leaked
(no stack trace, internal path or secret). Examples are few and derandomized, so a run is
repeatable and bounded; path parameters are also drawn from real records, so that routes reach
their records and not only their 404.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from hypothesis.internal.conjecture.providers import AVAILABLE_PROVIDERS, HypothesisProvider
from schemathesis import Case, CheckContext, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kafaat.hardening import CALLERS, TIMEOUT, Operation, World, all_operations, document, leaks
from kafaat.testing import Platform

OPERATIONS = all_operations()
SCHEMA = schemathesis.openapi.from_dict(document())
BY_LABEL = {operation.label: operation for operation in OPERATIONS}
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}


class RepeatableProvider(HypothesisProvider):
    """Hypothesis's own generator without its pool of constants: the pool is collected from the
    modules imported so far, which would make the examples depend on what else the run collected
    (``tests/hardening`` alone, or the whole root suite)."""

    def _maybe_draw_constant(self, *args: Any, **kwargs: Any) -> None:
        return None


AVAILABLE_PROVIDERS["kafaat-repeatable"] = RepeatableProvider
SETTINGS = hypothesis.settings(
    backend="kafaat-repeatable",
    derandomize=True,
    database=None,
    deadline=None,
    # Generate only: a failure is reported as found, not shrunk (that could take minutes).
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def no_leak(ctx: CheckContext, response: schemathesis.Response, case: Case[Any]) -> bool | None:
    """API8/API3 on every fuzzed answer: no stack trace, internal path or secret."""
    operation = BY_LABEL[case.operation.label]
    headers = {name.lower(): ", ".join(values) for name, values in response.headers.items()}
    text = response.content.decode("utf-8", errors="replace")
    found = leaks(operation.operation_id, response.status_code, headers, text)
    assert not found, f"the answer gives away {found}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    no_leak,
]


def strategy(operation: Operation, mode: GenerationMode, records: dict[str, str]) -> Any:
    api_operation = SCHEMA[operation.path][operation.method.upper()]
    generated = api_operation.as_strategy(generation_mode=mode)
    known = {name: records[name] for name in operation.path_parameters if name in records}
    if mode is GenerationMode.POSITIVE and known and len(known) == len(operation.path_parameters):
        # Half of the examples on real records: updates, publications, releases that happen.
        return st.one_of(generated, api_operation.as_strategy(path_parameters=known))
    return generated


def negative_inputs(operation: Operation) -> bool:
    """Whether the document constrains an input enough for a request to break it."""
    api_operation = SCHEMA[operation.path][operation.method.upper()]
    try:
        hypothesis.find(
            api_operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            lambda case: True,
            settings=hypothesis.settings(SETTINGS, max_examples=50),
        )
    except (hypothesis.errors.NoSuchExample, hypothesis.errors.Unsatisfiable):
        return False
    return True


def fuzz_targets() -> list[Any]:
    targets = []
    for operation in OPERATIONS:
        modes = [GenerationMode.POSITIVE]
        if negative_inputs(operation):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            for caller in CALLERS:
                targets.append(
                    pytest.param(
                        operation, mode, caller, id=f"{mode.value}-{operation.label}-{caller}"
                    )
                )
    return targets


@pytest.fixture(scope="module")
def records(world: World) -> dict[str, str]:
    """Real ids for the fuzzer's path parameters, all of its own (it may change or delete
    them): a published provider, offer and session of region 01, a reservation, a person and a
    client system (not the demo ones, whose credentials the fuzzer uses)."""
    session_id, reservation_id = world.reservation()
    return {
        "provider_id": world.provider(),
        "offer_id": world.offer(publish=True),
        "session_id": session_id,
        "reservation_id": reservation_id,
        "user_id": world.user(),
        "client_id": world.api_client(),
        "code": "01",
    }


def test_the_fuzzer_covers_every_operation_and_caller() -> None:
    covered = {(p.values[0].label, p.values[2]) for p in FUZZ_TARGETS}
    assert covered == {(operation.label, caller) for operation in OPERATIONS for caller in CALLERS}
    negative = {p.values[0].label for p in FUZZ_TARGETS if p.values[1] is GenerationMode.NEGATIVE}
    # Whatever takes a body, a query or a path parameter with a type is fuzzed with bad input.
    assert "POST /api/v1/offers" in negative
    assert "GET /api/v1/offers/{offer_id}" in negative


FUZZ_TARGETS = fuzz_targets()


@pytest.mark.parametrize(("operation", "mode", "caller"), FUZZ_TARGETS)
def test_fuzz(
    operation: Operation,
    mode: GenerationMode,
    caller: str,
    hardened: Platform,
    callers: dict[str, dict[str, str]],
    records: dict[str, str],
) -> None:
    headers = callers[caller]

    @hypothesis.settings(SETTINGS, max_examples=EXAMPLES[mode])
    @given(case=strategy(operation, mode, records))
    def fuzz(case: Case[Any]) -> None:
        case.call_and_validate(
            base_url=hardened.base_url, headers=headers, checks=CHECKS, timeout=TIMEOUT
        )

    fuzz()
