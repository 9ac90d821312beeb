"""The nginx edge: its configuration passes ``nginx -t``, matches the route table, and nginx runs
it for real on loopback in front of the gateway and an echo upstream standing for the services."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import AnyHttpUrl, SecretStr
from starlette.types import ASGIApp

from gateway.identity.dependencies import Identity
from gateway.identity.tokens import AccessTokenVerifier
from gateway.main import create_app
from gateway.routing import ROUTES
from gateway.settings import Settings
from kafaat.edge import (
    AUTH_CACHE_SECONDS,
    DEFAULT_CONF_DIR,
    DEFAULT_UPSTREAMS,
    EDGE_SECRET_PLACEHOLDER,
    TEMPLATE,
    EdgeLimits,
    render,
)
from kafaat.platform import ROOT
from shared.app import create_service_app
from shared.auth import CurrentPrincipal
from shared.migrations import upgrade
from shared.principal import ANONYMOUS
from shared.settings import Environment, ServiceTokenVerifierSettings
from shared.testing import Keys, asgi_client, free_port, make_principal, serve
from shared.testing.echo import serve_echo
from shared.testing.windows import within_one_window_if_tight
from shared.tokens import ServiceTokenVerifier, load_public_keys

EDGE_SECRET = "edge-secret-for-tests"
ACCESS_TOKEN_LEEWAY_SECONDS = AccessTokenVerifier.leeway_seconds
MAIN_CONFIG = ROOT / "deploy/nginx/nginx.conf"
TRUSTED_PROXIES_SCRIPT = ROOT / "deploy/nginx/docker-entrypoint.d/40-kafaat-trusted-proxies.sh"


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


def write_trusted_proxies(directory: Path, proxies: str) -> None:
    """What the image's entrypoint does when it starts: the script renders
    KAFAAT_EDGE_TRUSTED_PROXIES next to the rendered template."""
    env = {"PATH": "/usr/bin:/bin", "NGINX_ENVSUBST_OUTPUT_DIR": str(directory)}
    if proxies:
        env["KAFAAT_EDGE_TRUSTED_PROXIES"] = proxies
    result = subprocess.run(
        ["sh", str(TRUSTED_PROXIES_SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


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
    text = text.replace(f"{DEFAULT_CONF_DIR}/", f"{nginx_dir}/")
    write_trusted_proxies(nginx_dir, "10.0.0.0/8, 192.168.0.0/16 fd00::/8")
    result = nginx_test(write_config(nginx_dir, text), nginx_dir)
    assert result.returncode == 0, result.stderr


def test_nginx_t_rejects_a_broken_configuration(nginx_dir: Path) -> None:
    upstreams = {name: f"127.0.0.1:{free_port()}" for name in DEFAULT_UPSTREAMS}
    config = render(
        upstreams=upstreams,
        listen=f"127.0.0.1:{free_port()}",
        cache_dir=str(nginx_dir / "auth-cache"),
        conf_dir=str(nginx_dir),
    )
    write_trusted_proxies(nginx_dir, "")
    broken = config.replace("auth_request ", "auth_requets ")
    result = nginx_test(write_config(nginx_dir, broken), nginx_dir)
    assert result.returncode != 0
    assert "auth_requets" in result.stderr


@dataclass
class Platform:
    edge: httpx2.AsyncClient
    gateway: httpx2.AsyncClient
    keys: Keys
    app: FastAPI  # the gateway's

    def access_token(self, *, lifetime: float | None = None, **claims: Any) -> str:
        """A person's access token, as the gateway signs them (``lifetime``: shorter)."""
        identity: Identity = self.app.state.identity
        signer = identity.signer
        expires_at = time.time() + lifetime if lifetime is not None else None
        return signer.sign(make_principal(**claims), expires_at=expires_at)[0]


