"""Gateway data path: requests/s of the same backend reached directly, through a plain nginx
reverse proxy, through the gateway's Python proxy (with each candidate client on its hot path)
and through the production edge (nginx with the configuration ``kafaat.edge`` renders, asking
the gateway by forward-auth), side by side in one run, on two backends:

- ``minimal``: a FastAPI endpoint answering a constant (``bench.backend``), the proxy's cost
  laid bare;
- ``offers``: the real offers service on SQLite, ``GET /v1/offers/{id}`` of a published offer.

    python -m bench gateway

Then a latency pass at one connection (``wrk -c1``): what each path adds to one request's
median when nothing queues. Needs ``wrk`` and ``nginx`` (``make bench`` installs them).
Everything listens on 127.0.0.1; every load is bounded in time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from pydantic import SecretStr

from gateway.identity.tokens import access_token_keys
from gateway.settings import Settings
from kafaat import edge
from shared.migrations import upgrade
from shared.principal import Principal, Role
from shared.testing import Keys, free_port, make_principal
from shared.tokens import generate_private_key_pem

DURATION = os.environ.get("KAFAAT_BENCH_DURATION", "8s")
LATENCY_DURATION = os.environ.get("KAFAAT_BENCH_LATENCY_DURATION", "3s")
CONNECTIONS = "32"
ROOT = Path(__file__).resolve().parents[1]
OFFERS_ROOT = ROOT / "services" / "offers"
# The hot-path clients compared, each a way to start the same gateway (uvicorn --factory).
CLIENTS = {
    "aiohttp": "gateway.main:create_app",
    "httpx2": "bench.clients:httpx2_gateway",
}
RESULTS = Path(__file__).parent / "results"
EDGE_SECRET = "bench-edge-secret"
# Rate limits stay on every path (their cost is real) but must not refuse the load.
GENEROUS = "100000000/minute"


@dataclass
class Result:
    path: str
    requests_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    non_2xx: int


def _wait(url: str, authorization: str | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    headers = {"Authorization": authorization} if authorization else {}
    while time.monotonic() < deadline:
        try:
            response = httpx2.get(url, timeout=1.0, trust_env=False, headers=headers)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx2.TransportError as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up: {last!r}")


def _uvicorn(
    app: str, port: int, env: dict[str, str], factory: bool = False
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--no-access-log"]
    command += ["--log-level", "warning"] + (["--factory"] if factory else [])
    return subprocess.Popen(command, env={**os.environ, **env}, cwd=Path(__file__).parents[1])


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    name: str,
    url: str,
    authorization: str | None = None,
    connections: str = CONNECTIONS,
    duration: str = DURATION,
) -> Result:
    headers = ["-H", f"Authorization: {authorization}"] if authorization else []
    warm_up = ["wrk", "-t1", "-c8", "-d1s", *headers, url]
    subprocess.run(warm_up, capture_output=True, check=True)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "--latency", *headers, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non_2xx_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result = Result(name, rps, p50, p99, int(non_2xx_match.group(1)) if non_2xx_match else 0)
    print(f"  {name:<46} {rps:>8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", flush=True)
    return result


def _nginx_main(directory: Path, name: str, http_body: str) -> Path:
    """A whole nginx configuration around ``http_body``, writing only under ``directory``."""
    config = directory / f"nginx-{name}.conf"
    config.write_text(
        f"""
