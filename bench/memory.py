"""Resident memory of each process of the platform, idle after a first round of work.

    python -m bench memory

Runs ``kafaat run --demo`` (what ``make run`` starts: the four processes on SQLite with demo data)
in a scratch directory on free ports, waits until the gateway reports every service ready, sends
each process some work through the gateway (sign-in, searches, a person's own account, the
merged OpenAPI) so that what loads lazily is loaded, leaves it idle for a few seconds and reads
each child's resident set size (``VmRSS``) from ``/proc``. Target (issue 13): ≤ 150 MB each.

Memory during a bulk import is measured by ``python -m bench offers`` (the server's RSS sampled
every 20 ms while 200k rows stream in).
"""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from gateway.demo import DEMO_PASSWORD
from kafaat.platform import PROCESSES

RESULTS = Path(__file__).parent / "results"
TARGET_MB = 150.0
IDLE_SECONDS = 5.0


def _free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(10_000, 40_000, 10)
        try:
            for process in PROCESSES:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", process.default_port + offset))
        except OSError:
            continue
        return offset
    raise RuntimeError("no free block of ports")


def _children(pid: int) -> list[int]:
    output = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(line) for line in output.split()]


def _name_of(pid: int) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    for process in PROCESSES:
        if process.app_factory in command or f"kafaat-{process.name} " in command + " ":
            return process.name
    return command[:60]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _work(client: httpx2.Client) -> None:
    """A first round of what people do, through the gateway: each service answers something."""
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "coordinator.tanger@demo.kafaat.ma", "password": DEMO_PASSWORD},
    )
    login.raise_for_status()
    bearer = {"Authorization": "Bearer " + login.json()["access_token"]}
    for _ in range(20):
        client.get("/api/v1/offers", params={"q": "couture"}).raise_for_status()
        client.get("/api/v1/auth/me", headers=bearer).raise_for_status()
        client.get("/api/v1/reference/regions").raise_for_status()
    client.get("/api/v1/openapi.json").raise_for_status()
    client.get("/api/v1/status").raise_for_status()


def main() -> int:
    offset = _free_offset()
    kafaat = Path(sys.executable).parent / "kafaat"
    with tempfile.TemporaryDirectory(prefix="kafaat-bench-memory-") as directory:
        launcher = subprocess.Popen(
            [str(kafaat), "run", "--demo", "--port-offset", str(offset)],
            cwd=directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{8000 + offset}"
        try:
            with httpx2.Client(base_url=base, timeout=10.0, trust_env=False) as client:
                deadline = time.monotonic() + 90
                while True:
                    if launcher.poll() is not None:
                        print("kafaat run exited early")
                        return 1
                    try:
                        if client.get("/api/v1/status").json().get("status") == "ready":
                            break
                    except (httpx2.TransportError, ValueError):
                        pass
                    if time.monotonic() > deadline:
                        print("the platform was not ready within 90 s")
                        return 1
                    time.sleep(0.5)
                _work(client)
            time.sleep(IDLE_SECONDS)
            sizes = {_name_of(pid): _rss_mb(pid) for pid in _children(launcher.pid)}
        finally:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(timeout=30)
    report: dict[str, Any] = {
        "target_mb": TARGET_MB,
        "idle_seconds": IDLE_SECONDS,
        "rss_mb": {name: round(size, 1) for name, size in sorted(sizes.items())},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'process':<16}{'RSS idle (MB)':>14}  target ≤ {TARGET_MB:.0f} MB")
    for name, size in sorted(sizes.items()):
        print(f"{name:<16}{size:>14.1f}  {'ok' if size <= TARGET_MB else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
