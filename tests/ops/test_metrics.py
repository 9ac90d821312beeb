"""``/metrics`` on every process, after real requests, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import APIRouter, FastAPI, Request
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text

from shared.app import create_base_app
from shared.auth import public
from shared.db import SessionDep
from shared.metrics import UNMATCHED, record_backend_call, set_backend_circuit_state
from shared.settings import BaseServiceSettings, Environment
from shared.testing import Keys, asgi_client, scratch_database

POOL_SIZE = 3
PROCESS_NAMES = ("gateway", "offers", "beneficiaries", "network")
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
async def database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    # /readyz and the pool gauges need a reachable database, not tables.
    directory = tmp_path_factory.mktemp("metrics")
    async with scratch_database(backend, "kafaat_test_metrics", directory) as url:
        yield url


def process_app(name: str, database_url: str, keys: Keys, var_dir: Path) -> FastAPI:
    common: dict[str, Any] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "database_pool_size": POOL_SIZE,
        "log_json": False,
        "var_dir": var_dir,
    }
    if name == "gateway":
        from gateway.main import create_app as create_gateway
        from gateway.settings import Settings as GatewaySettings

        key = SecretStr(keys.private_pem.decode())
        return create_gateway(GatewaySettings(service_token_private_key=key, **common))
    public_keys = SecretStr(keys.public_pem.decode())
    if name == "offers":
        from offers.main import create_app as create_offers
        from offers.settings import Settings as OffersSettings

        # No import-job worker: its polling would hold pool connections the pool figures count.
        offers = OffersSettings(service_token_public_keys=public_keys, import_workers=0, **common)
        return create_offers(offers)
    if name == "beneficiaries":
        from beneficiaries.main import create_app as create_beneficiaries
        from beneficiaries.settings import Settings as BeneficiariesSettings

        # No intake or referral workers either, for the same reason.
        settings = BeneficiariesSettings(
            service_token_public_keys=public_keys, referral_workers=0, intake_workers=0, **common
        )
        return create_beneficiaries(settings)
    from network.main import create_app as create_network
    from network.settings import Settings as NetworkSettings

    return create_network(NetworkSettings(service_token_public_keys=public_keys, **common))


def samples(exposition: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


async def scrape(client: httpx2.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)


@pytest.mark.parametrize("name", PROCESS_NAMES)
async def test_every_process_counts_requests_by_route_template_and_status(
    name: str, database_url: str, keys: Keys, tmp_path: Path
) -> None:
    app = process_app(name, database_url, keys, tmp_path)
    async with asgi_client(app) as client:
        for _ in range(3):
            assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/no/such/path/4711")).status_code == 404
        found = await scrape(client)

    requests = "kafaat_http_requests_total"
    assert value(found, requests, method="GET", route="/healthz", status="200") == 3
    assert value(found, requests, method="GET", route="/readyz", status="200") == 1
    assert value(found, requests, method="GET", route=UNMATCHED, status="404") == 1
    assert not any("4711" in dict(labels).get("route", "") for _, labels in found)
    latency = "kafaat_http_request_duration_seconds"
    assert value(found, latency + "_count", method="GET", route="/healthz", status="200") == 3
    assert (
        value(found, latency + "_bucket", method="GET", route="/healthz", status="200", le="+Inf")
        == 3
    )
    # The scrape itself is being answered.
    assert value(found, "kafaat_http_requests_in_flight") == 1
    assert value(found, "kafaat_process_info", service=name) == 1
    assert value(found, "kafaat_db_pool_checked_out") == 0
    assert value(found, "kafaat_db_pool_size") is not None
    if database_url.startswith("postgresql"):
        assert value(found, "kafaat_db_pool_size") == POOL_SIZE
        assert value(found, "kafaat_db_pool_max") == 2 * POOL_SIZE
        # /readyz opened one connection and gave it back.
        assert value(found, "kafaat_db_pool_checked_in") == 1


async def test_gateway_labels_a_parametrised_route_by_its_template(
    database_url: str, keys: Keys, tmp_path: Path
) -> None:
    async with asgi_client(process_app("gateway", database_url, keys, tmp_path)) as client:
        for code in ("01", "02", "99"):
            await client.get(f"/api/v1/reference/regions/{code}")
        found = await scrape(client)
    template = "/api/v1/reference/regions/{code}"
    total = "kafaat_http_requests_total"
    answered = value(found, total, method="GET", route=template, status="200") or 0
    missing = value(found, total, method="GET", route=template, status="404") or 0
    assert answered + missing == 3
    assert (
        value(found, total, method="GET", route="/api/v1/reference/regions/01", status="200")
        is None
    )


def instrumented_app(database_url: str, tmp_path: Path) -> FastAPI:
    """An application with routes that look at the metrics while they run."""
    router = APIRouter()

    @router.get("/holding-a-connection")
    @public
    async def holding_a_connection(request: Request, session: SessionDep) -> dict[str, float]:
        await session.execute(text("SELECT 1"))
        found = samples(request.app.state.metrics.exposition().decode())
        return {
            "in_flight": value(found, "kafaat_http_requests_in_flight") or 0,
            "checked_out": value(found, "kafaat_db_pool_checked_out") or 0,
        }

    @router.get("/calling-backends")
    @public
    async def calling_backends() -> dict[str, str]:
        record_backend_call("offers", 200, 0.02)
        record_backend_call("offers", 200, 0.03)
        record_backend_call("offers", "timeout", 15.0)
        record_backend_call("network", 503, 0.1)
        set_backend_circuit_state("network", "open")
        return {"status": "called"}

    @router.get("/failing")
    @public
    async def failing() -> None:
        raise RuntimeError("boom")

    settings = BaseServiceSettings(
        environment=Environment.TEST,
        database_url=database_url,
        database_pool_size=POOL_SIZE,
        log_json=False,
        var_dir=tmp_path,
    )
    return create_base_app(
        service="probe", title="probe", description="probe", settings=settings, routers=[router]
    )


async def test_in_flight_requests_and_checked_out_connections_during_a_request(
    database_url: str, tmp_path: Path
) -> None:
    async with asgi_client(instrumented_app(database_url, tmp_path)) as client:
        during = (await client.get("/holding-a-connection")).json()
        after = await scrape(client)
    assert during == {"in_flight": 1, "checked_out": 1}
    assert value(after, "kafaat_db_pool_checked_out") == 0


async def test_backend_calls_errors_and_circuit_state(database_url: str, tmp_path: Path) -> None:
    record_backend_call("offers", 200, 0.01)  # outside a request: no application, no effect
    async with asgi_client(instrumented_app(database_url, tmp_path)) as client:
        assert (await client.get("/calling-backends")).status_code == 200
        found = await scrape(client)
    calls = "kafaat_backend_requests_total"
    assert value(found, calls, backend="offers", status="200") == 2
    assert value(found, calls, backend="offers", status="timeout") == 1
    assert value(found, calls, backend="network", status="503") == 1
    errors = "kafaat_backend_errors_total"
    assert value(found, errors, backend="offers", reason="timeout") == 1
    assert value(found, errors, backend="network", reason="5xx") == 1
    assert value(found, errors, backend="offers", reason="5xx") is None
    assert value(found, "kafaat_backend_request_duration_seconds_count", backend="offers") == 3
    circuit = "kafaat_backend_circuit_state"
    assert value(found, circuit, backend="network", kafaat_backend_circuit_state="open") == 1
    assert value(found, circuit, backend="network", kafaat_backend_circuit_state="closed") == 0


async def test_an_unhandled_error_is_counted_as_a_500(database_url: str, tmp_path: Path) -> None:
    async with asgi_client(instrumented_app(database_url, tmp_path)) as client:
        assert (await client.get("/failing")).status_code == 500
        await client.request("BREW", "/failing")
        found = await scrape(client)
    total = "kafaat_http_requests_total"
    assert value(found, total, method="GET", route="/failing", status="500") == 1
    assert value(found, total, method="OTHER", route="/failing", status="405") == 1
