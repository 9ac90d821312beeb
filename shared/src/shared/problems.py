"""RFC 9457 problem details for every error a service or the gateway answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://kafaat.ma/problems/"

logger = logging.getLogger("kafaat.errors")


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `body.sessions.0.start_date`")
    reason: str
    code: str | None = None


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class ProblemError(Exception):
    """Raise to answer a problem+json; ``slug`` becomes the problem ``type``."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: Sequence[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.slug = slug
        self.title = title or HTTPStatus(status).phrase
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.extra = extra or {}

    def response(self) -> JSONResponse:
        """The problem+json answer (an ASGI app: handlers return it, middleware call it)."""
        return problem_response(
            self.status,
            title=self.title,
            detail=self.detail,
            slug=self.slug,
            errors=self.errors,
            headers=self.headers,
            extra=self.extra,
        )


# One problem on one field, before it becomes a :class:`FieldProblem`: (field name, reason).
FieldIssue = tuple[str, str]


def invalid(
    issues: Sequence[FieldIssue], *, location: str = "body", detail: str | None = None
) -> ProblemError:
    """422 naming every faulty field (``location`` prefixes the names: ``body``, ``query``…)."""
    errors = [FieldProblem(field=f"{location}.{field}", reason=reason) for field, reason in issues]
    fields = ", ".join(problem.field for problem in errors)
    return ProblemError(
        422,
        detail or f"The request has invalid fields: {fields}",
        slug="validation",
        title="Invalid request",
        errors=errors,
    )


def raise_if_invalid(issues: Sequence[FieldIssue]) -> None:
    if issues:
        raise invalid(issues)


def not_found(kind: str, record_id: object) -> ProblemError:
    """404 for a record that does not exist or lies outside the caller's scope (the same
    answer for both, so the scope leaks nothing)."""
    return ProblemError(404, f"No {kind} has the id '{record_id}'.", slug="not-found")


def out_of_scope(field: str, reason: str) -> ProblemError:
    """422 on a reference (``provider_id``, ``region``…) the caller may not write to."""
    return ProblemError(
        422,
        f"The field '{field}' is outside what you may change: {reason}",
        slug="validation",
        title="Invalid request",
        errors=[FieldProblem(field=f"body.{field}", reason=reason, code="out_of_scope")],
    )


def conflict(detail: str, *, slug: str, field: str, reason: str) -> ProblemError:
    """409 for a value that must be unique and is taken (an e-mail, an external id…)."""
    return ProblemError(
        409, detail, slug=slug, errors=[FieldProblem(field=f"body.{field}", reason=reason)]
    )


def stale_record() -> ProblemError:
    """412 for a record changed by someone else between reading it and writing it."""
    return ProblemError(
        412,
        "The record changed while your update was being applied; read it again and retry.",
        slug="stale-version",
        title="Precondition failed",
    )


def problem_response(
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    slug: str | None = None,
    errors: Sequence[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = [e.model_dump(exclude_none=True) for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def field_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    """Turn pydantic/FastAPI validation errors into field problems."""
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        problems.append(
            FieldProblem(
                field=".".join(location) or "body",
                reason=str(error.get("msg", "invalid")),
                code=error.get("type"),
            )
        )
    return problems


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # registered for this type only
        raise exc
    problems = field_problems(exc.errors())
    fields = ", ".join(p.field for p in problems)
    return problem_response(
        422,
        title="Invalid request",
        slug="validation",
        detail=f"The request has invalid fields: {fields}",
        errors=problems,
    )


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # registered for this type only
        raise exc
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(exc.status_code, detail=detail, headers=headers)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ProblemError):  # registered for this type only
        raise exc
    return exc.response()


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The trace goes to the log, never to the client.
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        500,
        slug="internal",
        detail="An unexpected error occurred. Quote the X-Request-ID header when reporting it.",
    )


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
