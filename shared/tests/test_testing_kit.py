"""The test kit stays out of the runtime: no runtime module of ``shared`` imports it (or pytest),
no service's locked runtime dependencies include it, and what each side imports is declared;
``serve`` runs an app on loopback."""

from __future__ import annotations

import ast
import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

import shared
from shared.testing import serve

ROOT = Path(__file__).resolve().parents[2]
SHARED_SRC = Path(shared.__file__).resolve().parent
TEST_ONLY = ("pytest", "_pytest", "pytest_asyncio", "asgi_lifespan", "shared.testing")
SERVICES = ("kafaat-gateway", "kafaat-offers", "kafaat-beneficiaries", "kafaat-network")


def runtime_modules() -> list[str]:
    """Every module of the ``shared`` package except the test kit, found on disk (a module added
    tomorrow is covered tomorrow)."""
    names = [m.name for m in pkgutil.walk_packages(shared.__path__, prefix="shared.")]
    return sorted(n for n in names if n != "shared.testing" and not n.startswith("shared.testing."))


CHECK = """
import importlib, json, sys
test_only = {test_only}
found = {{}}
for name in {modules}:
    importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in test_only or m in test_only
                    or m.startswith("shared.testing."))
    if loaded:
        found[name] = loaded
        break
print(json.dumps(found))
"""


def test_the_walk_finds_the_runtime_modules() -> None:
    modules = runtime_modules()
    assert {"shared.app", "shared.db", "shared.settings", "shared.reference.router"} <= set(modules)
    assert not [m for m in modules if m.startswith("shared.testing")]


def test_no_runtime_module_of_shared_imports_the_test_kit() -> None:
    modules = runtime_modules()
    script = CHECK.format(test_only=repr(set(TEST_ONLY)), modules=repr(modules))
    # A fresh interpreter: this one has pytest loaded already.
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {}, "a runtime module imports test-only code"


def test_the_check_sees_a_module_that_imports_pytest() -> None:
    script = CHECK.format(test_only=repr(set(TEST_ONLY)), modules=repr(["shared.testing.plugin"]))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "pytest" in json.loads(result.stdout)["shared.testing.plugin"]


def locked_runtime_closure(
    lock: dict[str, Any], package: str, extras: tuple[str, ...] = ()
) -> set[str]:
    """The packages ``uv sync --no-dev --package PACKAGE`` installs, read from ``uv.lock``:
    runtime dependencies and the extras they ask for, never dependency groups."""
    entries = {p["name"]: p for p in lock["package"]}
    seen: set[str] = set()
    pending: list[tuple[str, tuple[str, ...]]] = [(package, extras)]
    while pending:
        name, extras = pending.pop()
        key = f"{name}[{','.join(extras)}]"
        if key in seen:
            continue
        seen.add(key)
        entry = entries[name]
        wanted = list(entry.get("dependencies", []))
        for extra in extras:
            wanted += entry.get("optional-dependencies", {}).get(extra, [])
        pending += [(d["name"], tuple(d.get("extra", ()))) for d in wanted]
    return {key.split("[")[0] for key in seen}


def test_no_service_image_installs_the_test_kit() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    # The extra exists and holds pytest: the check below looks at the right thing.
    development = locked_runtime_closure(lock, "kafaat-shared")
    assert "pytest" not in development
    entries = {p["name"]: p for p in lock["package"]}
    testing = [d["name"] for d in entries["kafaat-shared"]["optional-dependencies"]["testing"]]
    assert {"pytest", "pytest-asyncio", "asgi-lifespan"} <= set(testing)
    for service in SERVICES:
        installed = locked_runtime_closure(lock, service)
        assert "kafaat-shared" in installed
        assert not {"pytest", "pytest-asyncio", "asgi-lifespan"} & installed, service


def imported_distributions(files: list[Path]) -> dict[str, set[str]]:
    """The distributions whose modules ``files`` import (absolute imports outside the standard
    library and ``shared``), each with the files that import it."""
    providers = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "shared":
                    continue
                for distribution in providers.get(top, [top]):
                    key = re.sub(r"[-_.]+", "-", distribution).lower()
                    found.setdefault(key, set()).add(path.relative_to(SHARED_SRC).as_posix())
    return found


def test_shared_declares_every_distribution_its_code_imports() -> None:
    """What a runtime image of any service installs carries what shared's runtime code imports,
    and the ``testing`` extra carries what the test kit imports."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    files = sorted(SHARED_SRC.rglob("*.py"))
    kit = [f for f in files if f.relative_to(SHARED_SRC).parts[0] == "testing"]
    runtime = [f for f in files if f not in kit]
    assert runtime
    assert kit
    installed = locked_runtime_closure(lock, "kafaat-shared")
    undeclared = {d: f for d, f in imported_distributions(runtime).items() if d not in installed}
    assert undeclared == {}
    with_kit = locked_runtime_closure(lock, "kafaat-shared", ("testing",))
    undeclared = {d: f for d, f in imported_distributions(kit).items() if d not in with_kit}
    assert undeclared == {}
    # The kit's own needs are what keeps it out of the runtime (httpx2 is runtime since
    # shared.peers calls one service from another).
    assert {"pytest", "asgi-lifespan"} <= set(imported_distributions(kit)) - installed
    assert "httpx2" in installed


def lifespan_app(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


async def test_serve_runs_the_app_on_loopback_with_its_lifespan() -> None:
    events: list[str] = []
    async with serve(lifespan_app(events)) as url, httpx2.AsyncClient(trust_env=False) as http:
        assert url.startswith("http://127.0.0.1:")
        assert events == ["startup"]
        assert (await http.get(url + "/hello")).json() == {"hello": "world"}
    assert events == ["startup", "shutdown"]
    async with httpx2.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx2.ConnectError):
            await http.get(url + "/hello")


async def test_serve_builds_the_app_from_a_factory() -> None:
    events: list[str] = []
    async with (
        serve(lambda: lifespan_app(events), factory=True) as url,
        httpx2.AsyncClient(trust_env=False) as http,
    ):
        assert (await http.get(url + "/hello")).status_code == 200
    assert events == ["startup", "shutdown"]


async def test_serve_raises_when_the_app_fails_to_start() -> None:
    @asynccontextmanager
    async def broken(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    with pytest.raises(RuntimeError, match="did not start"):
        async with serve(FastAPI(lifespan=broken)):
            pass
