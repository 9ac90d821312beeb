"""Refuses requests no route should ever see, before anything routes, limits or proxies them.

Pure ASGI, installed by the shared application factory in the gateway and in each service:

- a path with a dot segment (``..``, ``.``, ``%2e%2e``, ``.%2E``...) or an encoded slash or
  backslash (``%2f``, ``%5c``, ``\\``): an HTTP client or a service behind the gateway may
  resolve it after routing, which would make internal routes public; no resource has such a
  path (404, as the edge answers);
- a path or query that, once percent-decoded, holds a control character (0x00-0x1f, 0x7f) or
  is not UTF-8: no identifier or search term needs one, and they break URL building and
  databases further in (400);
- a header with a control character other than a tab (RFC 9110 §5.5 forbids them; servers
  refuse them on the wire, a proxy must not forward them) (400);
- more than one line of a header the platform interprets for identity, limits or writes
  (``Authorization``, ``Idempotency-Key``, ``If-Match``, ``X-Forwarded-Proto``...), where two
  readers could pick different ones (400).

Every refusal is a problem+json naming the part of the request and the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.problems import Code, FieldIssue, Message, problem_response

# Headers read as one value: a second line would be read by one component and not another.
SINGLE_VALUED_HEADERS = frozenset(
    {
        b"authorization",
        b"host",
        b"content-type",
        b"idempotency-key",
        b"if-match",
        b"if-none-match",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"x-request-id",
        b"x-original-uri",
        b"x-original-method",
        b"x-kafaat-edge-secret",
    }
)
_ENCODED_SEPARATOR = re.compile(rb"%(?:2f|5c)", re.IGNORECASE)
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _decoded(raw: bytes, *, plus_is_space: bool = False) -> bytes:
    if plus_is_space:
        raw = raw.replace(b"+", b" ")
    return unquote_to_bytes(raw)


def _text_problem(decoded: bytes) -> Code | None:
    if _CONTROL.search(decoded):
        return "control_character"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return "not_utf8"
    return None


def unroutable_path(raw_path: bytes) -> Code | None:
    """Why a request path names no resource (it could be resolved after routing), or None."""
    if b"\\" in raw_path or _ENCODED_SEPARATOR.search(raw_path):
        return "encoded_slash"
    if any(segment in (b".", b"..") for segment in _decoded(raw_path).split(b"/")):
        return "dot_segment"
    return None


def path_problem(raw_path: bytes) -> Code | None:
    """Why a routable request path is refused, or None."""
    return _text_problem(_decoded(raw_path))


def query_problem(query: bytes) -> Code | None:
    """Why a query string is refused, or None."""
    return _text_problem(_decoded(query, plus_is_space=True)) if query else None


def headers_with_controls(headers: list[tuple[bytes, bytes]]) -> list[str]:
    return sorted(
        {
            name.decode("latin-1").lower()
            for name, value in headers
            if _HEADER_CONTROL.search(name) or _HEADER_CONTROL.search(value)
        }
    )


def duplicated_headers(headers: list[tuple[bytes, bytes]]) -> list[str]:
    counts = Counter(name.lower() for name, _ in headers)
    return sorted(
        name.decode("latin-1")
        for name, count in counts.items()
        if count > 1 and name in SINGLE_VALUED_HEADERS
    )


def _refused(code: Code, problem: Code) -> Message:
    # The field problem's code says where (``invalid_path``…), its reason what (``dot_segment``).
    return Message(code, {"problem": Message(problem)})


class RequestGuardMiddleware:
    """See the module."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        reason = unroutable_path(raw_path)
        if reason is not None:
            response = problem_response(
                404,
                "unroutable_path",
                params={"problem": Message(reason)},
                slug="not-found",
                errors=[("path", _refused("invalid_path", reason))],
            )
            await response(scope, receive, send)
            return
        errors: list[FieldIssue] = []
        reason = path_problem(raw_path)
        if reason is not None:
            errors.append(("path", _refused("invalid_path", reason)))
        reason = query_problem(scope.get("query_string", b""))
        if reason is not None:
            errors.append(("query", _refused("invalid_query", reason)))
        errors += [
            (f"header.{name}", _refused("invalid_header", "control_character"))
            for name in headers_with_controls(scope["headers"])
        ]
        errors += [(f"header.{name}", "duplicate") for name in duplicated_headers(scope["headers"])]
        if not errors:
            await self.app(scope, receive, send)
            return
        fields = ", ".join(field for field, _ in errors)
        response = problem_response(
            400, "request_refused", params={"fields": fields}, slug="bad-request", errors=errors
        )
        await response(scope, receive, send)
