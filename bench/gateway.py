"""Gateway data path: requests/s of the same backend reached directly, through a plain nginx
reverse proxy, through the gateway's Python proxy, and through the production edge (nginx with
the configuration ``kafaat.edge`` renders, asking the gateway by forward-auth), side by side.

    python -m bench gateway

Needs ``wrk`` and ``nginx`` (``make bench`` installs them). Everything listens on 127.0.0.1.
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
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx2
from pydantic import SecretStr

from gateway.identity.tokens import access_token_keys
from gateway.settings import Settings
from kafaat import edge
from shared.principal import Principal, Role
from shared.testing import Keys, free_port
from shared.tokens import generate_private_key_pem

DURATION = os.environ.get("KAFAAT_BENCH_DURATION", "8s")
CONNECTIONS = "32"
RESULTS = Path(__file__).parent / "results"
EDGE_SECRET = "bench-edge-secret"


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


def wrk(name: str, url: str, authorization: str | None = None) -> Result:
    headers = ["-H", f"Authorization: {authorization}"] if authorization else []
    warm_up = ["wrk", "-t1", "-c8", "-d1s", *headers, url]
    subprocess.run(warm_up, capture_output=True, check=True)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *headers, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non_2xx_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result = Result(name, rps, p50, p99, int(non_2xx_match.group(1)) if non_2xx_match else 0)
    print(f"  {name:<44} {rps:>8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", flush=True)
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


def plain_proxy_config(directory: Path, listen: int, backend: int) -> Path:
    """The reference: nginx as a plain keep-alive reverse proxy, no authentication at all."""
    return _nginx_main(
        directory,
        "plain",
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
    ).replace(
        "access_log /dev/stdout kafaat_json;",
        f"access_log {directory}/access-{name}.log kafaat_json;",
    )
    if not cached:
        body = body.replace("proxy_cache kafaat_auth;", "proxy_cache off;")
        assert "proxy_cache off;" in body
    return _nginx_main(directory, name, body)


def _access_token(private_pem: bytes) -> str:
    """A signed-in regional coordinator, as the gateway's login would issue."""
    settings = Settings(access_token_private_key=SecretStr(private_pem.decode()))
    signer, _ = access_token_keys(settings)
    principal = Principal(
        subject=str(uuid.uuid4()), kind="user", role=Role.REGIONAL_COORDINATOR, regions=("01",)
    )
    token, _ = signer.sign(principal)
    return token


def main() -> int:
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed: run `make bench`, which installs it")
            return 1
    keys = Keys()
    access_key = generate_private_key_pem()
    authorization = "Bearer " + _access_token(access_key)
    ports: set[int] = set()
    while len(ports) < 5:  # the OS may hand the same free port out twice
        ports.add(free_port())
    backend_port, gateway_port, plain_port, edge_port, uncached_port = sorted(ports)
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(os.environ.get("KAFAAT_BENCH_KEEP", tmp))
        # nginx workers drop root for "nobody": they must be able to enter the cache directory.
        directory.chmod(0o755)
        backend = f"127.0.0.1:{backend_port}"
        gateway_env = {
            "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
            "KAFAAT_GATEWAY_ACCESS_TOKEN_PRIVATE_KEY": access_key.decode(),
            "KAFAAT_GATEWAY_OFFERS_URL": f"http://{backend}",
            "KAFAAT_GATEWAY_EDGE_SECRET": EDGE_SECRET,
            "KAFAAT_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/gateway.db",
            "KAFAAT_GATEWAY_LOG_LEVEL": "WARNING",
            "KAFAAT_GATEWAY_VAR_DIR": str(directory),
            # Rate limiting stays on the path (its cost is real) but must not refuse the load.
            "KAFAAT_GATEWAY_RATE_LIMIT_PER_IP": "100000000/minute",
            "KAFAAT_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "100000000/minute",
        }
        upstreams = {
            "gateway": f"127.0.0.1:{gateway_port}",
            "offers": backend,
            "beneficiaries": backend,
            "network": backend,
        }
        configs = [
            plain_proxy_config(directory, plain_port, backend_port),
            edge_config(directory, "edge", edge_port, upstreams, cached=True),
            edge_config(directory, "uncached", uncached_port, upstreams, cached=False),
        ]
        try:
            processes.append(_uvicorn("bench.backend:app", backend_port, {}))
            processes.append(_uvicorn("gateway.main:create_app", gateway_port, gateway_env, True))
            for config in configs:
                processes.append(
                    subprocess.Popen(
                        ["nginx", "-p", str(directory), "-c", str(config)],
                        stdout=subprocess.DEVNULL,
                    )
                )
            _wait(f"http://{backend}/v1/offers")
            _wait(f"http://127.0.0.1:{gateway_port}/healthz")
            _wait(f"http://127.0.0.1:{plain_port}/v1/offers")
            _wait(f"http://127.0.0.1:{edge_port}/api/v1/offers", authorization)
            _wait(f"http://127.0.0.1:{uncached_port}/api/v1/offers", authorization)
            print(f"wrk -t1 -c{CONNECTIONS} -d{DURATION}, same backend (FastAPI, one process):")
            results = [
                wrk("direct to the backend", f"http://{backend}/v1/offers"),
                wrk("nginx reverse proxy (no auth)", f"http://127.0.0.1:{plain_port}/v1/offers"),
                wrk(
                    "gateway Python proxy (httpx2), signed in",
                    f"http://127.0.0.1:{gateway_port}/api/v1/offers",
                    authorization,
                ),
                wrk(
                    "edge: nginx + forward-auth, cached",
                    f"http://127.0.0.1:{edge_port}/api/v1/offers",
                    authorization,
                ),
                wrk(
                    "edge: nginx + forward-auth, not cached",
                    f"http://127.0.0.1:{uncached_port}/api/v1/offers",
                    authorization,
                ),
            ]
        finally:
            for index, process in reversed(list(enumerate(processes))):
                # The first two are uvicorn processes, the rest nginx (graceful stop: QUIT).
                process.send_signal(signal.SIGQUIT if index >= 2 else signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
    reference = results[1].requests_per_second
    print("ratios vs the nginx reverse proxy:")
    for result in results:
        print(f"  {result.path:<44} {result.requests_per_second / reference:5.2f}x")
    if any(result.non_2xx for result in results):
        print("some answers were not 2xx: the figures are not valid")
        return 1
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gateway.json").write_text(
        json.dumps(
            {
                "duration": DURATION,
                "connections": CONNECTIONS,
                "results": [asdict(r) for r in results],
                "ratios_vs_nginx": {r.path: r.requests_per_second / reference for r in results},
            },
            indent=2,
        )
    )
    return 0
