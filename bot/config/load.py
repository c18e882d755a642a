"""Loading the config file: reading it, parsing it, and its one-line errors.

`ConfigError`'s message is ``<path>:<line>: <problem>``: pydantic's errors are turned into
sentences here (`_describe`) and placed on their line by `bot.config.locate`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.config.checks import PROBLEM, dotted, quote, show, table
from bot.config.contracts import ContractConfig, ContractsConfig, ServiceConfig, SlaConfig
from bot.config.locate import Locator, toml_problem
from bot.config.models import (
    LIMITED_STAGES,
    STAGES,
    UNLIMITED_STAGES,
    CalendarConfig,
    ChannelsConfig,
    ComplaintLimits,
    ComplaintsConfig,
    LadderConfig,
    ParleyConfig,
    PartyConfig,
    PeopleConfig,
    StageLimits,
    SurveysConfig,
)

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_CONFIG_NAME",
    "ConfigError",
    "load_config",
    "parse_config",
    "resolve_config",
]

CONFIG_ENV_VAR: Final = "PARLEY_CONFIG"
DEFAULT_CONFIG_NAME: Final = "parley.toml"


class ConfigError(Exception):
    """A config file that cannot be used. ``str()`` is ``<path>:<line>: <problem>``."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        self.path = path
        self.problem = _one_line(problem)
        self.line = line
        # The file's other problems, in file order (`parley config check` shows them all).
        self.more: list[ConfigError] = []
        super().__init__(str(self))

    @property
    def every(self) -> list[ConfigError]:
        """This problem and the file's others, in file order."""
        return [self, *self.more]

    def __str__(self) -> str:
        where = _one_line(str(self.path))
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.problem}"


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


_SECTION_KEYS: Final[dict[tuple[str, ...], tuple[str, ...]]] = {
    (): tuple(ParleyConfig.model_fields),
    ("calendar",): tuple(CalendarConfig.model_fields),
    ("channels",): tuple(ChannelsConfig.model_fields),
    ("people",): tuple(PeopleConfig.model_fields),
    ("ladder",): tuple(LadderConfig.model_fields),
    ("parties", "*"): tuple(PartyConfig.model_fields),
    ("parties", "*", "ladder"): tuple(StageLimits.model_fields),
    ("parties", "*", "complaints"): tuple(ComplaintLimits.model_fields),
    ("complaints",): tuple(ComplaintsConfig.model_fields),
    ("surveys",): tuple(SurveysConfig.model_fields),
    ("contracts",): tuple(ContractsConfig.model_fields),
    ("parties", "*", "contract"): tuple(ContractConfig.model_fields),
    ("services", "*"): tuple(ServiceConfig.model_fields),
    ("services", "*", "sla"): tuple(SlaConfig.model_fields),
}


def _shape(path: Sequence[str | int]) -> tuple[str, ...]:
    """A table path with the party name replaced by ``*``, to look up its known keys."""
    shape = tuple(str(p) for p in path)
    if len(shape) >= 2 and shape[0] in ("parties", "services"):
        shape = (shape[0], "*", *shape[2:])
    return shape


def _describe(error: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    """The key path an error belongs to, and a human sentence for it."""
    loc = tuple(p for p in error["loc"] if p != "[key]")
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")

    if kind == PROBLEM:
        at = tuple(ctx.get("at", loc))
        text = str(ctx.get("problem", error["msg"]))
        return at, f"{dotted(at)}: {text}" if at else text

    if kind == "extra_forbidden" and loc:
        parent, name = loc[:-1], str(loc[-1])
        shape = _shape(parent)
        known = _SECTION_KEYS.get(shape, ())
        where = table(parent)
        party_ladder = shape == ("parties", "*", "ladder")
        if party_ladder or (shape == ("ladder",) and name in STAGES):
            why = f"{name} has no time limit; " if name in UNLIMITED_STAGES else ""
            stages = ", ".join(LIMITED_STAGES)
            return loc, f"unknown stage {quote(name)} in {where} ({why}stages: {stages})"
        if not parent:
            return loc, f"unknown top-level key {quote(name)} (sections: {', '.join(known)})"
        hint = f" (keys: {', '.join(known)})" if known else ""
        return loc, f"unknown key {quote(name)} in {where}{hint}"

    prefix = f"{dotted(loc)}: " if loc else ""
    if kind == "missing":
        if loc and loc[-1] == "kind":
            return loc, f'{prefix}is required (one of "customer", "supplier", "third_party")'
        return loc, f"{prefix}is required"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return loc, f"{prefix}must be a table (got {show(value)})"
    if kind == "list_type":
        return loc, f"{prefix}must be an array (got {show(value)})"
    if kind == "bool_type":
        return loc, f"{prefix}must be true or false (got {show(value)})"
    if kind == "string_type":
        return loc, f"{prefix}must be a string (got {show(value)})"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", '"')
        return loc, f"{prefix}must be {expected} (got {show(value)})"
    return loc, f"{prefix}{error['msg']}"


def parse_config(text: str, path: Path) -> ParleyConfig:
    """Parse and validate config text; `path` is only used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem, line = toml_problem(text, exc)
        raise ConfigError(path, problem, line) from None
    except RecursionError:
        raise ConfigError(path, "invalid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        why = "a number has too many digits" if "digits" in str(exc) else str(exc)
        raise ConfigError(path, f"invalid TOML: {why}") from None
    try:
        return ParleyConfig.model_validate(data)
    except ValidationError as exc:
        locator = Locator(text)
        found = [_describe(error) for error in exc.errors()]
        placed = [(locator.line_of(at), problem) for at, problem in found]
        # In file order (pydantic orders by model field, not by line); the first one is raised.
        placed.sort(key=lambda p: p[0] if p[0] is not None else float("inf"))
        unique = list(dict.fromkeys(placed))
        first = ConfigError(path, unique[0][1], unique[0][0])
        first.more = [ConfigError(path, problem, line) for line, problem in unique[1:]]
        raise first from None


def load_config(path: Path) -> ParleyConfig:
    """Read, parse and validate the config file at `path`, or raise `ConfigError`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "file not found") from None
    except IsADirectoryError:
        raise ConfigError(path, "is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(path, "permission denied") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        raise ConfigError(
            path, f"not UTF-8 text (byte 0x{byte:02x} at column {column})", line
        ) from None
    return parse_config(text, path)


def resolve_config(env_value: str | None, cwd: Path) -> ParleyConfig:
    """The config ``serve`` should use.

    `env_value` is ``$PARLEY_CONFIG``: when set (non-empty) that file must exist. Otherwise
    ``cwd/parley.toml`` is loaded if present, else the defaults are returned. Relative paths
    are taken relative to `cwd`.
    """
    if env_value is not None and env_value.strip():
        path = Path(env_value).expanduser()
        if not path.is_absolute():
            path = cwd / path
        if not path.exists():
            raise ConfigError(path, f"file not found (named by {CONFIG_ENV_VAR})")
        return load_config(path)
    path = cwd / DEFAULT_CONFIG_NAME
    if path.exists():
        return load_config(path)
    return ParleyConfig()
