"""deploy/python/Dockerfile, read by BuildKit's own parser, and its build stage replayed on this
machine for every process it builds.

There is no Docker engine here, so the test does what a build does: it substitutes the build
argument ``SERVICE`` and the variables the stages set, the way BuildKit does, follows
``FROM ${SERVICE}`` to the process's stage, copies what the ``COPY`` lines name into a scratch
``/app``, runs the ``uv sync`` lines with the same uv, then runs the image's migration command, its
``CMD`` and its ``HEALTHCHECK`` from that environment.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import dockerfile
import pytest

from kafaat.platform import PROCESSES, ROOT, Process
from shared.testing import Keys, free_port
from shared.tokens import generate_private_key_pem

DOCKERFILE = ROOT / "deploy/python/Dockerfile"
UV = ROOT / ".tools/bin/uv"
KNOWN_INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip
# The instructions in which BuildKit substitutes variables itself (RUN: the shell does).
SUBSTITUTED = {"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "USER", "WORKDIR"}
BUILD_TOOLS = re.compile(
    r"\b(gcc|g\+\+|cc|make|build-essential|uv|pip install|apt-get|curl|wget)\b"
)
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
GRACEFUL_SECONDS = 20


@dataclass
class Stage:
    name: str
    base: str
    commands: list[dockerfile.Command] = field(default_factory=list)

    def all(self, instruction: str) -> list[dockerfile.Command]:
        return [c for c in self.commands if c.cmd == instruction]


@cache
def parsed() -> tuple[tuple[dockerfile.Command, ...], dict[str, Stage]]:
    """The global ``ARG`` lines before the first ``FROM``, and the stages by name, in order."""
    global_args: list[dockerfile.Command] = []
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        assert command.cmd in KNOWN_INSTRUCTIONS, f"{DOCKERFILE}:{command.start_line}"
        if command.cmd == "FROM":
            base, *alias = command.value
            current = Stage(alias[1] if alias else str(len(stages)), base)
            stages[current.name] = current
        elif current is not None:
            current.commands.append(command)
        else:
            global_args.append(command)
    return tuple(global_args), stages


def substitute(text: str, variables: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` as BuildKit replaces them: an unknown name is empty."""
    return VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), ""), text)


def arg_pairs(command: dockerfile.Command) -> tuple[str, str | None]:
    name, equals, default = command.value[0].partition("=")
    return name, default if equals else None


def env_pairs(command: dockerfile.Command, variables: dict[str, str]) -> dict[str, str]:
    values = command.value
    return {values[i]: substitute(values[i + 1], variables) for i in range(0, len(values), 2)}


@dataclass
class Image:
    """What ``docker build --build-arg SERVICE=<process>`` builds: the stages it goes through,
    each command with its variables substituted, and each stage's variables."""

    process: Process
    build_args: dict[str, str]
    stages: dict[str, Stage] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)
    environment: dict[str, dict[str, str]] = field(default_factory=dict)

    def stage(self, name: str) -> Stage:
        """The stage with its commands' values substituted as BuildKit does."""
        if name in self.stages:
            return self.stages[name]
        global_args, raw_stages = parsed()
        global_values = {
            name: self.build_args.get(name, default or "")
            for name, default in map(arg_pairs, global_args)
        }
        raw = raw_stages[name]
        base = substitute(raw.base, global_values)
        if base in raw_stages:  # FROM another stage: its environment carries over
            parent = self.stage(base)
            environment = dict(self.environment[parent.name])
            self.bases[name] = self.bases[parent.name]
        else:
            environment = {}
            self.bases[name] = base
        arguments: dict[str, str] = {}
        stage = Stage(name, base)
        for command in raw.commands:
            variables = {**arguments, **environment}
            if command.cmd == "ARG":
                arg, default = arg_pairs(command)
                value = self.build_args.get(arg, global_values.get(arg, default or ""))
                arguments[arg] = value
            elif command.cmd == "ENV":
                environment |= env_pairs(command, variables)
            if command.cmd in SUBSTITUTED and not command.json:
                values = tuple(substitute(value, variables) for value in command.value)
                command = command._replace(value=values)
            stage.commands.append(command)
        self.variables[name] = {**arguments, **environment}
        self.environment[name] = environment
        self.stages[name] = stage
        return stage


def image_of(process: Process) -> Image:
    return Image(process, {"SERVICE": process.name})


def makefile_uv_version() -> str:
    found = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found is not None
    return found.group(1)


@pytest.fixture(params=PROCESSES, ids=lambda p: p.name)
def process(request: pytest.FixtureRequest) -> Process:
    value: Process = request.param
    return value


