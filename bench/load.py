"""A bounded load run through the gateway: locust headless, 50 users for 60 s, on a realistic mix
of reads and writes, on both data paths in one run: the ``make run`` Python proxy (the gateway on
its own) and the edge as deployed (nginx with the configuration ``kafaat.edge`` renders, asking
the gateway by forward-auth). Reports p50/p95/p99, requests/s and the error rate; any error makes
the run invalid (exit 1).

    python -m bench load
    KAFAAT_LOAD_USERS=50 KAFAAT_LOAD_SECONDS=60 python -m bench load

The platform is the four real processes on loopback on SQLite, with the demo data (``kafaat
seed-demo``) and rate limits raised: the run measures the platform, not its limits. Each data
path is driven by its own locust process (``SWARM``), so that gevent's
patching never reaches the process that starts and stops everything. Needs ``nginx``.

The mix (users are drawn by weight):

- visitors (anonymous): searches with words and filters, an offer read by id, sessions of a
  region, reference data;
- people signing in: login, ``/auth/me``;
- regional coordinators (signed in once): drafts of their region listed, a draft created
  (``Idempotency-Key``) then edited (``If-Match`` with the ETag read), one published now and then;
- one importer: a small JSON Lines file of a provider and offers every few seconds.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.gateway import EDGE_SECRET, GENEROUS, edge_config, write_trusted_proxies
from gateway.demo import DEMO_PASSWORD
from gateway.demo import seed as seed_accounts
from kafaat import launcher
from kafaat.platform import PROCESSES
from kafaat.testing import platform_env
from shared.migrations import upgrade
from shared.testing import Keys, free_port

USERS = int(os.environ.get("KAFAAT_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("KAFAAT_LOAD_SECONDS", "60"))
RESULTS = Path(__file__).parent / "results"
# The locust process: locust first, so that gevent patches the process before anything else.
SWARM = (
    "import locust, sys; from bench.load import swarm; sys.exit(swarm(sys.argv[1], sys.argv[2]))"
)
SEARCH_WORDS = ("électricité", "soudure", "couture", "cuisine", "informatique", "tourisme", "")
REGIONS = ("01", "02")
SIGN_IN_ACCOUNTS = (
    "viewer@demo.kafaat.ma",
    "provider@demo.kafaat.ma",
    "manager@demo.kafaat.ma",
    "counsellor@demo.kafaat.ma",
)
COORDINATOR = "coordinator.tanger@demo.kafaat.ma"


def draft(provider_id: str) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "title_fr": f"Installation photovoltaïque {uuid.uuid4().hex[:6]}",
        "description": "Poser et raccorder des panneaux solaires sur des toits d'habitation.",
        "sector": "renewable_energy",
        "mode": "blended",
        "duration_hours": 240,
        "cost_mad": 0,
    }


def import_file(rows: int = 10) -> bytes:
    """A provider of region 01 and ``rows`` offers of it, as a regional IT system sends them."""
    provider = f"LOAD-{uuid.uuid4().hex[:10]}"
    lines: list[dict[str, Any]] = [
        {
            "record": "provider",
            "external_id": provider,
            "name": f"Centre de formation {provider}",
            "kind": "private_school",
            "region": "01",
        }
    ]
    lines += [
        {
            "record": "offer",
            "external_id": f"{provider}-O{number}",
            "provider_external_id": provider,
            "title_fr": f"Maintenance industrielle, module {number}",
            "description": "Entretenir et dépanner les machines d'une ligne de production.",
            "sector": "automotive_aeronautics",
            "mode": "in_person",
            "duration_hours": 120,
            "cost_mad": 0,
        }
        for number in range(rows)
    ]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


# --- the users (run in the locust process only: importing locust patches the process) ---------


def user_classes() -> list[type[Any]]:
    from locust import FastHttpUser, between, task

    class Visitor(FastHttpUser):
        """Someone looking for a training, not signed in."""

        weight = 6
        wait_time = between(0.5, 1.5)
        offer_ids: list[str] = []

        def on_start(self) -> None:
            page = self.client.get("/api/v1/offers?limit=50", name="/api/v1/offers").json()
            Visitor.offer_ids = [offer["id"] for offer in page["items"]] or Visitor.offer_ids

        @task(4)
        def search(self) -> None:
            params = {"q": random.choice(SEARCH_WORDS), "region": random.choice(REGIONS)}
            if random.random() < 0.5:
                params["has_seats"] = "true"
            query = "&".join(f"{name}={value}" for name, value in params.items() if value)
            self.client.get(f"/api/v1/offers?{query}", name="/api/v1/offers?q=…")

        @task(3)
        def read_offer(self) -> None:
            if Visitor.offer_ids:
                offer_id = random.choice(Visitor.offer_ids)
                self.client.get(f"/api/v1/offers/{offer_id}", name="/api/v1/offers/{id}")

        @task(2)
        def sessions(self) -> None:
            region = random.choice(REGIONS)
            self.client.get(f"/api/v1/sessions?region={region}", name="/api/v1/sessions")

        @task(1)
        def reference(self) -> None:
            self.client.get("/api/v1/reference/regions")

    class SigningIn(FastHttpUser):
        """Staff starting their day: sign in, see who they are."""

        weight = 1
        wait_time = between(1.0, 3.0)

        @task
        def sign_in(self) -> None:
            body = {"email": random.choice(SIGN_IN_ACCOUNTS), "password": DEMO_PASSWORD}
            tokens = self.client.post("/api/v1/auth/login", json=body).json()
            headers = {"Authorization": "Bearer " + tokens["access_token"]}
            self.client.get("/api/v1/auth/me", headers=headers)

    class Coordinator(FastHttpUser):
        """A regional coordinator writing and editing the drafts of the region's providers."""

        weight = 2
        wait_time = between(0.5, 2.0)

        def on_start(self) -> None:
            body = {"email": COORDINATOR, "password": DEMO_PASSWORD}
            tokens = self.client.post("/api/v1/auth/login", json=body).json()
            self.headers = {"Authorization": "Bearer " + tokens["access_token"]}
            providers = self.client.get(
                "/api/v1/providers?region=01", headers=self.headers, name="/api/v1/providers"
            ).json()
            # Published ones only: the importer's providers stay drafts, and an offer of a
            # draft provider cannot be published (409).
            self.provider_ids = [
                provider["id"]
                for provider in providers["items"]
                if provider["status"] == "published"
            ]
            self.drafts: list[str] = []

        @task(3)
        def list_drafts(self) -> None:
            self.client.get(
                "/api/v1/offers?status=draft&region=01",
                headers=self.headers,
                name="/api/v1/offers?status=draft",
            )

        @task(2)
        def create_draft(self) -> None:
            headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
            body = draft(random.choice(self.provider_ids))
            created = self.client.post("/api/v1/offers", headers=headers, json=body)
            self.drafts.append(created.json()["id"])

        @task(3)
        def edit_draft(self) -> None:
            if not self.drafts:
                return
            path = f"/api/v1/offers/{random.choice(self.drafts)}"
            read = self.client.get(path, headers=self.headers, name="/api/v1/offers/{id}")
            assert read.headers is not None
            headers = {**self.headers, "If-Match": read.headers["ETag"]}
            change = {"duration_hours": random.randint(120, 600)}
            self.client.patch(path, headers=headers, json=change, name="/api/v1/offers/{id}")

        @task(1)
        def publish_draft(self) -> None:
            if not self.drafts:
                return
            offer_id = self.drafts.pop(0)
            self.client.post(
                f"/api/v1/offers/{offer_id}/publish",
                headers=self.headers,
                name="/api/v1/offers/{id}/publish",
            )

    class Importer(FastHttpUser):
        """A regional IT system sending a small file now and then."""

        fixed_count = 1
        wait_time = between(4.0, 6.0)

        def on_start(self) -> None:
            body = {"email": COORDINATOR, "password": DEMO_PASSWORD}
            tokens = self.client.post("/api/v1/auth/login", json=body).json()
            self.headers = {
                "Authorization": "Bearer " + tokens["access_token"],
                "Content-Type": "application/x-ndjson",
            }

        @task
        def send_file(self) -> None:
            self.client.post(
                "/api/v1/offers/import?source=load",
                headers=self.headers,
                data=import_file().decode(),
                name="/api/v1/offers/import",
            )

    # --- beneficiaries and network: add their users here once the services exist -------------
    # A counsellor's day (their beneficiaries, a referral to a session, an outcome recorded) and
    # a partner's (events, labour needs) belong to this mix; give each a weight beside these.

    return [Visitor, SigningIn, Coordinator, Importer]


