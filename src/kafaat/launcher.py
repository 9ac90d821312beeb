"""Runs the four processes of the platform on loopback and stops them all together.

Each child gets ``PR_SET_PDEATHSIG`` so that even a launcher killed with SIGKILL leaves no
process behind; SIGINT/SIGTERM stop the children gracefully, then forcefully after a grace period.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

import httpx2

from kafaat.platform import PROCESSES, Process, peer_environment
from shared import keepalive

GRACE_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


@dataclass
class Running:
    process: Process
    port: int
    popen: subprocess.Popen[bytes]


def service_environment(ports: Mapping[str, int], host: str = "127.0.0.1") -> dict[str, str]:
    """Environment telling the gateway where each service listens."""
    return {
        f"KAFAAT_GATEWAY_{name.upper()}_URL": f"http://{host}:{port}"
        for name, port in ports.items()
        if name != "gateway"
    }


def console_environment(
    environ: Mapping[str, str], processes: Sequence[Process] = PROCESSES
) -> dict[str, str]:
    """A developer's terminal: every process logs readable lines (``shared.observability``)
    rather than JSON, unless ``environ`` already chose for it."""
    return {
        f"{process.env_prefix}LOG_JSON": "false"
        for process in processes
        if f"{process.env_prefix}LOG_JSON" not in environ
    }


def start(
    ports: Mapping[str, int],
    env: Mapping[str, str],
    *,
    host: str = "127.0.0.1",
    processes: Sequence[Process] = PROCESSES,
    output: IO[bytes] | None = None,
) -> list[Running]:
    """Start ``processes``; their logs go to ``output`` (a file), else to this process's."""
    environment = {**os.environ, **service_environment(ports, host), **env}
    environment |= peer_environment(environment, ports, host)
    running = []
    for process in processes:
        port = ports[process.name]
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            process.app_factory,
            "--host",
            host,
            "--port",
            str(port),
            "--timeout-graceful-shutdown",
            "5",
            "--timeout-keep-alive",
            str(keepalive.SERVER_SECONDS),
            "--no-access-log",
            "--no-server-header",
        ]
        popen = subprocess.Popen(  # noqa: PLW1509
            command,
            env=environment,
            preexec_fn=_die_with_parent,
            stdout=output,
            stderr=output,
        )
        running.append(Running(process, port, popen))
    return running


def wait_ready(base_url: str, running: Sequence[Running], timeout: float = 60.0) -> bool:
    """Poll the gateway's status until every service is ready."""
    deadline = time.monotonic() + timeout
    with httpx2.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            for item in running:
                if item.popen.poll() is not None:
                    raise RuntimeError(f"{item.process.name} exited with {item.popen.returncode}")
            try:
                response = client.get(base_url + "/api/v1/status")
                if response.status_code == 200 and response.json()["status"] == "ready":
                    return True
            except httpx2.TransportError:
                pass
            time.sleep(0.3)
    return False


def stop(running: Sequence[Running], grace: float = GRACE_SECONDS) -> None:
    for item in running:
        if item.popen.poll() is None:
            item.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for item in running:
        remaining = max(0.0, deadline - time.monotonic())
        try:
            item.popen.wait(remaining)
        except subprocess.TimeoutExpired:
            item.popen.kill()
            item.popen.wait()
