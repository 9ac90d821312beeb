"""What the logs say: in a developer's console (``kafaat run``), one readable line per request
per process and nothing for the probes or the HTTP clients' internals; in production, JSON lines
with the request id."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI

from kafaat import launcher
from kafaat.platform import PROCESSES
from kafaat.testing import running_platform
from shared.observability import RequestIdMiddleware, configure_logging
from shared.testing import Keys

LINE = re.compile(
    r"^\d\d:\d\d:\d\d (?P<service>\w+) +(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) "
    r"\d+\.\d ms (?P<request_id>\S+)$"
)


def test_kafaat_run_asks_every_process_for_readable_lines_unless_told_otherwise() -> None:
    assert launcher.console_environment({}) == {
        f"{process.env_prefix}LOG_JSON": "false" for process in PROCESSES
    }
    chosen = launcher.console_environment({"KAFAAT_OFFERS_LOG_JSON": "true"})
    assert "KAFAAT_OFFERS_LOG_JSON" not in chosen
    assert chosen["KAFAAT_GATEWAY_LOG_JSON"] == "false"


def _lines_with(path: Path, needle: str) -> list[str]:
    # The processes write as they answer; the file is complete once the last line is there.
    deadline = time.monotonic() + 5.0
    while True:
        lines = [line for line in path.read_text().splitlines() if needle in line]
        if len(lines) >= 2 or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


async def test_a_proxied_request_is_one_line_per_process_and_a_probe_none(
    backend: str, keys: Keys, tmp_path: Path
) -> None:
    log = tmp_path / "console.log"
    with log.open("wb") as output:
        async with (
            running_platform(
                backend,
                keys,
                tmp_path,
                settings=launcher.console_environment({}),
                output=output,
            ) as platform,
            httpx2.AsyncClient(timeout=10.0, trust_env=False) as http,
        ):
            probe = await http.get(
                platform.base_url + "/api/v1/status", headers={"X-Request-ID": "probe-1"}
            )
            assert probe.status_code == 200
            for path in ("/healthz", "/readyz"):
                answer = await http.get(
                    platform.base_url + path, headers={"X-Request-ID": "probe-1"}
                )
                assert answer.status_code == 200
            listed = await http.get(
                platform.base_url + "/api/v1/offers", headers={"X-Request-ID": "console-1"}
            )
            assert listed.status_code == 200
            lines = _lines_with(log, "console-1")
    text = log.read_text()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert sorted((m["service"], m["path"], m["status"]) for m in matches if m) == [
        ("gateway", "/api/v1/offers", "200"),
        ("offers", "/v1/offers", "200"),
    ]
    assert "probe-1" not in text
    assert "HTTP Request" not in text
    assert not [line for line in text.splitlines() if line.startswith("{")]


async def test_production_writes_json_lines_with_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("offers", "INFO", json_lines=True)
    app = FastAPI()

    @app.get("/v1/things")
    async def things() -> list[str]:
        return []

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    transport = httpx2.ASGITransport(app=RequestIdMiddleware(app))
    async with httpx2.AsyncClient(transport=transport, base_url="http://offers") as client:
        answer = await client.get("/v1/things", headers={"X-Request-ID": "prod-1"})
        assert answer.status_code == 200
        assert (await client.get("/healthz", headers={"X-Request-ID": "p-2"})).status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["path"], line["request_id"]) for line in lines] == [("/v1/things", "prod-1")]
    entry = lines[0]
    assert entry["service"] == "offers"
    assert entry["logger"] == "kafaat.access"
    assert (entry["method"], entry["status"]) == ("GET", 200)
