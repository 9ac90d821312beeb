"""The nginx edge: its configuration passes ``nginx -t``, matches the route table, and nginx runs
it for real on loopback in front of the gateway and an echo upstream standing for the services."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import AnyHttpUrl, SecretStr

from gateway.main import create_app
from gateway.routing import ROUTES
from gateway.settings import Settings
from kafaat.edge import (
    AUTH_CACHE_SECONDS,
    DEFAULT_UPSTREAMS,
    EDGE_SECRET_PLACEHOLDER,
    TEMPLATE,
    render,
)
from kafaat.platform import ROOT
from shared.migrations import upgrade
from shared.settings import Environment
from shared.testing import Keys, free_port, serve
from shared.testing.echo import serve_echo
from shared.tokens import ServiceTokenVerifier, load_public_keys

EDGE_SECRET = "edge-secret-for-tests"
MAIN_CONFIG = ROOT / "deploy/nginx/nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail("nginx is not installed: `make system-deps` installs it (Debian's nginx)")
    return found


@pytest.fixture
def nginx_dir() -> Iterator[Path]:
    # nginx's workers run as `nobody` when the tests run as root: they must reach the cache and
    # temporary directories, which pytest's private tmp_path does not allow.
    directory = Path(tempfile.mkdtemp(prefix="kafaat-edge-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def write_config(directory: Path, server_config: str) -> Path:
    """The image's main nginx.conf, with its paths moved into ``directory``."""
    included = directory / "kafaat.conf"
    included.write_text(server_config)
    main = MAIN_CONFIG.read_text()
    assert "/etc/nginx/conf.d/*.conf" in main
    main = main.replace(" /tmp/", f" {directory}/")
    main = main.replace("/etc/nginx/conf.d/*.conf", str(included))
    path = directory / "nginx.conf"
    path.write_text("daemon off;\n" + main)
    return path


