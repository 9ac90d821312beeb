"""Every server of the platform keeps an idle connection longer than any client pools it, so a
request is never sent on a connection the server is closing (a 502 under concurrent writes)."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from kafaat import launcher
from kafaat.edge import TEMPLATE
from kafaat.platform import PROCESSES, ROOT
from shared import keepalive

DOCKERFILE = ROOT / "deploy/python/Dockerfile"


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_make_run_processes_outlive_their_clients_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []

    class Recorded:
        def __init__(self, command: list[str], **_: object) -> None:
            started.append(command)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    ports = {process.name: 9000 + n for n, process in enumerate(PROCESSES)}
    launcher.start(ports, {})
    assert len(started) == len(PROCESSES)
    for command in started:
        assert int(option(command, "--timeout-keep-alive")) == keepalive.SERVER_SECONDS


def test_images_and_the_edge_agree_with_the_pools() -> None:
    (cmd,) = re.findall(r"^CMD (\[.*?\])$", DOCKERFILE.read_text(), re.MULTILINE | re.DOTALL)
    argv = shlex.split(cmd.replace("\\\n", " ").strip("[]").replace(",", " "))
    assert int(option(argv, "--timeout-keep-alive")) == keepalive.SERVER_SECONDS
    edge_idle = [int(s) for s in re.findall(r"keepalive_timeout (\d+)s;", TEMPLATE.read_text())]
    assert edge_idle, "the edge keeps upstream connections alive"
    # nginx's pool to the gateway, the gateway's to the services, httpx2's 5 s: all shorter.
    assert max([*edge_idle, keepalive.CLIENT_SECONDS, 5]) < keepalive.SERVER_SECONDS
