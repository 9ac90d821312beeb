"""deploy/k8s as ``kubectl kustomize`` renders it: validated with ``kubernetes-validate --strict``,
then what the schemas cannot see: probes, limits, security, wiring between objects, and
configuration."""

from __future__ import annotations

import copy
import ipaddress
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from kafaat.platform import PROCESSES, ROOT, Process
from shared.testing import Keys, PeerKeys

K8S = ROOT / "deploy/k8s"
# Oldest Kubernetes the manifests promise to work on, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.31.0", "1.37.0")
# Custom resources of an operator: kubernetes-validate has no schema for them.
NO_SCHEMA = {K8S / "examples/postgres-cloudnativepg.yaml"}
NOT_APPLIED = {K8S / "secrets.example.yaml", *K8S.glob("examples/*.yaml")}
SERVICES = [p for p in PROCESSES if p.name != "gateway"]
Manifest = dict[str, Any]


def documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@cache
def rendered() -> str:
    """What ``kubectl apply -k deploy/k8s`` applies (kustomize is built into kubectl)."""
    # The environment's own kubectl first (a wheel can carry one), then the system's.
    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which(
        "kubectl"
    )
    if kubectl is None:
        pytest.fail("kubectl is missing: it renders deploy/k8s (`kubectl kustomize`)")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def applied() -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(rendered()) if doc]


@cache
def all_resources() -> list[Manifest]:
    """The applied objects, then the examples an operator applies by hand."""
    return applied() + [doc for path in sorted(NOT_APPLIED) for doc in documents(path)]


def kustomization_files(directory: Path) -> set[Path]:
    """Every file that a kustomization reaches, through its resources, components and patches."""
    (kustomization,) = documents(directory / "kustomization.yaml")
    reached = {directory / "kustomization.yaml"}
    entries = kustomization.get("resources", []) + kustomization.get("components", [])
    entries += [patch["path"] for patch in kustomization.get("patches", []) if "path" in patch]
    for entry in entries:
        path = (directory / entry).resolve()
        reached |= kustomization_files(path) if path.is_dir() else {path}
    return reached


def find(kind: str, name: str, namespace: str = "kafaat") -> Manifest:
    matches = [
        doc
        for doc in all_resources()
        if doc["kind"] == kind
        and doc["metadata"]["name"] == name
        and doc["metadata"].get("namespace", namespace) == namespace
    ]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} manifests"
    return matches[0]


def pod_specs() -> Iterator[tuple[str, Manifest]]:
    for doc in all_resources():
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def test_every_manifest_passes_kubernetes_validate_strict(tmp_path: Path) -> None:
    output = tmp_path / "rendered.yaml"
    output.write_text(rendered())
    validated = [output, *sorted(NOT_APPLIED - NO_SCHEMA)]
    assert len(applied()) >= 25
    versions = [arg for version in KUBERNETES_VERSIONS for arg in ("-k", version)]
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", *versions, *map(str, validated)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # A kind without a schema is only a warning: none is allowed outside NO_SCHEMA.
    problems = [line for line in result.stdout.splitlines() if not line.startswith("INFO")]
    assert problems == []
    assert result.stdout.count("INFO") == len(KUBERNETES_VERSIONS) * sum(
        len(documents(path)) for path in validated
    )


def test_the_validator_rejects_an_unknown_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(rendered().replace("readinessProbe", "readinesProbe"))
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", str(broken)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "readinesProbe" in result.stdout


def test_kustomization_applies_everything_but_secrets_and_examples() -> None:
    reached = kustomization_files(K8S)
    assert reached == set(K8S.rglob("*.yaml")) - NOT_APPLIED