def swarm(base_url: str, output: str) -> int:
    """One locust run against ``base_url`` (in its own process), its figures into ``output``."""
    import gevent  # type: ignore[import-untyped]  # locust's own dependency, untyped
    from locust.env import Environment

    environment = Environment(user_classes=user_classes(), host=base_url)
    runner = environment.create_local_runner()
    runner.start(USERS, spawn_rate=max(1.0, USERS / 5))
    gevent.spawn_later(SECONDS, runner.quit)
    runner.greenlet.join()
    stats = environment.stats

    def figures(entry: Any) -> dict[str, Any]:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "requests_per_second": round(entry.total_rps, 1),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
        }

    report = {
        "total": figures(stats.total),
        "requests": {
            f"{method} {name}": figures(entry)
            for (name, method), entry in sorted(stats.entries.items())
        },
        "errors": [
            {"request": f"{e.method} {e.name}", "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
    }
    Path(output).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


# --- the run: the platform, the edge, one swarm per data path ----------------------------------


def _seed(urls: dict[str, str]) -> None:
    for process in PROCESSES:
        upgrade(process.root, urls[process.name])
    asyncio.run(seed_accounts(urls["gateway"]))
    for process in PROCESSES:
        if process.name == "gateway":
            continue
        try:
            demo = importlib.import_module(f"{process.name}.demo")
        except ModuleNotFoundError:
            continue
        asyncio.run(demo.seed(urls[process.name]))


def _print(path: str, report: dict[str, Any]) -> None:
    total = report["total"]
    rate = total["failures"] / total["requests"] if total["requests"] else 0.0
    print(
        f"  {path:<34} {total['requests']:>7} requests  "
        f"{total['requests_per_second']:>7.1f} req/s  "
        f"p50 {total['p50_ms']:>5.0f} ms  p95 {total['p95_ms']:>5.0f} ms  "
        f"p99 {total['p99_ms']:>5.0f} ms  errors {rate:.2%}",
        flush=True,
    )
    for name, entry in report["requests"].items():
        print(
            f"      {name:<44} {entry['requests']:>6}  p50 {entry['p50_ms']:>5.0f}  "
            f"p95 {entry['p95_ms']:>5.0f}  p99 {entry['p99_ms']:>5.0f}  "
            f"failures {entry['failures']}"
        )
    for error in report["errors"]:
        print(f"      ERROR {error['request']}: {error['error']} × {error['count']}")


def main() -> int:
    if shutil.which("nginx") is None:
        print("nginx is not installed: run `make bench`, which installs it")
        return 1
    keys = Keys()
    reports: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(os.environ.get("KAFAAT_BENCH_KEEP", tmp))
        directory.chmod(0o755)  # nginx workers (nobody) enter the auth cache
        urls = {p.name: f"sqlite+aiosqlite:///{directory}/{p.name}.db" for p in PROCESSES}
        _seed(urls)
        ports = {p.name: free_port() for p in PROCESSES}
        edge_port = free_port()
        env = {
            **platform_env(keys, urls, directory),
            "KAFAAT_GATEWAY_EDGE_SECRET": EDGE_SECRET,
            "KAFAAT_GATEWAY_RATE_LIMIT_PER_IP": GENEROUS,
            "KAFAAT_GATEWAY_RATE_LIMIT_PER_PRINCIPAL": GENEROUS,
            "KAFAAT_GATEWAY_RATE_LIMIT_AUTH_PER_IP": GENEROUS,
            # The deadline of production, not the tests' short one.
            "KAFAAT_GATEWAY_UPSTREAM_DEADLINE": "15",
            **{f"{p.env_prefix}LOG_LEVEL": "WARNING" for p in PROCESSES},
        }
        running = launcher.start(ports, env)
        nginx: subprocess.Popen[bytes] | None = None
        try:
            gateway = f"http://127.0.0.1:{ports['gateway']}"
            if not launcher.wait_ready(gateway, running, 180.0):
                print("the platform did not become ready within 180 s")
                return 1
            write_trusted_proxies(directory)
            upstreams = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
            config = edge_config(directory, "load", edge_port, upstreams, cached=True)
            nginx = subprocess.Popen(
                ["nginx", "-p", str(directory), "-c", str(config)], stdout=subprocess.DEVNULL
            )
            edge = f"http://127.0.0.1:{edge_port}"
            if not launcher.wait_ready(edge, running, 30.0):
                print("the edge did not answer within 30 s")
                return 1
            print(f"locust headless, {USERS} users, {SECONDS:.0f} s per data path:", flush=True)
            for path, base_url in (("make run: gateway Python proxy", gateway), ("edge", edge)):
                output = directory / f"load-{len(reports)}.json"
                command = [sys.executable, "-c", SWARM, base_url, str(output)]
                subprocess.run(command, check=True, cwd=Path(__file__).parents[1])
                reports[path] = json.loads(output.read_text())
                _print(path, reports[path])
        finally:
            if nginx is not None:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait(10)
            launcher.stop(running)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(
        json.dumps({"users": USERS, "seconds": SECONDS, "paths": reports}, indent=2)
    )
    failed = [path for path, report in reports.items() if report["total"]["failures"]]
    if failed:
        print(f"errors on {', '.join(failed)}: the run is not valid")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
