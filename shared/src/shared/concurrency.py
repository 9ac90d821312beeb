"""Optimistic concurrency: every mutable record has a ``version`` sent as a strong ``ETag``;
``PATCH``/``PUT``/``DELETE`` with a stale ``If-Match`` answer 412."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.problems import ProblemError


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def with_etag(
    body: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The record as JSON with its ``version`` as the ``ETag``."""
    content = body.model_dump(mode="json")
    return json_with_etag(content, status_code, headers)


def json_with_etag(
    content: dict[str, object], status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An answer already in JSON form (a replayed one too), with its ``version`` as the ETag."""
    all_headers = dict(headers or {})
    version = content.get("version")
    if isinstance(version, int):
        all_headers["ETag"] = etag(version)
    return JSONResponse(content, status_code=status_code, headers=all_headers or None)


def conditional(
    request: Request, body: BaseModel, headers: dict[str, str] | None = None
) -> Response:
    """A computed answer (a figure, a view) with an ETag of its content: ``If-None-Match``
    naming it answers 304 without a body, so a front-end can poll cheaply (RFC 9110 §13.1.2)."""
    return conditional_content(
        request, body.model_dump_json().encode(), "application/json", headers
    )


def conditional_content(
    request: Request, content: bytes, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """:func:`conditional` for content already rendered (a CSV, a printable page)."""
    tag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    all_headers = {**(headers or {}), "ETag": tag, "Cache-Control": "private, no-cache"}
    sent = request.headers.get("if-none-match")
    if sent is not None:
        candidates = {candidate.strip().removeprefix("W/") for candidate in sent.split(",")}
        if tag in candidates or "*" in candidates:
            return Response(status_code=304, headers=all_headers)
    return Response(content, media_type=media_type, headers=all_headers)


def check_if_match(if_match: str | None, current_version: int) -> None:
    """Pass when no ``If-Match`` was sent, when it is ``*`` or lists the current ETag."""
    if if_match is None:
        return
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates or etag(current_version) in candidates:
        return
    raise ProblemError(
        412,
        "version_mismatch",
        params={"version": current_version},
        slug="stale-version",
        headers={"ETag": etag(current_version)},
    )


IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag you read; a stale one answers 412"),
]