def test_no_placeholder_of_the_base_is_left_after_rendering() -> None:
    # base/python-service says "process" and port 8000 wherever a process's value goes.
    assert re.search(r"\bprocess\b", rendered()) is None
    assert not [doc for doc in applied() if "config.kubernetes.io/local-config" in str(doc)]
    ports = [
        doc["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
        for doc in applied()
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] not in ("edge", "redis")
    ]
    assert sorted(ports) == sorted(process.default_port for process in PROCESSES)


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_each_process_has_its_deployment_service_autoscaler_budget_and_migration(
    process: Process,
) -> None:
    deployment = find("Deployment", process.name)
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    (container,) = pod["spec"]["containers"]
    assert container["image"].startswith(f"kafaat/{process.name}:")
    assert container["ports"] == [
        {"name": "http", "containerPort": process.default_port, "protocol": "TCP"}
    ]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert set(container["resources"]) == {"requests", "limits"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    # preStop + uvicorn's 20 s graceful shutdown fit in the grace period.
    assert pod["spec"]["terminationGracePeriodSeconds"] >= 5 + 20
    env_from = [next(iter(source.values()))["name"] for source in container["envFrom"]]
    assert env_from == ["kafaat-config", f"kafaat-{process.name}"]

    service = find("Service", process.name)
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["port"] == process.default_port
    autoscaler = find("HorizontalPodAutoscaler", process.name)
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == process.name
    assert autoscaler["spec"]["minReplicas"] >= 2
    budget = find("PodDisruptionBudget", process.name)
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert budget["spec"]["minAvailable"] < autoscaler["spec"]["minReplicas"]

    job = find("Job", f"{process.name}-migrate")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == [f"kafaat-{process.name}", "migrate"]
    assert migrate["image"] == container["image"]
    assert migrate["envFrom"] == container["envFrom"]
    assert migrate.get("env") == container.get("env")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("name_and_pod", list(pod_specs()), ids=lambda item: item[0])
def test_every_pod_meets_the_restricted_pod_security_standard(
    name_and_pod: tuple[str, Manifest],
) -> None:
    _, pod = name_and_pod
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    for container in pod["containers"]:
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"] == {"drop": ["ALL"]}
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], "a writable /tmp on a read-only root"


def test_namespaces_enforce_the_restricted_standard() -> None:
    for name in ("kafaat", "kafaat-data"):
        namespace = find("Namespace", name, namespace="")
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def pods_allowed_to_reach(target_labels: dict[str, str]) -> set[str]:
    """Names of the pods of the namespace that some NetworkPolicy lets reach these labels."""
    allowed: set[str] = set()
    for policy in all_resources():
        if policy["kind"] != "NetworkPolicy" or policy["metadata"]["namespace"] != "kafaat":
            continue
        selector = policy["spec"]["podSelector"]
        if not selects(selector, target_labels):
            continue
        for rule in policy["spec"].get("ingress", []):
            for peer in rule["from"]:
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    allowed.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
                else:
                    namespace = peer["namespaceSelector"]["matchLabels"]
                    allowed.add("namespace:" + namespace["kubernetes.io/metadata.name"])
    return allowed


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def pod_labels(name: str) -> dict[str, str]:
    labels: dict[str, str] = find("Deployment", name)["spec"]["template"]["metadata"]["labels"]
    return labels


def test_network_policies_deny_by_default_and_let_only_gateway_and_edge_reach_services() -> None:
    deny = find("NetworkPolicy", "default-deny-ingress")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    # Peers: beneficiaries reserves seats in offers for its counsellors (and calls nothing else).
    peers = {"offers": {"beneficiaries"}}
    for service in SERVICES:
        reachable_from = pods_allowed_to_reach(pod_labels(service.name))
        expected = {"gateway", "edge", "namespace:monitoring"} | peers.get(service.name, set())
        assert reachable_from == expected, service.name
    assert pods_allowed_to_reach(pod_labels("gateway")) == {"edge", "namespace:monitoring"}
    assert pods_allowed_to_reach(pod_labels("edge")) == {"namespace:ingress-nginx"}
    assert pods_allowed_to_reach(pod_labels("redis")) == {"gateway"}
    migration = find("Job", "offers-migrate")["spec"]["template"]["metadata"]["labels"]
    assert pods_allowed_to_reach(migration) == set()