worker_processes 1;
daemon off;
pid {directory}/nginx-{name}.pid;
error_log {directory}/nginx-{name}.log warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    tcp_nodelay on;
{http_body}
}}
"""
    )
    return config


def plain_proxy_config(directory: Path, name: str, listen: int, backend: int) -> Path:
    """The reference: nginx as a plain keep-alive reverse proxy, no authentication at all."""
    return _nginx_main(
        directory,
        name,
        f"""
    access_log off;
    upstream backend {{ server 127.0.0.1:{backend}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
""",
    )


def edge_config(
    directory: Path, name: str, listen: int, upstreams: dict[str, str], cached: bool
) -> Path:
    """The production edge, rendered by ``kafaat.edge`` from the route table."""
    cache_dir = directory / f"auth-cache-{name}"
    cache_dir.mkdir(exist_ok=True)
    body = edge.render(
        upstreams=upstreams,
        listen=f"127.0.0.1:{listen}",
        edge_secret=EDGE_SECRET,
        cache_dir=str(cache_dir),
        conf_dir=str(directory),
        limits=edge.EdgeLimits(per_ip=GENEROUS, per_caller=GENEROUS),
    ).replace(
        "access_log /dev/stdout kafaat_json;",
        f"access_log {directory}/access-{name}.log kafaat_json;",
    )
    if not cached:
        body = body.replace("proxy_cache kafaat_auth;", "proxy_cache off;")
        assert "proxy_cache off;" in body
    return _nginx_main(directory, name, body)


def write_trusted_proxies(directory: Path) -> None:
    """What the edge image runs at start: no trusted proxy in front (wrk is the client)."""
    subprocess.run(
        ["sh", str(ROOT / "deploy/nginx/docker-entrypoint.d/40-kafaat-trusted-proxies.sh")],
        env={"PATH": os.environ.get("PATH", ""), "NGINX_ENVSUBST_OUTPUT_DIR": str(directory)},
        check=True,
    )


def _access_token(private_pem: bytes) -> str:
    """A signed-in regional coordinator, as the gateway's login would issue."""
    settings = Settings(access_token_private_key=SecretStr(private_pem.decode()))
    signer, _ = access_token_keys(settings)
    principal = Principal(
        subject=str(uuid.uuid4()), kind="user", role=Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    token, _ = signer.sign(principal)
    return token


@dataclass
class Backend:
    """One backend and every path in front of it."""

    name: str
    port: int
    path: str  # the service's own path
    direct_authorization: Callable[[], str | None]  # a fresh service token, when it needs one
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def public_path(self) -> str:
        return "/api" + self.path


def _offers_env(database_url: str, keys: Keys, directory: Path) -> dict[str, str]:
    return {
        "KAFAAT_OFFERS_DATABASE_URL": database_url,
        "KAFAAT_OFFERS_SERVICE_TOKEN_PUBLIC_KEYS": keys.public_pem.decode(),
        "KAFAAT_OFFERS_LOG_LEVEL": "WARNING",
        "KAFAAT_OFFERS_VAR_DIR": str(directory),
    }


def _published_offer(base_url: str, keys: Keys) -> str:
    """Import one provider and one published offer into the running service; the offer's id."""
    rows = [
        {
            "record": "provider",
            "external_id": "P1",
            "name": "Centre de formation Tanger n° 1",
            "kind": "public_institute",
            "region": "01",
            "status": "published",
        },
        {
            "record": "offer",
            "external_id": "O1",
            "provider_external_id": "P1",
            "title_fr": "Électricité du bâtiment — niveau qualification",
            "description": "Une formation qualifiante avec stage en entreprise. " * 3,
            "sector": "construction",
            "isced_field": "07",
            "isco_groups": ["7"],
            "mode": "in_person",
            "duration_hours": 600,
            "languages": ["ar", "fr"],
            "cost_mad": 0,
            "target_publics": ["all"],
            "status": "published",
        },
    ]
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    admin = keys.headers("offers", make_principal())
    with httpx2.Client(base_url=base_url, timeout=30.0, trust_env=False) as client:
        imported = client.post(
            "/v1/offers/import",
            params={"source": "bench"},
            content=body,
            headers={**admin, "Content-Type": "application/x-ndjson"},
        )
        if imported.status_code >= 300:
            raise RuntimeError(
                f"seeding the offers service: {imported.status_code} {imported.text}"
            )
        listed = client.get("/v1/offers", headers=admin).json()
    return str(listed["items"][0]["id"])


def _report(title: str, results: list[Result]) -> dict[str, Any]:
    reference = results[1]  # the plain nginx reverse proxy
    print(f"{title}: ratios vs the nginx reverse proxy, and median added to nginx's")
    for result in results:
        ratio = result.requests_per_second / reference.requests_per_second
        added = result.latency_p50_ms - reference.latency_p50_ms
        print(f"  {result.path:<46} {ratio:5.2f}x  p50 {added:+7.2f} ms")
    return {
        "results": [asdict(r) for r in results],
        "ratios_vs_nginx": {
            r.path: r.requests_per_second / reference.requests_per_second for r in results
        },
        "added_p50_ms_vs_nginx": {
            r.path: r.latency_p50_ms - reference.latency_p50_ms for r in results
        },
    }


def main() -> int:
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed: run `make bench`, which installs it")
            return 1
    keys = Keys()
    access_key = generate_private_key_pem()
    authorization = "Bearer " + _access_token(access_key)
    coordinator = Principal(
        subject=str(uuid.uuid4()), kind="user", role=Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    ports: set[int] = set()
    while len(ports) < 16:  # the OS may hand the same free port out twice
        ports.add(free_port())
    free = sorted(ports)
    backends = [
        Backend("minimal", free.pop(), "/v1/offers", lambda: None),
        Backend(
            "offers",
            free.pop(),
            "/v1/offers/{id}",
            lambda: "Bearer " + keys.token("offers", coordinator),
        ),
    ]
    for backend in backends:
        for role in ("plain", "edge", "uncached", *(f"gateway-{c}" for c in CLIENTS)):
            backend.ports[role] = free.pop()
    processes: list[subprocess.Popen[bytes]] = []
    nginxes: list[subprocess.Popen[bytes]] = []
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(os.environ.get("KAFAAT_BENCH_KEEP", tmp))
        # nginx workers drop root for "nobody": they must be able to enter the cache directory.
        directory.chmod(0o755)
        offers_database = f"sqlite+aiosqlite:///{directory}/offers.db"
        write_trusted_proxies(directory)
        try:
            processes.append(_uvicorn("bench.backend:app", backends[0].port, {}))
            upgrade(OFFERS_ROOT, offers_database)
            processes.append(
                _uvicorn(
                    "offers.main:create_app",
                    backends[1].port,
                    _offers_env(offers_database, keys, directory),
                    factory=True,
                )
            )
            for backend in backends:
                address = f"127.0.0.1:{backend.port}"
                for client, factory in CLIENTS.items():
                    gateway_env = {
                        "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
                        "KAFAAT_GATEWAY_ACCESS_TOKEN_PRIVATE_KEY": access_key.decode(),
                        "KAFAAT_GATEWAY_OFFERS_URL": f"http://{address}",
                        "KAFAAT_GATEWAY_EDGE_SECRET": EDGE_SECRET,
                        "KAFAAT_GATEWAY_DATABASE_URL": (
                            f"sqlite+aiosqlite:///{directory}/gateway-{backend.name}-{client}.db"
                        ),
                        "KAFAAT_GATEWAY_LOG_LEVEL": "WARNING",
                        "KAFAAT_GATEWAY_VAR_DIR": str(directory),
                        "KAFAAT_GATEWAY_RATE_LIMIT_PER_IP": GENEROUS,
                        "KAFAAT_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": GENEROUS,
                    }
                    port = backend.ports[f"gateway-{client}"]
                    processes.append(_uvicorn(factory, port, gateway_env, factory=True))
                upstreams = {
                    # Forward-auth asks the gateway as shipped.
                    "gateway": f"127.0.0.1:{backend.ports['gateway-aiohttp']}",
                    "offers": address,
                    "beneficiaries": address,
                    "network": address,
                }
                configs = [
                    plain_proxy_config(
                        directory, f"plain-{backend.name}", backend.ports["plain"], backend.port
                    ),
                    edge_config(
                        directory, f"edge-{backend.name}", backend.ports["edge"], upstreams, True
                    ),
                    edge_config(
                        directory,
                        f"uncached-{backend.name}",
                        backend.ports["uncached"],
                        upstreams,
                        False,
                    ),
                ]
                for config in configs:
                    nginxes.append(
                        subprocess.Popen(
                            ["nginx", "-p", str(directory), "-c", str(config)],
                            stdout=subprocess.DEVNULL,
                        )
                    )
            _wait(f"http://127.0.0.1:{backends[1].port}/healthz")
            offer_id = _published_offer(f"http://127.0.0.1:{backends[1].port}", keys)
            backends[1].path = backends[1].path.format(id=offer_id)
            for backend in backends:
                direct = f"http://127.0.0.1:{backend.port}{backend.path}"
                _wait(direct, backend.direct_authorization())
                _wait(
                    f"http://127.0.0.1:{backend.ports['plain']}{backend.path}",
                    backend.direct_authorization(),
                )
                for role in ("edge", "uncached", *(f"gateway-{c}" for c in CLIENTS)):
                    port = backend.ports[role]
                    _wait(f"http://127.0.0.1:{port}{backend.public_path}", authorization)
            for backend in backends:
                print(
                    f"wrk -t1 -c{CONNECTIONS} -d{DURATION}, backend {backend.name} "
                    f"(GET {backend.path}, one process):",
                    flush=True,
                )

                def at(role: str, backend: Backend = backend) -> str:
                    return f"http://127.0.0.1:{backend.ports[role]}{backend.public_path}"

                results = [
                    wrk(
                        "direct to the backend",
                        f"http://127.0.0.1:{backend.port}{backend.path}",
                        backend.direct_authorization(),
                    ),
                    wrk(
                        "nginx reverse proxy (no auth)",
                        f"http://127.0.0.1:{backend.ports['plain']}{backend.path}",
                        backend.direct_authorization(),
                    ),
                    *(
                        wrk(
                            f"gateway Python proxy ({client}), signed in",
                            at(f"gateway-{client}"),
                            authorization,
                        )
                        for client in CLIENTS
                    ),
                    wrk("edge: nginx + forward-auth, cached", at("edge"), authorization),
                    wrk("edge: nginx + forward-auth, not cached", at("uncached"), authorization),
                ]
                report[backend.name] = _report(f"backend {backend.name}", results)
            print(f"latency at one connection, wrk -t1 -c1 -d{LATENCY_DURATION}:", flush=True)
            for backend in backends:
                latency = [
                    wrk(
                        f"{backend.name}: direct to the backend",
                        f"http://127.0.0.1:{backend.port}{backend.path}",
                        backend.direct_authorization(),
                        "1",
                        LATENCY_DURATION,
                    ),
                    wrk(
                        f"{backend.name}: nginx reverse proxy (no auth)",
                        f"http://127.0.0.1:{backend.ports['plain']}{backend.path}",
                        backend.direct_authorization(),
                        "1",
                        LATENCY_DURATION,
                    ),
                    wrk(
                        f"{backend.name}: gateway Python proxy (aiohttp)",
                        f"http://127.0.0.1:{backend.ports['gateway-aiohttp']}{backend.public_path}",
                        authorization,
                        "1",
                        LATENCY_DURATION,
                    ),
                    wrk(
                        f"{backend.name}: edge, cached",
                        f"http://127.0.0.1:{backend.ports['edge']}{backend.public_path}",
                        authorization,
                        "1",
                        LATENCY_DURATION,
                    ),
                ]
                report[f"{backend.name}-one-connection"] = _report(
                    f"{backend.name}, one connection", latency
                )
        finally:
            # nginx stops gracefully on QUIT, uvicorn on TERM.
            for nginx in reversed(nginxes):
                nginx.send_signal(signal.SIGQUIT)
            for process in reversed(processes):
                process.send_signal(signal.SIGTERM)
            for process in [*nginxes, *processes]:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
    invalid = [
        result["path"]
        for section in report.values()
        for result in section["results"]
        if result["non_2xx"]
    ]
    if invalid:
        print(f"some answers were not 2xx ({', '.join(invalid)}): the figures are not valid")
        return 1
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gateway.json").write_text(
        json.dumps(
            {
                "duration": DURATION,
                "connections": CONNECTIONS,
                "latency_duration": LATENCY_DURATION,
                "backends": report,
            },
            indent=2,
        )
    )
    return 0