@asynccontextmanager
async def serve_gateway(
    keys: Keys, directory: Path, echo_url: str, **overrides: Any
) -> AsyncIterator[tuple[str, FastAPI]]:
    database_url = f"sqlite+aiosqlite:///{directory}/gateway.db"
    await asyncio.to_thread(upgrade, ROOT / "gateway", database_url)
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "service_token_private_key": SecretStr(keys.private_pem.decode()),
        "offers_url": AnyHttpUrl(echo_url),
        "beneficiaries_url": AnyHttpUrl(echo_url),
        "network_url": AnyHttpUrl(echo_url),
        "edge_secret": SecretStr(EDGE_SECRET),
        # The edge runs on loopback: its forwarded headers are believed.
        "trusted_proxies": ["127.0.0.1/32"],
        "log_json": False,
        "var_dir": directory,
    }
    app = create_app(Settings(**(values | overrides)))
    async with serve(app) as url:
        yield url.removeprefix("http://"), app


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
async def platform(
    directory: Path,
    edge_secret: str = EDGE_SECRET,
    *,
    edge_trusted_proxies: str = "",
    limits: EdgeLimits | None = None,
    services: Callable[[Keys], ASGIApp] | None = None,
    **gateway_settings: Any,
) -> AsyncIterator[Platform]:
    """The gateway, nginx in front, and the echo upstream (or the application ``services``
    makes with the gateway's keys) standing for the three services."""
    keys = Keys()
    async with (
        serve_echo() if services is None else serve(services(keys)) as service_url,
        serve_gateway(
            keys, directory, "http://" + service_url.removeprefix("http://"), **gateway_settings
        ) as (gateway, app),
    ):
        echo = service_url.removeprefix("http://")
        upstreams = {"gateway": gateway, "offers": echo, "beneficiaries": echo, "network": echo}
        port = free_port()
        config = render(
            upstreams=upstreams,
            listen=f"127.0.0.1:{port}",
            edge_secret=edge_secret,
            cache_dir=str(directory / "auth-cache"),
            conf_dir=str(directory),
            limits=limits,
        )
        write_trusted_proxies(directory, edge_trusted_proxies)
        async with (
            run_nginx(directory, config, port) as edge_url,
            httpx2.AsyncClient(base_url=edge_url, trust_env=False) as edge,
            httpx2.AsyncClient(base_url=f"http://{gateway}", trust_env=False) as direct,
        ):
            # The gateway's counters: a test counting against them fits in one window.
            await within_one_window_if_tight(gateway_settings)
            yield Platform(edge, direct, keys, app)


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
    async with (
        serve_echo() as echo_url,
        serve_gateway(keys, nginx_dir, echo_url) as (gateway, _),
    ):
        down = f"127.0.0.1:{free_port()}"
        port = free_port()
        config = render(
            upstreams={"gateway": gateway, "offers": down, "beneficiaries": down, "network": down},
            listen=f"127.0.0.1:{port}",
            edge_secret=EDGE_SECRET,
            cache_dir=str(nginx_dir / "auth-cache"),
            conf_dir=str(nginx_dir),
        )
        write_trusted_proxies(nginx_dir, "")
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


# --- rate limits on every path (issue 9, item 3) ---------------------------------------------

THREE_A_MINUTE: dict[str, Any] = {
    "rate_limit_per_ip": "3/minute",
    "rate_limit_per_principal": "3/minute",
    "rate_limit_auth_per_ip": "3/minute",
}


def is_rate_limited(response: httpx2.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/rate-limited")
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_path_through_the_edge_is_rate_limited(nginx_dir: Path) -> None:
    limits = EdgeLimits(per_ip="3/minute", per_caller="3/minute")
    async with platform(nginx_dir, limits=limits, **THREE_A_MINUTE) as running:
        answers = [await running.edge.get("/api/v1/offers") for _ in range(12)]
        assert [a.status_code for a in answers].count(200) == 3
        for answer in answers[3:]:
            is_rate_limited(answer)
        assert answers[3].headers["retry-after"] == "20"  # one more every 60/3 seconds
        # The budget is the address's, whichever path it asks for.
        is_rate_limited(await running.edge.get("/api/v1/reference/regions"))
        is_rate_limited(await running.edge.get("/api/v1/referrals"))


async def test_a_caller_is_limited_whatever_its_address(nginx_dir: Path) -> None:
    limits = EdgeLimits(per_ip="1000/minute", per_caller="3/minute")
    async with platform(nginx_dir, limits=limits, edge_trusted_proxies="127.0.0.1") as running:
        caller = {"Authorization": "Bearer " + running.access_token()}
        answers = [
            await running.edge.get(
                "/api/v1/offers", headers=caller | {"X-Forwarded-For": f"203.0.113.{n}"}
            )
            for n in range(12)
        ]
        assert [a.status_code for a in answers].count(200) == 3
        is_rate_limited(answers[-1])
        # Another caller from the same addresses is not.
        other = {"Authorization": "Bearer " + running.access_token()}
        echoed(await running.edge.get("/api/v1/offers", headers=other))


async def test_decisions_the_edge_has_not_cached_count_at_the_gateway(nginx_dir: Path) -> None:
    # The edge's own limits are far away: the gateway's count forward-auth calls.
    limits = EdgeLimits(per_ip="1000/minute", per_caller="1000/minute")
    async with platform(nginx_dir, limits=limits, **THREE_A_MINUTE) as running:
        answers = [
            await running.edge.get(
                "/api/v1/offers", headers={"Authorization": "Bearer " + running.access_token()}
            )
            for _ in range(6)
        ]
        assert [a.status_code for a in answers].count(200) == 3
        is_rate_limited(answers[-1])
        assert "ratelimit-policy" in answers[-1].headers


# --- forwarded addresses from trusted proxies only (item 4) ----------------------------------

LOGIN = "/api/v1/auth/login"
WRONG = {"email": "amina@example.org", "password": "wrong password!!"}


async def login_from(edge: httpx2.AsyncClient, address: str) -> int:
    return (await edge.post(LOGIN, json=WRONG, headers={"X-Forwarded-For": address})).status_code


async def seen_by_the_service(
    edge: httpx2.AsyncClient, forwarded_for: str
) -> tuple[dict[str, str], httpx2.Response]:
    """What a service is told of a client claiming TLS and an address; the answer."""
    response = await edge.get(
        "/api/v1/offers",
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )
    return echoed(response)["headers"], response


async def test_clients_behind_a_trusted_proxy_have_their_own_counters(nginx_dir: Path) -> None:
    async with platform(
        nginx_dir,
        edge_trusted_proxies="10.0.0.0/8, 127.0.0.1/32",
        rate_limit_auth_per_ip="3/minute",
        login_max_failures=50,
    ) as running:
        # An ingress (127.0.0.1 here) in front of the edge: two clients behind it.
        assert [await login_from(running.edge, "203.0.113.1") for _ in range(4)] == [
            *(401, 401, 401),
            429,
        ]
        assert await login_from(running.edge, "203.0.113.2") == 401
        # The original scheme and the client reach the services; HSTS behind TLS.
        headers, response = await seen_by_the_service(running.edge, "6.6.6.6, 203.0.113.1")
        assert headers["x-forwarded-for"] == "203.0.113.1"
        assert headers["x-forwarded-proto"] == "https"
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
        regions = await running.edge.get(
            "/api/v1/reference/regions", headers={"X-Forwarded-Proto": "https"}
        )
        assert regions.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_an_untrusted_peers_forwarded_address_is_ignored(nginx_dir: Path) -> None:
    async with platform(
        nginx_dir,
        edge_trusted_proxies="10.0.0.0/8",
        rate_limit_auth_per_ip="3/minute",
        login_max_failures=50,
    ) as running:
        assert [await login_from(running.edge, "203.0.113.1") for _ in range(3)] == [401] * 3
        # A made-up address is no fresh budget: the peer is the client.
        assert await login_from(running.edge, "203.0.113.2") == 429
        headers, response = await seen_by_the_service(running.edge, "203.0.113.1")
        assert headers["x-forwarded-for"] == "127.0.0.1"
        assert headers["x-forwarded-proto"] == "http"
        assert "strict-transport-security" not in response.headers


# --- dot segments and encoded slashes (item 5), repeated Authorization (item 10) -------------

# Each reached /metrics, /readyz or a service's internal route through the gateway's proxy.
UNROUTABLE = [
    "/api/v1/offers/../../metrics",
    "/api/v1/offers/%2e%2e/%2e%2e/readyz",
    "/api/v1/offers/%2e%2e/%2e%2e/v1/stats/supply",
    "/api/v1/offers/%2E%2E/%2E%2E/metrics",
    "/api/v1/offers/%2E./.%2e/readyz",
    "/api/v1/offers/./%2e/../../readyz",
    "/api/v1/offers/..%2f..%2fmetrics",
    "/api/v1/offers%2F..%2F..%2Fmetrics",
    "/api/v1/offers/..%5c..%5cmetrics",
    "/api/v1/offers/..\\..\\metrics",
    "/api/v1/sessions/../../internal/forward-auth",
    "/api/v1/reference/../../internal/forward-auth",
    "/api/v1/offers/../../../../metrics",
    "/api/v1/offers/%2e%2e",
    "/api/v1/offers/..?x=/metrics",
    "/api/v1//offers/%2e%2e//%2e%2e//readyz",
]


@pytest.mark.parametrize("target", UNROUTABLE)
async def test_dot_segments_and_encoded_slashes_are_refused_at_the_edge_and_the_gateway(
    live: Platform, target: str
) -> None:
    for client in (live.edge, live.gateway):
        response = await client.get("/", extensions={"target": target.encode()})
        assert response.status_code in (400, 404), (client.base_url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_more_than_one_authorization_is_refused(live: Platform) -> None:
    token = "Bearer " + live.access_token()
    for client in (live.edge, live.gateway):
        for path in ("/api/v1/offers", "/api/v1/auth/me"):
            response = await client.get(
                path, headers=[("Authorization", token), ("Authorization", "Bearer bogus")]
            )
            assert response.status_code == 400, response.text
            assert response.headers["content-type"] == "application/problem+json"


# --- nginx's own refusals are problems too ----------------------------------------------------


async def raw_exchange(base_url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes no HTTP client would write; the status, headers and body nginx answers."""
    host, port = base_url.removeprefix("http://").rstrip("/").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)  # nginx closes after a refusal
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ")[1]), headers, body


def is_edge_problem(status: int, headers: dict[str, str], body: bytes, expected: int) -> None:
    assert status == expected, body
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == status
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name
    assert headers["cache-control"] == "no-store"


BIG = b"a" * 20_000  # past large_client_header_buffers (8k a line)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param(
            b"POST /api/v1/providers HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n",
            413,
            id="body-over-the-limit-to-a-service",
        ),
        pytest.param(
            b"POST /api/v1/offers/import HTTP/1.1\r\nHost: x\r\nContent-Length: 600000000\r\n\r\n",
            413,
            id="file-over-the-upload-limit",
        ),
        pytest.param(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n",
            413,
            id="body-over-the-limit-to-the-gateway",
        ),
        pytest.param(
            b"GET /api/v1/offers HTTP/1.1\r\nHost: x\r\nX-Big: " + BIG + b"\r\n\r\n",
            400,
            id="header-too-large",
        ),
        pytest.param(
            b"GET /api/v1/offers HTTP/1.1\r\nHost: x\r\nCookie: " + BIG + b"\r\n\r\n",
            400,
            id="cookies-too-large",
        ),
        pytest.param(
            b"GET /api/v1/offers?q=" + BIG + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, id="uri-too-long"
        ),
        pytest.param(b"GET\x01 / HTTP/1.1\r\nHost: x\r\n\r\n", 400, id="bad-request-line"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", 400, id="bad-header"),
        pytest.param(b"GET / HTTP/1.1\r\n\r\n", 400, id="no-host"),
        pytest.param(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505, id="unknown-http-version"),
    ],
)
async def test_nginx_refusals_are_problem_json(
    live: Platform, request_bytes: bytes, status: int
) -> None:
    answer = await raw_exchange(str(live.edge.base_url), request_bytes)
    is_edge_problem(*answer, expected=status)


async def test_a_header_too_large_says_so(live: Platform) -> None:
    request = b"GET /api/v1/offers HTTP/1.1\r\nHost: x\r\nX-Big: " + BIG + b"\r\n\r\n"
    _, _, body = await raw_exchange(str(live.edge.base_url), request)
    assert "header" in json.loads(body)["detail"]


# --- security headers on every answer (item 8) ------------------------------------------------

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def has_security_headers(response: httpx2.Response, *, no_store: bool) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get_list(name) == [value], (name, response.request.url)
    if no_store:
        assert response.headers.get_list("cache-control") == ["no-store"]
    else:
        assert "no-store" not in response.headers.get("cache-control", "")


def offers_service(keys: Keys) -> FastAPI:
    """A service as the shared factory builds them (its middleware is what is tested)."""
    router = APIRouter()

    @router.get("/v1/offers")
    async def offers(principal: CurrentPrincipal) -> dict[str, str]:
        return {"kind": principal.kind}

    settings = ServiceTokenVerifierSettings(
        environment=Environment.TEST,
        database_url="sqlite+aiosqlite:///:memory:",
        service_token_public_keys=SecretStr(keys.public_pem.decode()),
        log_json=False,
    )
    return create_service_app(
        service="offers", title="Offers", description="", settings=settings, routers=[router]
    )


async def test_every_answer_through_the_edge_carries_the_security_headers(
    nginx_dir: Path,
) -> None:
    limits = EdgeLimits(per_ip="8/minute", per_caller="8/minute")
    async with platform(nginx_dir, limits=limits, services=offers_service) as running:
        signed_in = {"Authorization": "Bearer " + running.access_token()}
        for client in (running.edge, running.gateway):  # the edge, and the Python proxy
            anonymous = await client.get("/api/v1/offers")
            assert anonymous.json() == {"kind": "anonymous"}
            has_security_headers(anonymous, no_store=False)
            person = await client.get("/api/v1/offers", headers=signed_in)
            assert person.json() == {"kind": "user"}
            has_security_headers(person, no_store=True)
        # The edge's own answers: a hidden path, a refused one, past the rate limit.
        has_security_headers(await running.edge.get("/internal/forward-auth"), no_store=True)
        refused = await running.edge.get("/", extensions={"target": b"/api/v1/offers/%2e%2e"})
        has_security_headers(refused, no_store=True)
        answers = [await running.edge.get("/api/v1/reference/regions") for _ in range(8)]
        assert answers[-1].status_code == 429
        has_security_headers(answers[-1], no_store=True)
    # And straight from the service, as the edge sees it.
    keys = Keys()
    async with asgi_client(offers_service(keys)) as service:
        person = await service.get("/v1/offers", headers=keys.headers("offers"))
        assert person.status_code == 200
        has_security_headers(person, no_store=True)
        anonymous = await service.get("/v1/offers", headers=keys.headers("offers", ANONYMOUS))
        has_security_headers(anonymous, no_store=False)
        has_security_headers(await service.get("/healthz"), no_store=False)


# --- the cached decision never outlives the token (item 12) -----------------------------------


async def test_a_cached_decision_ends_with_the_token(live: Platform) -> None:
    # Long enough that the two first requests fall inside it on a busy machine (the expiry is
    # whole seconds: up to one of them is lost at issue).
    token = live.access_token(lifetime=4)
    caller = {"Authorization": f"Bearer {token}"}
    before = await forward_auth_calls(live.gateway)
    echoed(await live.edge.get("/api/v1/offers", headers=caller))
    echoed(await live.edge.get("/api/v1/providers", headers=caller))  # cached
    assert await forward_auth_calls(live.gateway) - before == 1
    await asyncio.sleep(4.5)
    # Expired: the edge asks again rather than reuse the decision (the gateway still accepts
    # the token for its few seconds of leeway for clock skew)...
    echoed(await live.edge.get("/api/v1/offers", headers=caller))
    assert await forward_auth_calls(live.gateway) - before == 2
    await asyncio.sleep(ACCESS_TOKEN_LEEWAY_SECONDS)
    # ... and once those are over too, the caller gets the gateway's 401.
    expired = await live.edge.get("/api/v1/offers", headers=caller)
    assert expired.status_code == 401
    assert expired.headers["content-type"] == "application/problem+json"
    assert expired.headers["www-authenticate"].startswith("Bearer")


async def test_a_bulk_file_larger_than_any_request_reaches_the_import(live: Platform) -> None:
    # 12 MB: over the 10 MB of every other request, well within the upload limit.
    size = 12 * 1024 * 1024
    imported = await live.edge.post(
        "/api/v1/offers/import", content=b"x" * size, headers={"Content-Type": "text/csv"}
    )
    request = echoed(imported)
    assert request["path"] == "/v1/offers/import"
    assert request["body_size"] == size
    elsewhere = await live.edge.post("/api/v1/offers", content=b"x" * size)
    assert elsewhere.status_code == 413
    assert elsewhere.headers["content-type"] == "application/problem+json"
