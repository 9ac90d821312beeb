"""RFC 9457 problem details for every error a service or the gateway answers.

A problem carries a stable ``code`` and its parameters, not text: its ``title``, ``detail`` and
each field's ``reason`` are written in the caller's language (``Accept-Language``, see
:mod:`shared.translations`) when the answer is sent, from the catalogues.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from pydantic_core import PydanticCustomError
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from shared.translations import Message, lookup, msg, negotiate, record, render

__all__ = ["Message", "msg", "record"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://kafaat.ma/problems/"

logger = logging.getLogger("kafaat.errors")


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `body.sessions.0.start_date`")
    reason: str = Field(description="What is wrong, in the answer's language (`Content-Language`)")
    code: str = Field(
        description="Stable machine code of the reason (pydantic's error types among them: "
        "`missing`, `less_than_equal`…); see the list of problem codes"
    )


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="Stable machine code of the problem; see the list of codes")
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None


# The code of a message in the catalogues (``not_found``, ``dot_segment``…): a function that
# answers one says so with this name, and the catalogue test finds the codes it returns.
Code = str

# One problem on one field: (field name, reason), the reason a code (``"in_the_future"``) or a
# message with parameters (``msg("ends_before_start", end=…, start=…)``).
Reason = str | Message
FieldIssue = tuple[str, Reason]


def as_message(reason: Reason) -> Message:
    """A field issue's reason as a message (a bare code has no parameters)."""
    return reason if isinstance(reason, Message) else Message(reason)


def reason_text(reason: Reason, language: str = "en") -> str:
    """A field issue's reason as text (English unless said otherwise: reports, logs)."""
    return render(as_message(reason), language)


class ProblemError(Exception):
    """Raise to answer a problem+json: ``code`` names its messages (``title`` and ``detail`` in
    the catalogues, filled from ``params``), ``slug`` becomes the problem ``type``; ``errors``
    are field issues with the field's full path (``body.email``)."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        params: Mapping[str, object] | None = None,
        slug: str | None = None,
        errors: Sequence[FieldIssue] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.params = dict(params or {})
        self.slug = slug
        self.issues = [(name, as_message(reason)) for name, reason in errors] if errors else []
        self.headers = dict(headers) if headers else None
        self.extra = dict(extra or {})

    @property
    def detail(self) -> str | None:
        """The detail in English (the language of the code and of the logs)."""
        return self.body("en").get("detail")

    @property
    def errors(self) -> list[FieldProblem] | None:
        """The field problems in English."""
        return [FieldProblem(**error) for error in self.body("en").get("errors", [])] or None

    def __str__(self) -> str:
        return self.detail or self.code

    def body(self, language: str) -> dict[str, Any]:
        """The problem+json document in ``language``."""
        status = self.status
        fallbacks = [self.code, *([self.slug.replace("-", "_")] if self.slug else [])]
        title = next(
            (
                render(Message(code, context="title"), language)
                for code in fallbacks
                if _has("title", code)
            ),
            render(Message(f"http_{status}", context="title"), language),
        )
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug if self.slug else "about:blank",
            "title": title,
            "status": status,
            "code": self.code,
        }
        if _has("detail", self.code):
            body["detail"] = render(Message(self.code, self.params, "detail"), language)
        if self.issues:
            body["errors"] = [
                {"field": name, "reason": render(reason, language), "code": reason.code}
                for name, reason in self.issues
            ]
        body.update(self.extra)
        return body

    def response(self) -> ProblemResponse:
        """The problem+json answer (an ASGI app: handlers return it, middleware call it)."""
        return ProblemResponse(self)


def _has(context: str, code: str) -> bool:
    return lookup(context, code, "en") is not None


class ProblemResponse(Response):
    """A problem answered in the language the request asks for: the body is written when the
    response is sent, from the request's ``Accept-Language``, and says which language it chose
    (``Content-Language``) and that it depends on that header (``Vary``)."""

    media_type = PROBLEM_MEDIA_TYPE

    def __init__(self, problem: ProblemError) -> None:
        self.problem = problem
        super().__init__(status_code=problem.status, headers=problem.headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        language = negotiate(Headers(scope=scope).get("accept-language"))
        self.body = json.dumps(
            self.problem.body(language), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")
        headers = MutableHeaders(raw=self.raw_headers)
        headers["content-length"] = str(len(self.body))
        headers["content-language"] = language
        headers.add_vary_header("Accept-Language")
        await super().__call__(scope, receive, send)


def invalid(
    issues: Sequence[FieldIssue],
    *,
    location: str = "body",
    code: str = "validation",
    params: Mapping[str, object] | None = None,
) -> ProblemError:
    """422 naming every faulty field (``location`` prefixes the names: ``body``, ``query``…);
    ``code`` (and its ``params``) when the detail says more than which fields are wrong."""
    errors = [(f"{location}.{field}" if location else field, reason) for field, reason in issues]
    fields = ", ".join(name for name, _ in errors)
    return ProblemError(
        422, code, params={"fields": fields, **(params or {})}, slug="validation", errors=errors
    )


def raise_if_invalid(issues: Sequence[FieldIssue]) -> None:
    if issues:
        raise invalid(issues)


def not_found(kind: str, record_id: object) -> ProblemError:
    """404 for a record that does not exist or lies outside the caller's scope (the same
    answer for both, so the scope leaks nothing); ``kind`` is a record name of the catalogues."""
    return ProblemError(
        404, "not_found", params={"kind": record(kind), "id": record_id}, slug="not-found"
    )


def out_of_scope(field: str, reason: Reason) -> ProblemError:
    """422 on a reference (``provider_id``, ``region``…) the caller may not write to; the field
    problem's code is ``out_of_scope`` and ``reason`` explains it."""
    explained = as_message(reason)
    return ProblemError(
        422,
        "out_of_scope",
        params={"field": field, "reason": explained},
        slug="validation",
        errors=[(f"body.{field}", Message("out_of_scope", {"reason": explained}))],
    )


