"""Optimistic concurrency: every mutable record has a ``version`` sent as a strong ``ETag``;
``PATCH``/``PUT``/``DELETE`` with a stale ``If-Match`` answer 412."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from shared.problems import ProblemError


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, current_version: int) -> None:
    """Pass when no ``If-Match`` was sent, when it is ``*`` or lists the current ETag."""
    if if_match is None:
        return
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates or etag(current_version) in candidates:
        return
    raise ProblemError(
        412,
        f"The record changed since you read it (it is now at version {current_version}); "
        "read it again and retry.",
        slug="stale-version",
        title="Precondition failed",
        headers={"ETag": etag(current_version)},
    )


IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag you read; a stale one answers 412"),
]
