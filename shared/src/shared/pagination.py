"""Keyset pagination: ``?limit=&cursor=`` answering ``{"items": [...], "next_cursor": ...}``.

The cursor is opaque to clients: base64url JSON of the last row's sort values, bound to the sort
order it was made for. Page 500 costs what page 1 costs, because the database seeks to the
cursor with an index instead of counting past skipped rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from shared.problems import ProblemError, Reason, msg

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def where_equal(statement: Select[Any], pairs: Mapping[Any, object | None]) -> Select[Any]:
    """``statement`` keeping the rows whose column equals the value, for each value given (the
    filters of a list: ``None`` means not filtered)."""
    for column, value in pairs.items():
        if value is not None:
            statement = statement.where(column == value)
    return statement


def page_response(page: Page[Any]) -> Response:
    """A page answered as JSON in one pass of pydantic's core.

    Declare ``response_model=Page[Item]`` on the route for the documentation, and return this:
    FastAPI would otherwise dump the page to Python objects, validate them a second time and only
    then serialise them, twice the work on the biggest answers of a service.
    """
    return Response(page.model_dump_json(), media_type="application/json")


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="`next_cursor` of the previous page")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageParamsDep = Annotated[PageParams, Depends(_page_params)]


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset order; the last key of an order must be unique (the id)."""

    column: ColumnElement[Any] | QueryableAttribute[Any]
    descending: bool = False

    def value_of(self, row: Any) -> Any:
        return getattr(row, str(self.column.key))


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, UUID):
        return {"u": value.hex}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "u" in value:
            return UUID(value["u"])
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(order_name: str, values: Sequence[Any]) -> str:
    payload = json.dumps({"o": order_name, "v": [_encode_value(v) for v in values]})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _bad_cursor(reason: Reason) -> ProblemError:
    return ProblemError(422, "unknown_cursor", slug="validation", errors=[("query.cursor", reason)])


def decode_cursor(cursor: str, order_name: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values = [_decode_value(v) for v in payload["v"]]
        name = payload["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise _bad_cursor("malformed_cursor") from exc
    if name != order_name:
        raise _bad_cursor(msg("cursor_of_another_order", order=name, expected=order_name))
    if len(values) != size:
        raise _bad_cursor("malformed_cursor")
    return values


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order ``keys``.

    When every key runs the same way this is a row comparison, ``(a, b) > (x, y)``, which
    PostgreSQL turns into an index seek even when many rows share ``a`` (rows imported in one
    transaction share ``updated_at``). Mixed directions need (a > x) OR (a = x AND b < y) …, with
    a redundant bound on the first key (a >= x) so the scan still starts near the cursor. Either
    way page 500 costs what page 1 costs.
    """
    if all(key.descending == keys[0].descending for key in keys):
        columns = tuple_(*(key.column for key in keys))
        bounds = tuple_(
            *(literal(v, type_=k.column.type) for k, v in zip(keys, values, strict=True))
        )
        return columns < bounds if keys[0].descending else columns > bounds
    clauses: list[ColumnElement[bool]] = []
    for index, key in enumerate(keys):
        equal_prefix = [k.column == v for k, v in zip(keys[:index], values[:index], strict=True)]
        step = key.column < values[index] if key.descending else key.column > values[index]
        clauses.append(and_(*equal_prefix, step))
    first = keys[0]
    seek = first.column <= values[0] if first.descending else first.column >= values[0]
    return and_(seek, or_(*clauses))


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    keys: Sequence[SortKey],
    params: PageParams,
    *,
    order_name: str = "default",
) -> tuple[list[Any], str | None]:
    """Run ``statement`` (selecting ORM entities) one page at a time in the order ``keys``."""
    if params.cursor:
        values = decode_cursor(params.cursor, order_name, len(keys))
        statement = statement.where(_after(keys, values))
    ordering = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    statement = statement.order_by(*ordering).limit(params.limit + 1)
    rows = list((await session.scalars(statement)).all())
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        next_cursor = encode_cursor(order_name, [k.value_of(last) for k in keys])
    return rows, next_cursor
