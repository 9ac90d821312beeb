"""The four real processes on loopback, reached through the gateway, on each backend."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx2

from kafaat.testing import UPSTREAM_DEADLINE, Platform
from shared.testing import Keys


async def test_every_service_is_ready(platform: Platform, http: httpx2.AsyncClient) -> None:
    body = (await http.get(platform.base_url + "/api/v1/status")).json()
    assert body["status"] == "ready"
    assert {s["service"] for s in body["services"]} == {"offers", "beneficiaries", "network"}


async def test_reference_regions_in_arabic(platform: Platform, http: httpx2.AsyncClient) -> None:
    regions = (await http.get(platform.base_url + "/api/v1/reference/regions")).json()
    assert len(regions) == 12
    assert regions[0]["name_ar"] == "طنجة تطوان الحسيمة"


async def test_merged_openapi_has_public_paths_only(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    document = (await http.get(platform.base_url + "/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert "x-kafaat-missing-services" not in document
    assert "/api/v1/reference/regions" in document["paths"]
    assert not [path for path in document["paths"] if path.startswith("/v1/")]
    docs = await http.get(platform.base_url + "/docs")
    assert docs.status_code == 200
    assert "/api/v1/openapi.json" in docs.text


async def test_services_refuse_direct_calls_without_a_valid_token(
    platform: Platform, http: httpx2.AsyncClient, keys: Keys
) -> None:
    for service in ("offers", "beneficiaries", "network"):
        url = platform.url(service) + "/openapi.json"
        missing = await http.get(url)
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        other = "offers" if service != "offers" else "network"
        wrong_audience = await http.get(url, headers=keys.headers(other))
        assert wrong_audience.status_code == 401
        right = await http.get(url, headers=keys.headers(service))
        assert right.status_code == 200


async def test_request_id_is_propagated_to_the_service(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    response = await http.get(
        platform.base_url + "/api/v1/offers/not-a-route/x", headers={"X-Request-ID": "e2e-1"}
    )
    assert response.headers["x-request-id"] == "e2e-1"


async def test_a_stalled_service_answers_504_and_others_keep_answering(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    network = platform.process("network").popen
    network.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = await http.get(platform.base_url + "/api/v1/partners")
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.json()["service"] == "network"
        assert elapsed < UPSTREAM_DEADLINE + 1.5
        offers = await http.get(platform.base_url + "/api/v1/reference/sectors")
        assert offers.status_code == 200
    finally:
        network.send_signal(signal.SIGCONT)


async def test_a_stopped_service_answers_503_and_others_keep_answering(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    beneficiaries = platform.process("beneficiaries").popen
    beneficiaries.terminate()
    try:
        await asyncio.to_thread(beneficiaries.wait, 15)
        started = time.monotonic()
        response = await http.get(platform.base_url + "/api/v1/beneficiaries")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["service"] == "beneficiaries"
        assert time.monotonic() - started < UPSTREAM_DEADLINE + 1
        status = (await http.get(platform.base_url + "/api/v1/status")).json()
        states = {s["service"]: s["status"] for s in status["services"]}
        assert states == {"offers": "ready", "beneficiaries": "unreachable", "network": "ready"}
        assert (await http.get(platform.base_url + "/api/v1/reference/regions")).status_code == 200
    finally:
        # The platform is the session's: the modules after this one find it whole.
        await platform.restart("beneficiaries")
    assert (await http.get(platform.base_url + "/api/v1/status")).json()["status"] == "ready"
