"""Twenty requests at once on one record, through the gateway, on each backend: every create of the
merged OpenAPI that takes an ``Idempotency-Key`` makes one record whatever the number of retries
in flight, and every update that takes ``If-Match`` lets one writer win and tells the others 412.

Generated from the merged document: a service's creates and updates are covered the day they
appear (a create needs a body recipe in ``World.body``, an update a record recipe in
``World.record``, as the hardening tests need them).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx2
import pytest

from kafaat.hardening import Operation, World, all_operations, assert_no_leak, document, resolved
from shared.concurrency import etag
from shared.problems import PROBLEM_MEDIA_TYPE

from .conftest import FaultyPlatform

AT_ONCE = 20


def idempotent_creates() -> list[Operation]:
    """Creates of a collection (no path parameter) that accept an ``Idempotency-Key``."""
    return [
        op
        for op in all_operations()
        if op.method == "post"
        and not op.path_parameters
        and any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in op.parameters)
    ]


def guarded_updates() -> list[Operation]:
    """``PATCH`` operations that accept ``If-Match``."""
    return [
        op
        for op in all_operations()
        if op.method == "patch"
        and any(p["in"] == "header" and p["name"] == "If-Match" for p in op.parameters)
    ]


def writer_text(number: int) -> str:
    return f"Modifié par l'écrivain {number:02d}"


def writer_date(number: int) -> str:
    # Years before any record's own date: no writer's change may be a no-op.
    return (date(2001, 1, 1) + timedelta(days=number)).isoformat()


def contested_field(op: Operation) -> tuple[str, Callable[[int], str]]:
    """A field of the update's body each concurrent writer sets to its own value, so the winner
    can be told from the record: any short text (a name, a title), else a date."""
    schema = op.json_body_schema(document())
    assert schema is not None, f"{op.label} takes no JSON body"
    dates: list[str] = []
    for name, node in schema.get("properties", {}).items():
        for alternative in resolved(document(), node).get("anyOf", [node]):
            text = resolved(document(), alternative)
            if text.get("type") != "string" or "enum" in text:
                continue
            if text.get("format") == "date":
                dates.append(str(name))
            elif (
                name != "password"
                and text.get("maxLength", 0) >= 40
                and "format" not in text
                # A pattern that only keeps out what no person types (NUL) still takes a name.
                and re.search(text.get("pattern", ""), writer_text(99))
            ):
                return str(name), writer_text
    if dates:
        return dates[0], writer_date
    raise LookupError(f"{op.label}: no field to change concurrently")


async def read_record(
    http: httpx2.AsyncClient, path: str, headers: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """The record at ``path`` and the ETag to send in ``If-Match``: from its own route, or for
    reference data listed only (institution models) from its collection, whose items carry the
    version the ETag is made of."""
    read = await http.get(path, headers=headers)
    if read.status_code != 405:
        assert read.status_code == 200, read.text
        return read.json(), read.headers["etag"]
    collection, _, record_id = path.rpartition("/")
    response = await http.get(collection, headers=headers, params={"limit": "200"})
    assert response.status_code == 200, response.text
    (item,) = (item for item in response.json()["items"] if item["id"] == record_id)
    return item, etag(item["version"])


async def count(http: httpx2.AsyncClient, path: str, headers: dict[str, str]) -> int:
    """How many records the collection at ``path`` lists to ``headers``, every page."""
    total, cursor = 0, None
    while True:
        params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
        response = await http.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        total += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


@pytest.mark.parametrize("op", idempotent_creates(), ids=lambda op: op.operation_id)
async def test_concurrent_duplicates_with_one_key_create_one_record(
    op: Operation, faulty: FaultyPlatform, world: World, http: httpx2.AsyncClient
) -> None:
    body = await asyncio.to_thread(world.body, op.operation_id)
    headers = {**world.admin, "Idempotency-Key": f"twins-{uuid.uuid4().hex}"}
    before = await count(http, op.path, world.admin)

    answers = await asyncio.gather(
        *(http.post(op.path, headers=headers, json=body) for _ in range(AT_ONCE))
    )

    for answer in answers:
        assert_no_leak(answer, op.operation_id)
    created = [a for a in answers if a.status_code == 201]
    in_flight = [a for a in answers if a.status_code == 409]
    others = [(a.status_code, a.text) for a in answers if a.status_code not in (201, 409)]
    assert not others
    assert created, "no duplicate got the record"
    assert {a.json()["id"] for a in created} == {created[0].json()["id"]}
    assert all(a.headers["etag"] == created[0].headers["etag"] for a in created)
    # The duplicates still in flight when the first committed get a documented 409 (the key in
    # use; for users-create the e-mail its twin took, found before the key).
    assert 409 in op.statuses or not in_flight
    for answer in in_flight:
        assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert answer.json()["status"] == 409
    # A retry once all have answered replays the record.
    retry = await http.post(op.path, headers=headers, json=body)
    assert retry.status_code == 201
    assert retry.json()["id"] == created[0].json()["id"]
    assert await count(http, op.path, world.admin) == before + 1


@pytest.mark.parametrize("op", guarded_updates(), ids=lambda op: op.operation_id)
async def test_concurrent_updates_with_one_if_match_let_one_win(
    op: Operation, faulty: FaultyPlatform, world: World, http: httpx2.AsyncClient
) -> None:
    last = op.path_parameters[-1]
    ids = await asyncio.to_thread(world.record, last)
    path = op.path.format(**ids)
    field, value = contested_field(op)
    record, tag = await read_record(http, path, world.admin)
    version = record["version"]
    headers = {**world.admin, "If-Match": tag}

    def change(number: int) -> dict[str, Any]:
        return {field: value(number)}

    answers = await asyncio.gather(
        *(http.patch(path, headers=headers, json=change(n)) for n in range(AT_ONCE))
    )

    for answer in answers:
        assert_no_leak(answer, op.operation_id)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * (AT_ONCE - 1), [(a.status_code, a.text) for a in answers]
    (winner,) = (n for n, a in enumerate(answers) if a.status_code == 200)
    for answer in answers:
        if answer.status_code == 412:
            assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    stored, stored_tag = await read_record(http, path, world.admin)
    assert stored[field] == change(winner)[field]
    assert stored["version"] == version + 1
    assert stored_tag == answers[winner].headers["etag"]
