"""``/docs`` and ``/redoc`` as a person offline sees them: rendered by headless Chromium that can
reach loopback only, the operations of the merged document are listed and nothing was refused
by the page's Content-Security-Policy."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx2
import pytest

from kafaat.testing import Platform

OPERATION_METHODS = ("get", "put", "post", "delete", "patch")


def rendered(url: str, profile: Path) -> tuple[str, str]:
    """The DOM Chromium builds for ``url`` and its console, with every host but loopback
    unresolvable and every connection sent to a closed proxy but loopback's."""
    chromium = shutil.which("chromium")
    assert chromium is not None, "chromium is installed by `make system-deps`"
    completed = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            # A closed port: anything that is not loopback (bypassed by default) fails.
            "--proxy-server=127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
            # Virtual time runs until the page is idle: its fetches and rendering are done.
            "--virtual-time-budget=30000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return completed.stdout, completed.stderr


async def merged_operations(platform: Platform, http: httpx2.AsyncClient) -> list[dict[str, Any]]:
    document = (await http.get(platform.base_url + "/api/v1/openapi.json")).json()
    found = [
        operation
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in OPERATION_METHODS
    ]
    assert len(found) > 20
    return found


def assert_nothing_of_ours_refused(console: str, origin: str) -> None:
    """No script error, and the policy refused nothing from the platform's own origin (ReDoc's
    bundle asks for its vendor's logo from a CDN: refusing that is the policy's job)."""
    assert "Uncaught" not in console, console
    refused = [line for line in console.splitlines() if "Content Security Policy" in line]
    for line in refused:
        loaded = re.search(r"'((?:https?:)?//[^']+)'", line)
        assert loaded is not None, line
        assert not loaded.group(1).startswith(origin), line


async def test_swagger_ui_lists_every_operation_offline(
    platform: Platform, http: httpx2.AsyncClient, tmp_path: Path
) -> None:
    operations = await merged_operations(platform, http)
    dom, console = await asyncio.to_thread(rendered, platform.base_url + "/docs", tmp_path)
    # Swagger UI names each operation's block "operations-<tag>-<operationId>".
    shown = set(re.findall(r'id="operations-([^"]+)"', dom))
    missing = [
        operation["operationId"]
        for operation in operations
        if f"{operation['tags'][0]}-{operation['operationId']}" not in shown
    ]
    assert not missing
    assert_nothing_of_ours_refused(console, platform.base_url)


async def test_redoc_lists_every_operation_offline(
    platform: Platform, http: httpx2.AsyncClient, tmp_path: Path
) -> None:
    operations = await merged_operations(platform, http)
    dom, console = await asyncio.to_thread(rendered, platform.base_url + "/redoc", tmp_path)
    # ReDoc links each operation as "#tag/<tag>/operation/<operationId>".
    shown = set(re.findall(r'operation/([^"/]+)"', dom))
    missing = [op["operationId"] for op in operations if op["operationId"] not in shown]
    assert not missing
    assert_nothing_of_ours_refused(console, platform.base_url)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_pages_load_nothing_from_another_origin(
    platform: Platform, http: httpx2.AsyncClient, page: str
) -> None:
    response = await http.get(platform.base_url + page)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    directives = {
        name: rest for name, _, rest in (d.strip().partition(" ") for d in policy.split(";"))
    }
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "http" not in policy
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", response.text)
    assert "<script>" not in response.text
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', response.text):
        served = await http.get(platform.base_url + asset)
        assert served.status_code == 200, asset
        assert served.content, asset
        kind = served.headers["content-type"].split(";")[0]
        assert (
            kind
            == {"js": "text/javascript", "css": "text/css", "png": "image/png"}[
                asset.rsplit(".", 1)[1]
            ]
        ), asset
    unknown = await http.get(platform.base_url + "/docs/assets/..%2F..%2Fsettings.py")
    assert unknown.status_code == 404


async def test_the_contract_changelog_is_served_and_linked_from_the_document(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    document = (await http.get(platform.base_url + "/api/v1/openapi.json")).json()
    assert "(/api/v1/changelog)" in document["info"]["description"]
    changelog = await http.get(platform.base_url + "/api/v1/changelog")
    assert changelog.status_code == 200
    assert changelog.headers["content-type"] == "text/markdown; charset=utf-8"
    assert f"\n## {document['info']['version']}\n" in changelog.text


async def test_the_adequacy_method_is_served_in_three_languages_and_linked(
    platform: Platform, http: httpx2.AsyncClient
) -> None:
    document = (await http.get(platform.base_url + "/api/v1/openapi.json")).json()
    assert "(/api/v1/adequacy/method)" in document["info"]["description"]
    review = document["paths"]["/api/v1/adequacy"]["get"]
    assert "/api/v1/adequacy/method" in review["description"]
    method = await http.get(platform.base_url + "/api/v1/adequacy/method")
    assert method.status_code == 200
    assert method.headers["content-type"] == "text/markdown; charset=utf-8"
    for heading in ("## Français", "## العربية", "## English"):
        assert f"\n{heading}\n" in method.text
    # Each language states the formulas and names the thresholds the data sets.
    for formula in (
        "lauréats ÷ postes déclarés",
        "الخريجون ÷ المناصب المصرح بها",
        "completers ÷ positions",
    ):
        assert formula in method.text
    assert method.text.count("shortage_below") >= 3
