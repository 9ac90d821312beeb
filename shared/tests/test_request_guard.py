"""The request guard's rules, one by one (the apps' tests show them on the wire)."""

from __future__ import annotations

import pytest

from shared.request_guard import (
    duplicated_headers,
    headers_with_controls,
    path_problem,
    query_problem,
    unroutable_path,
)


@pytest.mark.parametrize(
    "path",
    [
        b"/v1/offers/../metrics",
        b"/v1/offers/..",
        b"/v1/./offers",
        b"/v1/offers/%2e%2e/x",
        b"/v1/offers/%2E./x",
        b"/v1/offers/.%2E/x",
        b"/v1/offers/%2e",
        b"/v1/offers%2f..",
        b"/v1/offers%2F..",
        b"/v1/offers%5c..",
        b"/v1/offers\\..",
    ],
)
def test_paths_that_could_be_resolved_after_routing(path: bytes) -> None:
    assert unroutable_path(path) is not None


@pytest.mark.parametrize(
    "path", [b"/v1/offers/...", b"/v1/offers/a..b", b"/v1/offers/.x", b"/v1/offers/%2e%2ex", b"/"]
)
def test_dots_inside_a_segment_are_fine(path: bytes) -> None:
    assert unroutable_path(path) is None
    assert path_problem(path) is None


def test_control_characters_and_broken_utf8() -> None:
    for byte in [*range(0x20), 0x7F]:
        assert path_problem(f"/v1/offers/%{byte:02x}".encode()) == "control_character"
        assert query_problem(f"q=%{byte:02X}".encode()) == "control_character"
    assert path_problem(b"/v1/offers/%C3%28") == "not_utf8"
    assert query_problem(b"q=%ED%A0%80") == "not_utf8"
    assert path_problem(b"/v1/offers/caf%C3%A9") is None
    assert query_problem(b"q=caf%C3%A9+cr%C3%A8me&region=01") is None


def test_headers() -> None:
    assert headers_with_controls([(b"if-match", b'"a"\x00'), (b"accept", b"a\tb")]) == ["if-match"]
    repeated = [(b"authorization", b"a"), (b"authorization", b"b"), (b"x-forwarded-for", b"1")]
    assert duplicated_headers([*repeated, (b"x-forwarded-for", b"2")]) == ["authorization"]