def conflict(
    code: str,
    *,
    slug: str,
    field: str,
    reason: Reason,
    params: Mapping[str, object] | None = None,
) -> ProblemError:
    """409 for a value that must be unique and is taken (an e-mail, an external id…)."""
    return ProblemError(409, code, params=params, slug=slug, errors=[(f"body.{field}", reason)])


def stale_record() -> ProblemError:
    """412 for a record changed by someone else between reading it and writing it."""
    return ProblemError(412, "stale_record", slug="stale-version")


def problem_response(
    status: int,
    code: str,
    *,
    params: Mapping[str, object] | None = None,
    slug: str | None = None,
    errors: Sequence[FieldIssue] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    return ProblemError(
        status, code, params=params, slug=slug, errors=errors, headers=headers, extra=extra
    ).response()


def field_error(code: str, /, **params: object) -> PydanticCustomError:
    """Raise in a pydantic validator: the error's type is ``code`` (the field problem's code)
    and its message the catalogue's, so a custom check is translated like pydantic's own."""
    template = lookup("reason", code, "en")
    return PydanticCustomError(code, template if isinstance(template, str) else code, params)


def field_issues(errors: Sequence[Any]) -> list[FieldIssue]:
    """Pydantic/FastAPI validation errors as field issues: the code is pydantic's error type,
    the reason its message in the catalogues, filled from the error's context (``le``…)."""
    issues: list[FieldIssue] = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ())) or "body"
        context = pydantic_context(error.get("ctx") or {})
        issues.append((location, Message(str(error.get("type", "value_error")), context)))
    return issues


# The counts pydantic's English messages put a plural "s" after (``{expected_plural}``).
_COUNTS = ("min_length", "max_length", "max_digits", "decimal_places", "whole_digits")


def pydantic_context(context: Mapping[str, Any]) -> dict[str, object]:
    """A pydantic error's context as the parameters of its message."""
    params = {name: _context_value(value) for name, value in context.items()}
    count = next((params[name] for name in _COUNTS if name in params), None)
    if count is not None:
        params["expected_plural"] = "" if count == 1 else "s"
    return params


def _context_value(value: object) -> object:
    # A custom validator's ValueError arrives as its exception; its text is the message.
    return str(value) if isinstance(value, BaseException) else value


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # registered for this type only
        raise exc
    return invalid(field_issues(exc.errors()), location="").response()


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):  # registered for this type only
        raise exc
    problem = getattr(exc, "problem", None)
    if isinstance(problem, ProblemError):
        return problem.response()
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(exc.status_code, f"http_{exc.status_code}", headers=headers)


async def _on_problem(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ProblemError):  # registered for this type only
        raise exc
    return exc.response()


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # The trace goes to the log, never to the client.
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "internal", slug="internal")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route may answer."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }
