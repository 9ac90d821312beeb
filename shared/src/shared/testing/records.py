"""Whole lists of a service's records and a digest of them: how a test tells that two runs of a
generator (the demo data) wrote the same records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx2

# ``async with second_database() as (database_url, client)`` (the plugin's fixture)
SecondDatabase = Callable[[], AbstractAsyncContextManager[tuple[str, httpx2.AsyncClient]]]
# ``request("GET", path, params={...})``: a test's request helper, as some caller.
Request = Callable[..., Awaitable[httpx2.Response]]


async def every_item(request: Request, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every record of the list at ``path``, page after page (the largest pages)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
        page = await request("GET", path, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


# ``changing(path, field)``: whether ``field`` of the records listed at ``path`` may differ
# between two runs (timestamps, random ids).
Changing = Callable[[str, str], bool]


def _plain(value: Any, path: str, changing: Changing) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v, path, changing) for k, v in value.items() if not changing(path, k)}
    if isinstance(value, list):
        return sorted((_plain(item, path, changing) for item in value), key=json.dumps)
    return value


def digest(records: Mapping[str, list[dict[str, Any]]], changing: Changing) -> str:
    """A digest of lists of records (by path) in any order, without the fields that may change
    from run to run, at any depth."""
    plain = {path: _plain(items, path, changing) for path, items in records.items()}
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()


Records = dict[str, list[dict[str, Any]]]


async def two_runs(
    seed: Callable[[str], Awaitable[None]],
    read: Callable[[httpx2.AsyncClient], Awaitable[Records]],
    database_url: str,
    client: httpx2.AsyncClient,
    second_database: SecondDatabase,
) -> tuple[Records, Records]:
    """What ``read`` lists after ``seed`` into the test's database (``client``'s) and into a
    second fresh one: the same when the generator is deterministic."""
    await seed(database_url)
    first = await read(client)
    async with second_database() as (other_url, other_client):
        await seed(other_url)
        return first, await read(other_client)
