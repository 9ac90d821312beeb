"""Gateway data path: requests/s of the same backend reached directly, through nginx, through the
gateway's Python proxy, and through nginx asking the gateway (forward-auth), side by side.

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
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx2

from shared.testing import Keys, free_port

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


def _wait(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            response = httpx2.get(url, timeout=1.0, trust_env=False)
            if response.status_code < 500:
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


def wrk(name: str, url: str) -> Result:
    subprocess.run(["wrk", "-t1", "-c8", "-d1s", url], capture_output=True, check=True)  # warm-up
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
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


def nginx_config(directory: Path, listen: int, backend: int, gateway: int, cached: bool) -> Path:
    cache = directory / f"auth-cache-{listen}"
    cache.mkdir(exist_ok=True)
    cache_lines = (
        """proxy_cache auth;
            proxy_cache_key "$http_authorization|$kafaat_service";
            proxy_cache_valid 204 25s;
            proxy_cache_lock on;"""
        if cached
        else ""
    )
    config = directory / f"nginx-{listen}.conf"
    config.write_text(
        f"""
worker_processes 1;
daemon off;
pid {directory}/nginx-{listen}.pid;
error_log {directory}/nginx-{listen}.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    proxy_cache_path {cache} levels=1 keys_zone=auth:10m max_size=50m inactive=60s;
    upstream backend {{ server 127.0.0.1:{backend}; keepalive 64; }}
    upstream gateway {{ server 127.0.0.1:{gateway}; keepalive 64; }}
    map $uri $kafaat_service {{ ~^/api/v1/offers offers; default ""; }}
    server {{
        listen 127.0.0.1:{listen};
        location /plain/ {{
            proxy_pass http://backend/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
        location /api/v1/ {{
            auth_request /_kafaat_auth;
            auth_request_set $service_token $upstream_http_x_kafaat_service_token;
            proxy_pass http://backend/v1/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "Bearer $service_token";
        }}
        location = /_kafaat_auth {{
            internal;
            proxy_pass http://gateway/internal/forward-auth;
            proxy_http_version 1.1;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Connection "";
            proxy_set_header X-Original-URI $request_uri;
            proxy_set_header X-Original-Method $request_method;
            proxy_set_header X-Kafaat-Edge-Secret {EDGE_SECRET};
            {cache_lines}
        }}
    }}
}}
"""
    )
    return config


def main() -> int:
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed: run `make bench`, which installs it")
            return 1
    keys = Keys()
    ports: set[int] = set()
    while len(ports) < 4:  # the OS may hand the same free port out twice
        ports.add(free_port())
    backend_port, gateway_port, nginx_port, nginx_cached_port = sorted(ports)
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(os.environ.get("KAFAAT_BENCH_KEEP", tmp))
        # nginx workers drop root for "nobody": they must be able to enter the cache directory.
        directory.chmod(0o755)
        backend_url = f"http://127.0.0.1:{backend_port}"
        gateway_env = {
            "KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
            "KAFAAT_GATEWAY_OFFERS_URL": backend_url,
            "KAFAAT_GATEWAY_EDGE_SECRET": EDGE_SECRET,
            "KAFAAT_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/gateway.db",
            "KAFAAT_GATEWAY_LOG_LEVEL": "WARNING",
            # Rate limiting stays on the path (its cost is real) but must not refuse the load.
            "KAFAAT_GATEWAY_RATE_LIMIT_PER_IP": "100000000/minute",
            "KAFAAT_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "100000000/minute",
            "KAFAAT_GATEWAY_VAR_DIR": str(directory),
        }
        try:
            processes.append(_uvicorn("bench.backend:app", backend_port, {}))
            processes.append(_uvicorn("gateway.main:create_app", gateway_port, gateway_env, True))
            for port, cached in ((nginx_port, False), (nginx_cached_port, True)):
                config = nginx_config(directory, port, backend_port, gateway_port, cached)
                processes.append(
                    subprocess.Popen(["nginx", "-p", str(directory), "-c", str(config)])
                )
            _wait(backend_url + "/v1/offers")
            _wait(f"http://127.0.0.1:{gateway_port}/healthz")
            _wait(f"http://127.0.0.1:{nginx_port}/plain/v1/offers")
            _wait(f"http://127.0.0.1:{nginx_cached_port}/api/v1/offers")
            print(f"wrk -t1 -c{CONNECTIONS} -d{DURATION}, same backend (FastAPI, one process):")
            results = [
                wrk("direct to the backend", backend_url + "/v1/offers"),
                wrk("nginx reverse proxy", f"http://127.0.0.1:{nginx_port}/plain/v1/offers"),
                wrk(
                    "gateway Python proxy (httpx2)",
                    f"http://127.0.0.1:{gateway_port}/api/v1/offers",
                ),
                wrk(
                    "nginx + forward-auth to gateway, cached",
                    f"http://127.0.0.1:{nginx_cached_port}/api/v1/offers",
                ),
                wrk(
                    "nginx + forward-auth to gateway, not cached",
                    f"http://127.0.0.1:{nginx_port}/api/v1/offers",
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
    print("ratios vs nginx reverse proxy:")
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
