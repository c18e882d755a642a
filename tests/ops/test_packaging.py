"""Packaging: one version, the licence, and the locked set that CI and the image install."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def locked() -> dict[str, str]:
    """constraints.txt as {name: version} (lines for other platforms included; of a package
    pinned per Python version, as uv splits numpy, the line for this interpreter)."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.+))?$", line)
        if not match:
            continue
        name = canonicalize_name(match[1])
        if match[3] and "python_full_version" in match[3] and not Marker(match[3]).evaluate():
            continue
        pins[name] = match[2]
    return pins


def requirements() -> list[Requirement]:
    project = PROJECT["project"]
    return [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def test_every_requirement_is_locked_within_its_range_and_installed_as_locked() -> None:
    pins = locked()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # only on another platform (colorama on Windows, say)
        assert installed == pinned, (
            f"{name} {installed} is installed, constraints.txt says {pinned}"
        )


def test_the_internals_parley_uses_are_pinned_to_their_minor_series() -> None:
    ranges = {canonicalize_name(r.name): r.specifier for r in requirements()}
    assert ranges["slack-bolt"] == SpecifierSet(">=1.30,<1.31")
    assert ranges["sqlalchemy"] == SpecifierSet(">=2.1.9,<2.2")
    assert not ranges["holidays"].contains("0.84") and ranges["holidays"].contains("0.85")
    assert not ranges["python-dateutil"].contains("3.0")


def test_ci_runs_the_readme_s_test_command_with_the_lock() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert "pip install -q -c constraints.txt -e '.[test]'" in ci
    assert f"```sh\n{ci}\n```" in readme


def test_one_version_and_an_mit_licence() -> None:
    import bot

    project = PROJECT["project"]
    assert project["dynamic"] == ["version"] and "version" not in project
    assert PROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bot.__version__"}
    assert version("parley") == bot.__version__
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]  # PEP 639
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    floor = next(r for r in PROJECT["build-system"]["requires"] if r.startswith("setuptools"))
    assert Requirement(floor).specifier == SpecifierSet(">=77")  # PEP 639 support