def test_one_dockerfile_with_a_stage_per_process_selected_by_service() -> None:
    global_args, stages = parsed()
    arguments = dict(map(arg_pairs, global_args))
    assert arguments == {"PYTHON_IMAGE": "python:3.11-slim-bookworm", "SERVICE": None}
    # No default: a build without SERVICE has nothing to start FROM, and an unknown name no stage.
    from_python = {name for name, stage in stages.items() if stage.base == "${PYTHON_IMAGE}"}
    assert from_python == {process.name for process in PROCESSES}
    assert (stages["build"].base, stages["runtime"].base) == ("${SERVICE}", "${SERVICE}")
    assert list(stages)[-2:] == ["build", "runtime"]
    for process in PROCESSES:
        # Only what tells the processes apart; everything else is shared.
        assert {c.cmd for c in stages[process.name].commands} == {"ENV"}
        assert not (process.root / "Dockerfile").exists(), "one Dockerfile for every process"


def test_every_process_has_a_multi_stage_image_on_slim_python(process: Process) -> None:
    image = image_of(process)
    build, runtime = image.stage("build"), image.stage("runtime")
    assert image.bases["build"] == image.bases["runtime"] == "python:3.11-slim-bookworm"
    assert (build.base, runtime.base) == (process.name, process.name)
    copies = [c for c in runtime.all("COPY") if "--from=build" in c.flags]
    assert [c.value for c in copies] == [("/app", "/app")]
    assert [c.value for c in runtime.all("COPY")] == [("/app", "/app")]


def test_dependencies_come_from_the_lock_file_with_the_makefiles_uv(process: Process) -> None:
    image = image_of(process)
    build = image.stage("build")
    variables = image.variables["build"]
    syncs = [
        substitute(c.value[0], variables)
        for c in build.all("RUN")
        if c.value[0].startswith("uv sync")
    ]
    package = f"kafaat-{process.name}"
    assert syncs == [
        f"uv sync --frozen --no-dev --package {package} --no-install-workspace",
        f"uv sync --frozen --no-dev --package {package}",
    ]
    assert variables["UV_VERSION"] == makefile_uv_version()
    code = [c.value for c in build.all("COPY") if "src" in " ".join(c.value)]
    directory = str(process.root.relative_to(ROOT))
    assert code == [("shared/src", "shared/src"), (f"{directory}/src", f"{directory}/src")]


def test_the_runtime_stage_runs_as_a_user_without_build_tools(process: Process) -> None:
    runtime = image_of(process).stage("runtime")
    (user,) = runtime.all("USER")
    uid, _, gid = user.value[0].partition(":")
    # Numeric, so that Kubernetes' runAsNonRoot can check it.
    assert int(uid) >= 1000
    assert int(gid) >= 1000
    assert runtime.commands.index(user) > max(
        runtime.commands.index(c) for c in runtime.all("RUN") + runtime.all("COPY")
    )
    for run in runtime.all("RUN"):
        assert not BUILD_TOOLS.search(run.value[0].replace("pip uninstall", "")), run.original
    for copy in runtime.all("COPY"):
        assert "uv" not in " ".join(copy.value).split("/")


def test_healthcheck_and_graceful_shutdown(process: Process) -> None:
    image = image_of(process)
    runtime = image.stage("runtime")
    environment = image.environment["runtime"]
    (healthcheck,) = runtime.all("HEALTHCHECK")
    assert healthcheck.json
    assert healthcheck.value[:3] == ("CMD", "python", "-c")
    assert "'http://127.0.0.1:%s/healthz' % os.environ['UVICORN_PORT']" in healthcheck.value[3]
    (expose,) = runtime.all("EXPOSE")
    assert expose.value == (str(process.default_port),)
    (cmd,) = runtime.all("CMD")
    assert cmd.json
    arguments = list(cmd.value)
    # uvicorn takes the application and the port from UVICORN_APP and UVICORN_PORT.
    assert arguments[:2] == ["uvicorn", "--factory"]
    assert not {"--port", "--app"} & set(arguments)
    assert environment["UVICORN_APP"] == process.app_factory
    assert environment["UVICORN_PORT"] == str(process.default_port)
    assert arguments[arguments.index("--timeout-graceful-shutdown") + 1] == str(GRACEFUL_SECONDS)
    assert environment[f"{process.env_prefix}ENVIRONMENT"] == "production"


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".tools", "var", ".env", "**/__pycache__"} <= set(ignored)


def copy_into(context: Path, app: Path, sources: list[str], destination: str) -> None:
    target = app / destination
    for source in sources:
        origin = context / source
        assert origin.exists(), f"COPY {source}: not in the build context"
        if origin.is_dir():
            shutil.copytree(
                origin, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif destination.endswith("/") or len(sources) > 1:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / origin.name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target)


