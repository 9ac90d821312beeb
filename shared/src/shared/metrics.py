"""Prometheus metrics: ``/metrics`` on every process.

Every application gets its own registry (so several applications in one test process do not mix
their counts) with:

- ``kafaat_http_requests_total{method,route,status}`` and
  ``kafaat_http_request_duration_seconds{method,route,status}``: by route *template*
  (``/v1/offers/{offer_id}``, never the raw path) so a scanner cannot create unbounded series;
  a request no route matched is counted under ``route="<unmatched>"``;
- ``kafaat_http_requests_in_flight``;
- ``kafaat_db_pool_*``: the SQLAlchemy pool, read when Prometheus scrapes;
- ``kafaat_backend_*``: calls this process makes to other services (the gateway), recorded with
  :func:`record_backend_call` from inside a request, and :func:`set_backend_circuit_state`.

One uvicorn worker per process (containers scale by replicas), so no multiprocess mode.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import Enum as EnumMetric
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import public

UNMATCHED = "<unmatched>"
# A scope key any ASGI component may set to name the route template of a request that no
# FastAPI route handles (the gateway's proxy: ``/api/v1/offers``), see :func:`label_route`.
ROUTE_TEMPLATE_KEY = "kafaat.route_template"
# Seconds: from a fast health check to a slow aggregation.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CircuitState = Literal["closed", "open", "half_open"]
# Any other method a client invents is counted as OTHER, so it cannot add series either.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_current: ContextVar[Metrics | None] = ContextVar("kafaat_metrics", default=None)


class _PoolCollector(Collector):
    """The database pool's use, read from the application's engine at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        engine = getattr(self.app.state, "engine", None)
        pool = engine.sync_engine.pool if engine is not None else None
        readings: dict[str, tuple[str, Any]] = {
            "kafaat_db_pool_size": ("Connections the pool keeps open.", "size"),
            "kafaat_db_pool_checked_out": ("Connections in use by requests now.", "checkedout"),
            "kafaat_db_pool_checked_in": ("Idle connections in the pool.", "checkedin"),
            "kafaat_db_pool_overflow": ("Connections opened beyond the pool size.", "overflow"),
        }
        for name, (documentation, method) in readings.items():
            family = GaugeMetricFamily(name, documentation)
            reader = getattr(pool, method, None)
            if callable(reader):
                family.add_metric([], float(reader()))
            yield family
        capacity = GaugeMetricFamily(
            "kafaat_db_pool_max", "Most connections the pool may open (size plus overflow)."
        )
        size, overflow = getattr(pool, "size", None), getattr(pool, "_max_overflow", None)
        if callable(size) and isinstance(overflow, int) and overflow >= 0:
            capacity.add_metric([], float(size() + overflow))
        yield capacity


class Metrics:
    """The metrics of one application."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "kafaat_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kafaat_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "kafaat_http_requests_in_flight",
            "HTTP requests being answered now.",
            registry=self.registry,
        )
        self.backend_calls = Counter(
            "kafaat_backend_requests",
            "Calls to a backend service, by the status it answered or why it did not.",
            ["backend", "status"],
            registry=self.registry,
        )
        self.backend_errors = Counter(
            "kafaat_backend_errors",
            "Backend calls that failed: no answer (timeout, unavailable, broken) or a 5xx.",
            ["backend", "reason"],
            registry=self.registry,
        )
        self.backend_latency = Histogram(
            "kafaat_backend_request_duration_seconds",
            "Time until a backend service answered (or failed to).",
            ["backend"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.circuit = EnumMetric(
            "kafaat_backend_circuit_state",
            "State of the circuit breaker in front of a backend service.",
            ["backend"],
            states=["closed", "open", "half_open"],
            registry=self.registry,
        )
        info = Gauge(
            "kafaat_process_info",
            "Always 1; names the service this process runs.",
            ["service"],
            registry=self.registry,
        )
        info.labels(service=service).set(1)
        self._templates: dict[int, str] | None = None

    def watch_database_pool(self, app: FastAPI) -> None:
        self.registry.register(_PoolCollector(app))

    def record_backend_call(self, backend: str, status: int | str, seconds: float) -> None:
        self.backend_calls.labels(backend=backend, status=str(status)).inc()
        self.backend_latency.labels(backend=backend).observe(seconds)
        if isinstance(status, str):
            self.backend_errors.labels(backend=backend, reason=status).inc()
        elif status >= 500:
            self.backend_errors.labels(backend=backend, reason="5xx").inc()

    def set_backend_circuit_state(self, backend: str, state: CircuitState) -> None:
        self.circuit.labels(backend=backend).state(state)

    def route_template(self, scope: Scope) -> str:
        explicit = scope.get(ROUTE_TEMPLATE_KEY)
        if isinstance(explicit, str):
            return explicit
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        if self._templates is None:
            app = scope.get("app")
            routes = getattr(app, "routes", None) or []
            # Routers included in routers keep their own relative paths: the full template is
            # the one FastAPI computes for the route's context.
            self._templates = {}
            for context in iter_route_contexts(routes):
                if context.path_format:
                    self._templates.setdefault(id(context.original_route), context.path_format)
        template = self._templates.get(id(route))
        if template is None:
            template = getattr(route, "path_format", None) or getattr(route, "path", UNMATCHED)
        return str(template)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def record_backend_call(backend: str, status: int | str, seconds: float) -> None:
    """Count one call made while answering the current request to the ``backend`` service.

    ``status`` is the HTTP status it answered, or why it did not: ``"timeout"``,
    ``"unavailable"`` or ``"broken"``. Outside a request (no application in context) it does
    nothing.
    """
    metrics = _current.get()
    if metrics is not None:
        metrics.record_backend_call(backend, status, seconds)


def set_backend_circuit_state(backend: str, state: CircuitState) -> None:
    """Publish the state of the circuit breaker in front of ``backend`` (from inside a request)."""
    metrics = _current.get()
    if metrics is not None:
        metrics.set_backend_circuit_state(backend, state)


def label_route(scope: Scope, template: str) -> None:
    """Name the route template of a request that no FastAPI route answers (a proxied one)."""
    scope[ROUTE_TEMPLATE_KEY] = template


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request by route template and status."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics = self.metrics
        status = 500  # unless a response starts: an exception escaping means a 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = _current.set(metrics)
        metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            metrics.in_flight.dec()
            _current.reset(token)
            method = scope["method"]
            labels = {
                "method": method if method in KNOWN_METHODS else "OTHER",
                "route": metrics.route_template(scope),
                "status": str(status),
            }
            metrics.requests.labels(**labels).inc()
            metrics.latency.labels(**labels).observe(time.perf_counter() - started)


router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False, name="scrape")
@public
async def scrape(request: Request) -> Response:
    """Prometheus text format; reachable inside the platform's network only (not via the edge)."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def install_metrics(app: FastAPI, service: str) -> Metrics:
    """Give ``app`` its ``/metrics`` route, the middleware and the pool gauges."""
    metrics = Metrics(service)
    metrics.watch_database_pool(app)
    app.state.metrics = metrics
    app.include_router(router)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return metrics
