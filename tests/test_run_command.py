"""``kafaat run --demo`` (what ``make run`` calls) on a fresh directory: ready within 60 s, stops
cleanly on Ctrl-C and leaves no process behind."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from kafaat.platform import PROCESSES

# How long the first start may take: it migrates four SQLite databases and loads the pilot's
# demo data (tens of seconds on a busy 2-core machine, where the test suites run side by side).
STARTUP_SECONDS = 180


def _free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(10_000, 40_000, 10)
        ports = [p.default_port + offset for p in PROCESSES]
        try:
            for port in ports:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return offset
    raise RuntimeError("no free block of ports")


def _children(pid: int) -> list[int]:
    output = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(line) for line in output.split()]


def _alive(pid: int) -> bool:
    return (
        Path(f"/proc/{pid}").exists()
        and "zombie"
        not in Path(f"/proc/{pid}/status")
        .read_text(errors="replace")
        .lower()
        .split("state:")[1]
        .split("\n")[0]
    )


def test_run_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    offset = _free_offset()
    kafaat = Path(sys.executable).parent / "kafaat"
    process = subprocess.Popen(
        [str(kafaat), "run", "--demo", "--port-offset", str(offset)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{8000 + offset}"
    try:
        started = time.monotonic()
        status = None
        with httpx2.Client(timeout=2.0, trust_env=False) as client:
            while time.monotonic() - started < 60:
                assert process.poll() is None, "kafaat run exited early"
                try:
                    status = client.get(base + "/api/v1/status").json()
                    if status["status"] == "ready":
                        break
                except httpx2.TransportError:
                    pass
                time.sleep(0.5)
            assert status is not None
            assert status["status"] == "ready", status
            regions = client.get(base + "/api/v1/reference/regions").json()
            assert len(regions) == 12
            assert all(region["name_ar"] for region in regions)
        children = _children(process.pid)
        assert len(children) == len(PROCESSES)
        assert (tmp_path / "var" / "offers.db").exists()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Kafaat is running" in output
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)]