def test_the_ingress_sends_everything_to_the_edge() -> None:
    (ingress,) = [doc for doc in all_resources() if doc["kind"] == "Ingress"]
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"]["service"]["name"] == "edge"
    edge = find("Service", "edge")
    assert edge["spec"]["selector"].items() <= pod_labels("edge").items()
    (container,) = find("Deployment", "edge")["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/edge/healthz"
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert {"/tmp", "/etc/nginx/conf.d", "/var/cache/nginx"} <= mounts


def pod_environment(process: Process, keys: Keys, access: Keys) -> dict[str, str]:
    """What the pod's environment holds with the example Secrets, their keys made real."""
    (container,) = find("Deployment", process.name)["spec"]["template"]["spec"]["containers"]
    real = {
        "SERVICE_TOKEN_PRIVATE_KEY": keys.private_pem.decode(),
        "SERVICE_TOKEN_PUBLIC_KEYS": keys.public_pem.decode(),
        "ACCESS_TOKEN_PRIVATE_KEY": access.private_pem.decode(),
        "PEER_TOKEN_PRIVATE_KEY": PeerKeys("beneficiaries").private_pem.decode(),
    }
    environment: dict[str, str] = {}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            environment |= find("ConfigMap", source["configMapRef"]["name"])["data"]
        else:
            secret = find("Secret", source["secretRef"]["name"])["stringData"]
            for name, value in secret.items():
                suffix = name.removeprefix(process.env_prefix)
                environment[name] = real.get(suffix, value)
    for variable in container.get("env", []):
        environment[variable["name"]] = env_value(variable, environment)
    return environment


def env_value(variable: Manifest, earlier: dict[str, str]) -> str:
    """An ``env`` entry's value as the kubelet gives it: from a Secret, or with ``$(NAME)`` of
    the variables defined before it replaced."""
    if "valueFrom" in variable:
        reference = variable["valueFrom"]["secretKeyRef"]
        value: str = find("Secret", reference["name"])["stringData"][reference["key"]]
        return value
    return re.sub(r"\$\((\w+)\)", lambda m: earlier.get(m.group(1), m.group(0)), variable["value"])


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_the_pods_environment_starts_the_process_in_production(
    process: Process, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = pod_environment(process, Keys(), Keys())
    known = set(process.setting_names())
    own = {name for name in environment if name.startswith(process.env_prefix)}
    assert own <= known, f"not settings of {process.name}: {sorted(own - known)}"
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings: Any = process.settings_class()
    assert settings.is_production
    assert settings.database_url.startswith("postgresql+asyncpg://")


def test_every_configuration_key_is_a_setting_of_some_process() -> None:
    known = {name for process in PROCESSES for name in process.setting_names()}
    config = find("ConfigMap", "kafaat-config")["data"]
    assert set(config) <= known, sorted(set(config) - known)
    for process in PROCESSES:
        secret = find("Secret", f"kafaat-{process.name}")["stringData"]
        assert set(secret) <= known, sorted(set(secret) - known)
    assert set(find("Secret", "kafaat-edge")["stringData"]) == {"KAFAAT_EDGE_SECRET"}
    assert set(find("Secret", "kafaat-redis")["stringData"]) == {"REDIS_PASSWORD"}


def test_the_postgres_statefulset_example_runs_the_compose_init_script() -> None:
    init = find("ConfigMap", "kafaat-postgres-init", namespace="kafaat-data")
    script = (ROOT / "deploy/postgres/init-databases.sh").read_text()
    assert init["data"] == {"10-kafaat-databases.sh": script}
    secret = find("Secret", "kafaat-postgres", namespace="kafaat-data")["stringData"]
    assert {f"KAFAAT_{p.name.upper()}_DB_PASSWORD" for p in PROCESSES} < set(secret)


def test_the_cloudnativepg_example_gives_each_process_its_role_and_database() -> None:
    docs = documents(K8S / "examples/postgres-cloudnativepg.yaml")
    assert {doc["apiVersion"] for doc in docs} == {"postgresql.cnpg.io/v1"}
    (cluster,) = [doc for doc in docs if doc["kind"] == "Cluster"]
    roles = {role["name"]: role for role in cluster["spec"]["managed"]["roles"]}
    databases = {doc["spec"]["name"]: doc["spec"] for doc in docs if doc["kind"] == "Database"}
    for process in PROCESSES:
        role = f"kafaat_{process.name}"
        assert roles[role]["login"] is True
        assert databases[process.name]["owner"] == role
        assert databases[process.name]["cluster"]["name"] == cluster["metadata"]["name"]


def applied_environment(container: Manifest, resources: list[Manifest]) -> dict[str, str]:
    """What a container's environment holds from the applied objects alone: its ConfigMaps and
    its own ``env`` (the Secrets are not applied from here: nothing in them can be counted on)."""
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            (config,) = [
                d for d in resources if d["kind"] == "ConfigMap" and d["metadata"]["name"] == name
            ]
            environment |= config["data"]
    for variable in container.get("env", []):
        environment[variable["name"]] = variable.get("value", "<from a Secret>")
    return environment


def gateways_counting_alone(resources: list[Manifest]) -> list[str]:
    """Each gateway Deployment that may run more than one replica without a shared Redis."""
    problems = []
    for deployment in resources:
        if deployment["kind"] != "Deployment":
            continue
        name = deployment["metadata"]["name"]
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            repository = container["image"].rpartition(":")[0]
            if repository.rpartition("/")[2] != "gateway":
                continue
            most = deployment["spec"].get("replicas", 1)
            for autoscaler in resources:
                target = autoscaler.get("spec", {}).get("scaleTargetRef", {})
                if autoscaler["kind"] == "HorizontalPodAutoscaler" and (
                    target.get("kind"),
                    target.get("name"),
                ) == ("Deployment", name):
                    most = max(most, autoscaler["spec"]["maxReplicas"])
            if most > 1 and not applied_environment(container, resources).get(
                "KAFAAT_GATEWAY_REDIS_URL"
            ):
                problems.append(f"Deployment/{name}: up to {most} replicas, each counting alone")
    return problems


def test_every_gateway_that_may_run_several_replicas_shares_its_counters_in_redis() -> None:
    resources = applied()
    assert gateways_counting_alone(resources) == []
    (container,) = find("Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    url = urlsplit(pod_environment(PROCESSES[-1], Keys(), Keys())["KAFAAT_GATEWAY_REDIS_URL"])
    password = find("Secret", "kafaat-redis")["stringData"]["REDIS_PASSWORD"]
    assert (url.scheme, url.password, url.path) == ("redis", password, "/0")
    # The URL names the Redis that is applied with the gateway, which asks for that password.
    service = find("Service", str(url.hostname))
    assert service["spec"]["ports"][0]["port"] == url.port
    (redis,) = find("Deployment", "redis")["spec"]["template"]["spec"]["containers"]
    assert service["spec"]["selector"].items() <= pod_labels("redis").items()
    assert redis["args"][redis["args"].index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    assert redis["env"][0]["valueFrom"]["secretKeyRef"] == {
        "name": "kafaat-redis", "key": "REDIS_PASSWORD"
    }  # fmt: skip
    # Counters only: nothing written to disk.
    assert redis["args"][redis["args"].index("--save") + 1] == ""


def test_the_replica_check_finds_a_gateway_without_redis() -> None:
    def without_redis_url(doc: Manifest) -> Manifest:
        copied: Manifest = copy.deepcopy(doc)
        if copied["kind"] == "Deployment":
            for container in copied["spec"]["template"]["spec"]["containers"]:
                container["env"] = [
                    v for v in container.get("env", []) if v["name"] != "KAFAAT_GATEWAY_REDIS_URL"
                ]
        return copied

    resources = [without_redis_url(doc) for doc in applied()]
    assert gateways_counting_alone(resources) == [
        "Deployment/gateway: up to 6 replicas, each counting alone"
    ]
    # One replica, never scaled out: its own memory is the whole count.
    for doc in resources:
        if doc["kind"] == "HorizontalPodAutoscaler" and doc["metadata"]["name"] == "gateway":
            doc["spec"]["minReplicas"] = doc["spec"]["maxReplicas"] = 1
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "gateway":
            doc["spec"]["replicas"] = 1
    assert gateways_counting_alone(resources) == []
    # A replica count alone is enough, with or without an autoscaler.
    resources = [doc for doc in resources if doc["kind"] != "HorizontalPodAutoscaler"]
    deployments = [d for d in resources if d["kind"] == "Deployment"]
    next(d for d in deployments if d["metadata"]["name"] == "gateway")["spec"]["replicas"] = 3
    assert gateways_counting_alone(resources) == [
        "Deployment/gateway: up to 3 replicas, each counting alone"
    ]


def cidrs(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr) for cidr in re.split(r"[ ,]+", value.strip())]


def test_forwarded_headers_are_believed_only_from_the_pod_network() -> None:
    config = find("ConfigMap", "kafaat-config")["data"]
    assert "KAFAAT_GATEWAY_TRUST_FORWARDED_HEADERS" not in config
    # The gateway believes the edge's pods; the edge the ingress controller's: both live in the
    # cluster's pod network, which the operator sets (README, "Deploying on Kubernetes").
    assert cidrs(config["KAFAAT_GATEWAY_TRUSTED_PROXIES"]) == [ipaddress.ip_network("10.0.0.0/8")]
    (nginx,) = find("Deployment", "edge")["spec"]["template"]["spec"]["containers"]
    edge = {variable["name"]: variable["value"] for variable in nginx["env"]}
    assert cidrs(edge["KAFAAT_EDGE_TRUSTED_PROXIES"]) == [ipaddress.ip_network("10.0.0.0/8")]
