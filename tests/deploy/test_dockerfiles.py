"""The Dockerfiles, read by BuildKit's own parser, and their build stage replayed on this machine.

There is no Docker engine here, so the test does what the build stage does: it copies what the
``COPY`` lines name into a scratch ``/app``, runs the ``uv sync`` lines with the same uv, then
runs the image's migration command, its ``CMD`` and its ``HEALTHCHECK`` from that environment.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile
import pytest

from kafaat.platform import PROCESSES, ROOT, Process
from shared.testing import Keys, free_port
from shared.tokens import generate_private_key_pem

UV = ROOT / ".tools/bin/uv"
KNOWN_INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip
BUILD_TOOLS = re.compile(
    r"\b(gcc|g\+\+|cc|make|build-essential|uv|pip install|apt-get|curl|wget)\b"
)
GRACEFUL_SECONDS = 20


@dataclass
class Stage:
    name: str
    base: str
    commands: list[dockerfile.Command] = field(default_factory=list)

    def all(self, instruction: str) -> list[dockerfile.Command]:
        return [c for c in self.commands if c.cmd == instruction]


def stages(path: Path) -> list[Stage]:
    parsed: list[Stage] = []
    for command in dockerfile.parse_file(str(path)):
        assert command.cmd in KNOWN_INSTRUCTIONS, f"{path}:{command.start_line}: {command.cmd}"
        if command.cmd == "FROM":
            base, *alias = command.value
            parsed.append(Stage(alias[1] if alias else str(len(parsed)), base))
        elif parsed:
            parsed[-1].commands.append(command)
    return parsed


def dockerfile_of(process: Process) -> Path:
    return process.root / "Dockerfile"


def env_pairs(command: dockerfile.Command) -> dict[str, str]:
    values = command.value
    return {values[i]: values[i + 1] for i in range(0, len(values), 2)}


def makefile_uv_version() -> str:
    found = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found is not None
    return found.group(1)


@pytest.fixture(params=PROCESSES, ids=lambda p: p.name)
def process(request: pytest.FixtureRequest) -> Process:
    value: Process = request.param
    return value


def test_every_process_has_a_multi_stage_dockerfile_on_slim_python(process: Process) -> None:
    path = dockerfile_of(process)
    build, runtime = stages(path)
    arg = next(c for c in dockerfile.parse_file(str(path)) if c.cmd == "ARG")
    assert arg.value == ("PYTHON_IMAGE=python:3.11-slim-bookworm",)
    assert build.base == runtime.base == "${PYTHON_IMAGE}"
    assert (build.name, runtime.name) == ("build", "runtime")
    copies = [c for c in runtime.all("COPY") if "--from=build" in c.flags]
    assert [c.value for c in copies] == [("/app", "/app")]


def test_dependencies_come_from_the_lock_file_with_the_makefiles_uv(process: Process) -> None:
    build, _ = stages(dockerfile_of(process))
    syncs = [c.value[0] for c in build.all("RUN") if c.value[0].startswith("uv sync")]
    package = f"kafaat-{process.name}"
    assert syncs == [
        f"uv sync --frozen --no-dev --package {package} --no-install-workspace",
        f"uv sync --frozen --no-dev --package {package}",
    ]
    (uv_arg,) = [c.value[0] for c in build.all("ARG")]
    assert uv_arg == f"UV_VERSION={makefile_uv_version()}"


def test_the_runtime_stage_runs_as_a_user_without_build_tools(process: Process) -> None:
    _, runtime = stages(dockerfile_of(process))
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
    _, runtime = stages(dockerfile_of(process))
    (healthcheck,) = runtime.all("HEALTHCHECK")
    assert healthcheck.json
    assert healthcheck.value[:3] == ("CMD", "python", "-c")
    assert f"http://127.0.0.1:{process.default_port}/healthz" in healthcheck.value[3]
    (expose,) = runtime.all("EXPOSE")
    assert expose.value == (str(process.default_port),)
    (cmd,) = runtime.all("CMD")
    assert cmd.json
    arguments = list(cmd.value)
    assert arguments[:3] == ["uvicorn", "--factory", process.app_factory]
    assert arguments[arguments.index("--port") + 1] == str(process.default_port)
    assert arguments[arguments.index("--timeout-graceful-shutdown") + 1] == str(GRACEFUL_SECONDS)
    environment = {k: v for env in runtime.all("ENV") for k, v in env_pairs(env).items()}
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


def replay_build_stage(process: Process, app: Path) -> dict[str, str]:
    """COPY and ``uv sync`` as the build stage does them, into ``app``; the runtime env back."""
    build, runtime = stages(dockerfile_of(process))
    if not UV.exists():
        pytest.fail(f"{UV} is missing: `make install` installs it")
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(app / ".venv")}
    for command in build.commands:
        if command.cmd == "ENV":
            values = env_pairs(command)
            values.pop("UV_PROJECT_ENVIRONMENT")
            env.update(values)
        elif command.cmd == "WORKDIR":
            assert command.value == ("/app",)
        elif command.cmd == "COPY":
            *sources, destination = command.value
            copy_into(ROOT, app, sources, destination)
        elif command.cmd == "RUN" and command.value[0].startswith("uv sync"):
            argv = [str(UV), *shlex.split(command.value[0])[1:]]
            done = subprocess.run(
                argv, cwd=app, env=env, capture_output=True, text=True, timeout=300, check=False
            )
            assert done.returncode == 0, done.stderr
    runtime_env = {"PATH": f"{app / '.venv/bin'}:{os.environ['PATH']}", "HOME": str(app)}
    for command in runtime.all("ENV"):
        runtime_env.update(
            {k: v for k, v in env_pairs(command).items() if not v.startswith("/app")}
        )
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
    return secrets


def healthcheck(argv: list[str], env: dict[str, str]) -> int:
    return subprocess.run(argv, env=env, capture_output=True, timeout=10, check=False).returncode


@pytest.mark.processes
def test_the_image_builds_migrates_serves_and_stops_gracefully(
    process: Process, tmp_path: Path, keys: Keys
) -> None:
    app = tmp_path / "app"
    env = replay_build_stage(process, app) | secrets_for(process, keys, tmp_path / "db.sqlite3")
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

    _, runtime = stages(dockerfile_of(process))
    port = str(free_port())
    (cmd,) = runtime.all("CMD")
    argv = [port if a == str(process.default_port) else a for a in cmd.value]
    argv = ["127.0.0.1" if a == "0.0.0.0" else a for a in argv]
    (check,) = runtime.all("HEALTHCHECK")
    probe = [python, "-c", check.value[3].replace(f":{process.default_port}/", f":{port}/")]

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
    assert healthcheck(probe, env) != 0
