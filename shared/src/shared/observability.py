"""Request ids and logging: JSON lines for machines, one short line per request for people.

``RequestIdMiddleware`` accepts the caller's ``X-Request-ID`` (or creates one), echoes it on the
response and puts it in every log line written while the request runs; it writes one access
line per request.

JSON lines are the default (production, the images). A developer's console (``kafaat run``
sets ``LOG_JSON=false``) gets :class:`ConsoleFormatter`'s one readable line per request instead.
Either way, health probes and metrics scrapes (:data:`PROBE_PATHS`) are logged at DEBUG only, and
so are the HTTP clients' own per-request lines (httpx2's "HTTP Request", aiohttp's): the access
line of the process that answered already says it, and formatting one more line per proxied
call costs CPU on the hot path.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_logger = logging.getLogger("kafaat.access")
# Polled by orchestrators, load balancers, Prometheus and the launcher: a line each is noise.
# The gateway's /api/v1/status is the platform's readiness, asked by the same pollers.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/api/v1/status"})
# HTTP clients that write a line per request at INFO: shown only when DEBUG is asked for.
CLIENT_LOGGERS = ("httpx2", "httpcore2", "httpx", "httpcore", "aiohttp")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    """What a person reads in a terminal: ``12:04:31 gateway GET /api/v1/offers 200 4.1 ms
    3f2a…``, and other records as ``time service LEVEL logger: message``."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        request_id = request_id_var.get()
        fields = getattr(record, "fields", None)
        if record.name == access_logger.name and isinstance(fields, dict):
            line = (
                f"{moment} {self.service:<13} {fields['method']} {fields['path']} "
                f"{fields['status']} {fields['duration_ms']:.1f} ms {request_id}"
            )
        else:
            line = f"{moment} {self.service:<13} {record.levelname} {record.name}: "
            line += record.getMessage()
            if request_id is not None:
                line += f" [{request_id}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(service: str, level: str = "INFO", *, json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter(service) if json_lines else ConsoleFormatter(service)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    client_level = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for name in CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(client_level)
    # uvicorn's own access log repeats ours without the request id.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestIdMiddleware:
    """Pure ASGI: request id in, request id out, one access log line per request."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                if _VALID_REQUEST_ID.match(candidate):
                    request_id = candidate
                break
        if request_id is None:
            request_id = uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        encoded = request_id.encode()
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", encoded))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log:
                access_logger.log(
                    logging.DEBUG if scope["path"] in PROBE_PATHS else logging.INFO,
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "fields": {
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        }
                    },
                )
            request_id_var.reset(token)
