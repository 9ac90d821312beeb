"""Deprecated operations, said the same way in the document and on the wire.

A route is marked with ``dependencies=[deprecated(since=..., sunset=..., link=...)]``. Its
answers then carry ``Deprecation: @<since, Unix seconds>`` (RFC 9745), ``Sunset`` (RFC 8594)
when its removal is dated and ``Link: <...>; rel="deprecation"`` when a page says what to use
instead; ``shared.openapi`` marks the operation ``deprecated: true`` and documents those headers
on its answers, so generated clients flag every call to it. Removing the operation later is a
breaking change recorded in the API's changelog (``kafaat.contract``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from fastapi import Depends, Response
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends as DependsParam

_DEPRECATION_ATTRIBUTE = "__kafaat_deprecation__"


@dataclass(frozen=True)
class Deprecation:
    since: datetime
    sunset: datetime | None = None
    link: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {"Deprecation": f"@{int(self.since.timestamp())}"}
        if self.sunset is not None:
            headers["Sunset"] = format_datetime(self.sunset, usegmt=True)
        if self.link is not None:
            headers["Link"] = f'<{self.link}>; rel="deprecation"'
        return headers


def deprecated(
    since: datetime, *, sunset: datetime | None = None, link: str | None = None
) -> DependsParam:
    """The route flag: deprecated since ``since`` (timezone-aware), removed at ``sunset``."""
    if since.tzinfo is None or (sunset is not None and sunset.tzinfo is None):
        raise ValueError("deprecation dates need a timezone")
    notice = Deprecation(since, sunset, link)
    headers = notice.headers()

    async def deprecation_headers(response: Response) -> None:
        response.headers.update(headers)

    setattr(deprecation_headers, _DEPRECATION_ATTRIBUTE, notice)
    flag: DependsParam = Depends(deprecation_headers)
    return flag


def deprecation_of(dependant: Dependant) -> Deprecation | None:
    """The deprecation a route's dependencies declare, if any."""
    call: Callable[..., Any] | None = dependant.call
    found: Deprecation | None = getattr(call, _DEPRECATION_ATTRIBUTE, None)
    if found is not None:
        return found
    for sub in dependant.dependencies:
        found = deprecation_of(sub)
        if found is not None:
            return found
    return None