def nginx_test(config: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [nginx_binary(), "-t", "-q", "-e", "stderr", "-p", str(directory), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_committed_template_is_rendered_from_the_route_table() -> None:
    assert TEMPLATE.read_text() == render(), "run `make edge-config`"
    routed: dict[str, str] = {}
    for block in TEMPLATE.read_text().split("location ~ ")[1:]:
        resources = re.match(r"\^/api/v1/\(\?:([a-z|-]+)\)", block)
        service = re.search(r"set \$kafaat_service (\w+);", block)
        assert resources is not None
        assert service is not None
        routed |= dict.fromkeys(resources.group(1).split("|"), service.group(1))
    assert routed == {route.prefix.rsplit("/", 1)[1]: route.service for route in ROUTES}


def test_committed_template_passes_nginx_t(nginx_dir: Path) -> None:
    # What the image's entrypoint does (envsubst), with the services' names made resolvable.
    text = TEMPLATE.read_text().replace(EDGE_SECRET_PLACEHOLDER, EDGE_SECRET)
    for address in DEFAULT_UPSTREAMS.values():
        text = text.replace(f"server {address};", f"server 127.0.0.1:{free_port()};")
    (nginx_dir / "cache").mkdir()  # the image has /var/cache/nginx
    text = text.replace("/var/cache/nginx/", f"{nginx_dir}/cache/")
    result = nginx_test(write_config(nginx_dir, text), nginx_dir)
    assert result.returncode == 0, result.stderr


def test_nginx_t_rejects_a_broken_configuration(nginx_dir: Path) -> None:
    upstreams = {name: f"127.0.0.1:{free_port()}" for name in DEFAULT_UPSTREAMS}
    config = render(
        upstreams=upstreams,
        listen=f"127.0.0.1:{free_port()}",
        cache_dir=str(nginx_dir / "auth-cache"),
    )
    broken = config.replace("auth_request ", "auth_requets ")
    result = nginx_test(write_config(nginx_dir, broken), nginx_dir)
    assert result.returncode != 0
    assert "auth_requets" in result.stderr


@dataclass
class Platform:
    edge: httpx2.AsyncClient
    gateway: httpx2.AsyncClient
    keys: Keys


@asynccontextmanager
async def serve_gateway(keys: Keys, directory: Path, echo_url: str) -> AsyncIterator[str]:
    database_url = f"sqlite+aiosqlite:///{directory}/gateway.db"
    await asyncio.to_thread(upgrade, ROOT / "gateway", database_url)
    settings = Settings(
        environment=Environment.TEST,
        database_url=database_url,
        service_token_private_key=SecretStr(keys.private_pem.decode()),
        offers_url=AnyHttpUrl(echo_url),
        beneficiaries_url=AnyHttpUrl(echo_url),
        network_url=AnyHttpUrl(echo_url),
        edge_secret=SecretStr(EDGE_SECRET),
        trust_forwarded_headers=True,
        log_json=False,
        var_dir=directory,
    )
    async with serve(create_app(settings)) as url:
        yield url.removeprefix("http://")


@asynccontextmanager
async def run_nginx(directory: Path, server_config: str, port: int) -> AsyncIterator[str]:
    config = write_config(directory, server_config)
    checked = nginx_test(config, directory)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [nginx_binary(), "-e", "stderr", "-p", str(directory), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        async with httpx2.AsyncClient(trust_env=False) as probe:
            while True:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                try:
                    if (await probe.get(base + "/edge/healthz")).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                assert time.monotonic() < deadline, "nginx did not start"
                await asyncio.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(10)


@asynccontextmanager
async def platform(directory: Path, edge_secret: str = EDGE_SECRET) -> AsyncIterator[Platform]:
    keys = Keys()
    async with serve_echo() as echo_url, serve_gateway(keys, directory, echo_url) as gateway:
        echo = echo_url.removeprefix("http://")
        upstreams = {"gateway": gateway, "offers": echo, "beneficiaries": echo, "network": echo}
        port = free_port()
        config = render(
            upstreams=upstreams,
            listen=f"127.0.0.1:{port}",
            edge_secret=edge_secret,
            cache_dir=str(directory / "auth-cache"),
        )
        async with (
            run_nginx(directory, config, port) as edge_url,
            httpx2.AsyncClient(base_url=edge_url, trust_env=False) as edge,
            httpx2.AsyncClient(base_url=f"http://{gateway}", trust_env=False) as direct,
        ):
            yield Platform(edge, direct, keys)


@pytest.fixture
async def live(nginx_dir: Path) -> AsyncIterator[Platform]:
    async with platform(nginx_dir) as running:
        yield running


def echoed(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    body["headers"] = dict(body["headers"])
    return body


async def forward_auth_calls(gateway: httpx2.AsyncClient) -> float:
    text = (await gateway.get("/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "kafaat_http_requests_total"
        and sample.labels["route"] == "/internal/forward-auth"
    )


async def test_service_paths_go_to_the_owning_service_with_a_service_token(
    live: Platform,
) -> None:
    response = await live.edge.post(
        "/api/v1/labour-needs/abc?region=01&q=%C3%A9",
        content=b"hello",
        headers={"Content-Type": "text/plain", "If-Match": '"3"', "Idempotency-Key": "k-1"},
    )
    request = echoed(response)
    assert request["method"] == "POST"
    assert request["path"] == "/v1/labour-needs/abc"
    assert request["query"] == "region=01&q=%C3%A9"
    assert request["body_size"] == 5
    headers = request["headers"]
    assert headers["if-match"] == '"3"'
    assert headers["idempotency-key"] == "k-1"
    assert headers["content-type"] == "text/plain"
    scheme, token = headers["authorization"].split(" ")
    assert scheme == "Bearer"
    verifier = ServiceTokenVerifier(load_public_keys(live.keys.public_pem), audience="network")
    assert verifier.verify(token).kind == "anonymous"
    assert "x-kafaat-edge-secret" not in headers


async def test_client_identity_headers_never_reach_a_service(live: Platform) -> None:
    forged = {
        "X-User-Id": "admin",
        "X-User-Role": "admin",
        "X-Principal": "admin",
        "X-Auth-Request-User": "admin",
        "X-Auth-Anything": "admin",
        "X-Forwarded-User": "admin",
        "X-Forwarded-For": "10.9.9.9",
        "X-Kafaat-Service-Token": "forged",
    }
    headers = echoed(await live.edge.get("/api/v1/offers", headers=forged))["headers"]
    assert not {name.lower() for name in forged if name != "X-Forwarded-For"} & set(headers)
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"


async def test_request_ids_are_kept_or_created(live: Platform) -> None:
    kept = echoed(await live.edge.get("/api/v1/sessions", headers={"X-Request-ID": "abc-123"}))
    assert kept["headers"]["x-request-id"] == "abc-123"
    created = echoed(await live.edge.get("/api/v1/sessions"))["headers"]["x-request-id"]
    assert re.fullmatch("[0-9a-f]{32}", created)


async def test_the_auth_decision_is_cached_per_authorization_and_service(live: Platform) -> None:
    before = await forward_auth_calls(live.gateway)
    for _ in range(5):
        echoed(await live.edge.get("/api/v1/offers"))
    echoed(await live.edge.get("/api/v1/providers"))  # same caller, same service: cached
    assert await forward_auth_calls(live.gateway) - before == 1
    echoed(await live.edge.get("/api/v1/referrals"))  # another service: asked again
    assert await forward_auth_calls(live.gateway) - before == 2


async def test_the_gateways_problem_reaches_the_client(live: Platform) -> None:
    response = await live.edge.get(
        "/api/v1/beneficiaries", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_everything_else_goes_to_the_gateway(live: Platform) -> None:
    regions = await live.edge.get("/api/v1/reference/regions")
    assert regions.status_code == 200
    assert len(regions.json()) == 12
    assert {"code", "name_fr", "name_ar", "pilot"} <= set(regions.json()[0])
    assert (await live.edge.get("/healthz")).json() == {"status": "ok"}
    unknown = await live.edge.get("/api/v1/no-such-resource")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    # Resource names are matched whole: /api/v1/offersx is not the offers service's.
    assert (await live.edge.get("/api/v1/offersx")).status_code == 404


async def test_internal_endpoints_are_not_reachable_from_outside(live: Platform) -> None:
    for path in ("/internal/forward-auth", "/metrics"):
        response = await live.edge.get(
            path, headers={"X-Kafaat-Edge-Secret": EDGE_SECRET, "X-Original-URI": "/api/v1/offers"}
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "x-kafaat-service-token" not in response.headers


async def test_a_raw_path_that_disagrees_with_its_normalised_form_is_refused(
    live: Platform,
) -> None:
    # nginx routes on the normalised path (offers) but forwards the raw one (networks/..).
    raw = b"/api/v1/networks/../offers/1"
    response = await live.edge.get("/api/v1/offers/1", extensions={"target": raw})
    assert response.status_code == 404
    assert (await live.edge.get("/api/v1/offers/1")).status_code == 200


async def test_an_auth_answer_nginx_cannot_relay_itself_still_reaches_the_client(
    nginx_dir: Path,
) -> None:
    # A wrong edge secret makes the gateway answer 404, which auth_request alone would turn
    # into an opaque 500.
    async with platform(nginx_dir, edge_secret="not-the-gateways-secret") as running:
        response = await running.edge.get("/api/v1/offers")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


async def test_a_service_that_is_down_answers_a_problem(nginx_dir: Path) -> None:
    keys = Keys()
    async with serve_echo() as echo_url, serve_gateway(keys, nginx_dir, echo_url) as gateway:
        down = f"127.0.0.1:{free_port()}"
        port = free_port()
        config = render(
            upstreams={"gateway": gateway, "offers": down, "beneficiaries": down, "network": down},
            listen=f"127.0.0.1:{port}",
            edge_secret=EDGE_SECRET,
            cache_dir=str(nginx_dir / "auth-cache"),
        )
        async with (
            run_nginx(nginx_dir, config, port) as edge_url,
            httpx2.AsyncClient(base_url=edge_url, trust_env=False) as edge,
        ):
            response = await edge.get("/api/v1/offers")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/upstream-error")


def test_the_cache_lifetime_is_below_half_a_service_token_lifetime() -> None:
    assert AUTH_CACHE_SECONDS * 2 < Settings().service_token_lifetime_seconds
    assert f"proxy_cache_valid 204 {AUTH_CACHE_SECONDS}s;" in render()