def replay_build_stage(image: Image, app: Path) -> dict[str, str]:
    """COPY and ``uv sync`` as the build stage does them, into ``app``; the runtime env back."""
    build = image.stage("build")
    if not UV.exists():
        pytest.fail(f"{UV} is missing: `make install` installs it")
    env = {**os.environ, **image.environment["build"]}
    env["UV_PROJECT_ENVIRONMENT"] = str(app / ".venv")
    for command in build.commands:
        if command.cmd == "WORKDIR":
            assert command.value == ("/app",)
        elif command.cmd == "COPY":
            *sources, destination = command.value
            copy_into(ROOT, app, sources, destination)
        elif command.cmd == "RUN" and command.value[0].startswith("uv sync"):
            line = substitute(command.value[0], image.variables["build"])
            argv = [str(UV), *shlex.split(line)[1:]]
            done = subprocess.run(
                argv, cwd=app, env=env, capture_output=True, text=True, timeout=300, check=False
            )
            assert done.returncode == 0, done.stderr
    image.stage("runtime")
    runtime_env = {"PATH": f"{app / '.venv/bin'}:{os.environ['PATH']}", "HOME": str(app)}
    runtime_env |= {
        k: v for k, v in image.environment["runtime"].items() if not v.startswith("/app")
    }
    return runtime_env


def secrets_for(process: Process, keys: Keys, database: Path) -> dict[str, str]:
    secrets = {
        f"{process.env_prefix}DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        f"{process.env_prefix}VAR_DIR": str(database.parent),
    }
    if process.name == "gateway":
        secrets[f"{process.env_prefix}SERVICE_TOKEN_PRIVATE_KEY"] = keys.private_pem.decode()
        access_key = generate_private_key_pem().decode()
        secrets[f"{process.env_prefix}ACCESS_TOKEN_PRIVATE_KEY"] = access_key
    else:
        secrets[f"{process.env_prefix}SERVICE_TOKEN_PUBLIC_KEYS"] = keys.public_pem.decode()
    # What else each service refuses to start without in production (its secrets in
    # deploy/k8s/secrets.example.yaml).
    if process.name == "beneficiaries":
        secrets[f"{process.env_prefix}PEER_TOKEN_PRIVATE_KEY"] = generate_private_key_pem().decode()
        data_key = base64.b64encode(os.urandom(32)).decode()
        secrets[f"{process.env_prefix}DATA_KEYS"] = f"image-test:{data_key}"
        secrets[f"{process.env_prefix}BLIND_INDEX_KEY"] = base64.b64encode(os.urandom(32)).decode()
    if process.name == "network":
        secrets[f"{process.env_prefix}CALENDAR_FEED_SECRET"] = base64.b64encode(
            os.urandom(32)
        ).decode()
    return secrets


def healthcheck(argv: list[str], env: dict[str, str]) -> int:
    return subprocess.run(argv, env=env, capture_output=True, timeout=10, check=False).returncode


@pytest.mark.processes
def test_the_image_builds_migrates_serves_and_stops_gracefully(
    process: Process, tmp_path: Path, keys: Keys
) -> None:
    app = tmp_path / "app"
    image = image_of(process)
    env = replay_build_stage(image, app) | secrets_for(process, keys, tmp_path / "db.sqlite3")
    python = str(app / ".venv/bin/python")
    # Only what the image holds: the environment knows nothing of the repository's checkout.
    located = subprocess.run(
        [python, "-c", f"import {process.name}.cli as c; print(c.SERVICE_ROOT)"],
        env=env, capture_output=True, text=True, check=True, cwd=app,
    )  # fmt: skip
    assert Path(located.stdout.strip()) == app / process.root.relative_to(ROOT)
    migrate = subprocess.run(
        [f"kafaat-{process.name}", "migrate"], env=env, cwd=app, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr

    runtime = image.stage("runtime")
    # The container's port, as the image sets it; the command and the probe read it from there.
    env["UVICORN_PORT"] = str(free_port())
    (cmd,) = runtime.all("CMD")
    argv = ["127.0.0.1" if a == "0.0.0.0" else a for a in cmd.value]
    (check,) = runtime.all("HEALTHCHECK")
    probe = [python, "-c", check.value[3]]

    assert healthcheck(probe, env) != 0  # nothing listens yet
    server = subprocess.Popen(argv, env=env, cwd=app, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while healthcheck(probe, env) != 0:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the process did not become healthy"
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        _, logged = server.communicate(timeout=GRACEFUL_SECONDS + 5)
    # uvicorn drains, runs the application's shutdown, then exits by the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in logged
    assert f"http://127.0.0.1:{env['UVICORN_PORT']}" in logged
    assert healthcheck(probe, env) != 0
