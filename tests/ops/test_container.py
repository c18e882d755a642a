"""The container files: linted here, built where a Docker daemon answers."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_the_dockerfile_runs_migrations_then_serves_as_a_user_with_a_health_check() -> None:
    steps = instructions()
    kinds = [kind for kind, _ in steps]
    froms = [arg for kind, arg in steps if kind == "FROM"]
    # A build stage (the compiler and ICU's headers for PyICU), then a slim runtime
    assert froms == ["python:3.11-slim-bookworm AS build", "python:3.11-slim-bookworm"]
    runtime = steps[kinds.index("FROM", 1) :]
    built = " ".join(arg for kind, arg in steps[: kinds.index("FROM", 1)] if kind == "RUN")
    assert "libicu-dev" in built and "pkg-config" in built
    assert "libicu" in " ".join(arg for kind, arg in runtime if kind == "RUN")
    users = [arg for kind, arg in steps if kind == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    healthcheck = next(arg for kind, arg in steps if kind == "HEALTHCHECK")
    assert "--timeout" in healthcheck
    probe = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert probe[:2] == ["python", "-c"] and "/healthz" in probe[2]
    compile(probe[2], "HEALTHCHECK", "exec")
    command = json.loads(next(arg for kind, arg in reversed(steps) if kind == "CMD"))
    # Exec form, and the shell execs Parley: SIGTERM reaches it.
    assert command == ["sh", "-c", "parley db upgrade && exec parley serve"]
    installs = [arg for kind, arg in steps if kind == "RUN" and "pip install" in arg]
    assert installs and all("-c constraints.txt" in arg for arg in installs)
    copied = " ".join(arg for kind, arg in steps if kind == "COPY")
    for needed in ("pyproject.toml", "constraints.txt", "README.md", "LICENSE", "bot"):
        assert needed in copied, needed
    assert not [arg for kind, arg in steps if kind == "ADD"]  # COPY, not ADD
    assert ("EXPOSE", "3000") in steps
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git"} <= set(ignored)


def test_compose_runs_parley_beside_postgresql_16() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"parley", "postgres"}
    postgres = services["postgres"]
    assert str(postgres["image"]).startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    parley = services["parley"]
    assert parley["build"] == "."
    assert parley["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert parley["env_file"] == ".env"
    database = parley["environment"]["DATABASE_URL"]
    assert database.startswith("postgresql://parley:") and "@postgres:5432/parley" in database
    assert parley["environment"]["PORT"] == "3000"
    assert parley["ports"] == ["${PORT:-3000}:3000"]
    # What compose sets for Parley are Parley's settings.
    assert set(parley["environment"]) <= set(Settings.model_fields)


def env_example_names() -> list[str]:
    names = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.append(match[1])
    return names


def test_env_example_names_every_setting_and_the_readme_explains_each() -> None:
    names = env_example_names()
    assert len(names) == len(set(names))
    assert set(names) - COMPOSE_ONLY == set(Settings.model_fields)
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"| `{name}` |" in readme, name
    # The example's values are valid settings (blank means the default).
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#") and name in Settings.model_fields:
            values[name] = value
    Settings(_env_file=None, **values)  # type: ignore[arg-type]


def docker_daemon() -> str | None:
    """None when a Docker daemon answers, else why the build is skipped."""
    if shutil.which("docker") is None:
        return "no docker client on this machine"
    try:
        found = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 20 s"
    if found.returncode != 0 or not found.stdout.strip():
        why = (found.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"no Docker daemon answers ({why[:160]})"
    return None


def test_the_image_builds_and_knows_its_version() -> None:
    reason = docker_daemon()
    if reason:
        pytest.skip(reason)
    import bot

    tag = "parley:test-build"
    built = subprocess.run(
        ["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1200
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    try:
        ran = subprocess.run(
            ["docker", "run", "--rm", tag, "parley", "--version"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ran.stdout.strip() == f"parley {bot.__version__}", ran.stderr
        user = subprocess.run(
            ["docker", "run", "--rm", tag, "id", "-u"], capture_output=True, text=True, timeout=120
        )
        assert user.stdout.strip() not in ("", "0")
        checked = subprocess.run(
            ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert checked.returncode == 0 or ".env" in checked.stderr, shlex.join(checked.args)
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, timeout=120)
