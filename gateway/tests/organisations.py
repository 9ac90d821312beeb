"""A stand-in for the services that own organisations (offers' providers, the future
beneficiaries' associations and network's partners): it answers ``GET /v1/providers/{id}``,
``/v1/associations/{id}`` and ``/v1/partners/{id}`` from a table the test fills, 404 otherwise,
and remembers who asked (the principal in the gateway's service token)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import jwt
from starlette.types import Receive, Scope, Send

# The organisations of the gateway's tests: every one in region 01.
ASSOCIATION = UUID("11111111-1111-1111-1111-111111111111")
OTHER_ASSOCIATION = UUID("22222222-2222-2222-2222-222222222222")
PROVIDER = UUID("33333333-3333-3333-3333-333333333333")
PARTNER = UUID("44444444-4444-4444-4444-444444444444")
COLLECTIONS = {"provider": "providers", "association": "associations", "partner": "partners"}


class Organisations:
    """The records the stand-in serves, by path; ``status`` forces an answer for every path."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.asked: list[tuple[str, str]] = []  # (path, subject of the service token)
        self.status: int | None = None
        self.reset()

    def reset(self) -> None:
        self.records.clear()
        self.asked.clear()
        self.status = None
        for kind, record_id in (
            ("association", ASSOCIATION),
            ("association", OTHER_ASSOCIATION),
            ("provider", PROVIDER),
        ):
            self.add(kind, record_id, region="01")
        self.add("partner", PARTNER, regions=["01"])

    def add(self, kind: str, record_id: UUID, **fields: Any) -> None:
        path = f"/v1/{COLLECTIONS[kind]}/{record_id}"
        self.records[path] = {"id": str(record_id), "status": "published", **fields}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").decode().removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        self.asked.append((scope["path"], claims["sub"]))
        record = self.records.get(scope["path"]) if scope["method"] == "GET" else None
        status = self.status or (200 if record is not None else 404)
        body = json.dumps(record if status == 200 else {"status": status}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
