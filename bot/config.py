"""The company config file (``parley.toml``): its models, loading, and readable errors.

Every section and key is optional; a missing file means "all defaults". A file that does not
parse, or names an unknown section, key or stage, or holds a bad value, raises `ConfigError`
whose message is one line, ``<path>:<line>: <problem>``, so ``serve`` can stop at start
instead of half-applying a config.

Example::

    [calendar]
    timezone = "Asia/Shanghai"
    holidays = "CN"

    [channels]
    dispute_process = "C0123"
    legal = "C0456"

    [people]
    approvers = ["U0789"]

    [ladder]
    coordination = 3
    multi_party = 5
    company_process = 10
    auto_escalate = false

    [parties."Acme Networks"]
    kind = "supplier"
    slack_team = "T0ACME"
    ladder = { coordination = 2, multi_party = 3 }
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.domain.names import lookalike_of, name_key

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_CONFIG_NAME",
    "LIMITED_STAGES",
    "STAGES",
    "CalendarConfig",
    "ChannelsConfig",
    "ConfigError",
    "LadderConfig",
    "ParleyConfig",
    "PartyConfig",
    "PeopleConfig",
    "StageLimits",
    "load_config",
    "parse_config",
    "resolve_config",
]

CONFIG_ENV_VAR: Final = "PARLEY_CONFIG"
DEFAULT_CONFIG_NAME: Final = "parley.toml"

#: The dispute ladder, in order. Only the first three have a time limit.
STAGES: Final = ("coordination", "multi_party", "company_process", "legal")
LIMITED_STAGES: Final = ("coordination", "multi_party", "company_process")

MAX_STAGE_DAYS: Final = 365
MAX_PARTY_NAME: Final = 80

_CHANNEL_RE: Final = re.compile(r"[CG][A-Z0-9]{2,}")
_USER_RE: Final = re.compile(r"[UW][A-Z0-9]{2,}")
_TEAM_RE: Final = re.compile(r"[TE][A-Z0-9]{2,}")
_BARE_KEY_RE: Final = re.compile(r"[A-Za-z0-9_-]+")
_HOLIDAY_EXAMPLES: Final = ("CN", "DE", "US", "GB", "JP")
_NOT_ZONES: Final = frozenset({"localtime", "posixrules"})

_T = TypeVar("_T")
_BARE_VALUE_RE: Final = re.compile(r"[^,\]}#\r\n]*")
_TOML_WHERE_RE: Final = re.compile(
    r"^(?P<msg>.*?)\s*\((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)$",
    re.S,
)

# Error type used for every message this module writes itself; its ctx carries the text and,
# optionally, "at": the path of the key the problem belongs to (when that is not the error's loc).
_PROBLEM: Final = "parley_config"


def _problem(text: str, at: tuple[str | int, ...] | None = None) -> PydanticCustomError:
    ctx: dict[str, Any] = {"problem": text}
    if at is not None:
        ctx["at"] = at
    return PydanticCustomError(_PROBLEM, "{problem}", ctx)


# --------------------------------------------------------------------------------------------
# Rendering values and paths for messages


def _quote(text: str, limit: int = 60) -> str:
    """A string as a double-quoted, escaped, single-line literal (shortened if long)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


def _show(value: object) -> str:
    """A TOML value, briefly, for a "got ..." hint."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= 30 else text[:29] + "…"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, Sequence):
        return "an array"
    if hasattr(value, "isoformat"):
        return "a date/time"
    return type(value).__name__


def _key(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return part if _BARE_KEY_RE.fullmatch(part) else _quote(part, limit=200)


def _dotted(path: Sequence[str | int]) -> str:
    """``("parties", "Acme Networks", "ladder")`` -> ``parties."Acme Networks".ladder``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _key(part)
    return out


def _table(path: Sequence[str | int]) -> str:
    """How a table is named in the file: ``[ladder]``, ``[parties."Acme"].ladder``."""
    if not path:
        return "the top level"
    head = 2 if path[0] == "parties" and len(path) >= 2 else 1
    text = f"[{_dotted(path[:head])}]"
    rest = _dotted(path[head:])
    if rest:
        text += rest if rest.startswith("[") else "." + rest
    return text


# --------------------------------------------------------------------------------------------
# Field validators


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise _problem(f"must be a string (got {_show(value)})")
    return value


def _slack_id(pattern: re.Pattern[str], what: str, example: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        text = _string(value)
        if not pattern.fullmatch(text):
            raise _problem(f"{_quote(text)} is not a Slack {what} id (like {example})")
        return text

    return check


def _optional(check: Callable[[object], _T]) -> Callable[[object], _T | None]:
    """Let None through `check` (validators sit outside ``X | None`` for plain error paths)."""

    def check_optional(value: object) -> _T | None:
        return None if value is None else check(value)

    return check_optional


_check_channel = _slack_id(_CHANNEL_RE, "channel", "C0123ABCD")
_check_team = _slack_id(_TEAM_RE, "team", "T0123ABCD")
OptionalChannelId = Annotated[str | None, BeforeValidator(_optional(_check_channel))]
UserId = Annotated[str, BeforeValidator(_slack_id(_USER_RE, "user", "U0123ABCD"))]
OptionalTeamId = Annotated[str | None, BeforeValidator(_optional(_check_team))]


def _stage_days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STAGE_DAYS:
        raise _problem(
            f"must be a whole number of working days from 1 to {MAX_STAGE_DAYS} "
            f"(got {_show(value)})"
        )
    return value


StageDays = Annotated[int, BeforeValidator(_stage_days)]
OptionalStageDays = Annotated[int | None, BeforeValidator(_optional(_stage_days))]


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES)


def _time_zone(value: object) -> str:
    name = _string(value)
    zones = _time_zones()
    if name not in zones:
        hint = next((z for z in sorted(zones) if z.lower() == name.lower()), None)
        extra = f'; did you mean "{hint}"?' if hint else ' (use an IANA name like "Europe/Berlin")'
        raise _problem(f"unknown time zone {_quote(name)}{extra}")
    try:
        ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise _problem(f"unknown time zone {_quote(name)}") from exc
    return name


@functools.cache
def _holiday_countries() -> frozenset[str]:
    return frozenset(holidays_lib.list_supported_countries())


def _holiday_calendar(value: object) -> str:
    code = _string(value)
    countries = _holiday_countries()
    if code not in countries:
        if code.upper() in countries:
            extra = f'; did you mean "{code.upper()}"?'
        else:
            examples = ", ".join(c for c in _HOLIDAY_EXAMPLES if c in countries)
            extra = f" (use a country code such as {examples}; omit it for Monday to Friday)"
        raise _problem(f"unknown holiday calendar {_quote(code)}{extra}")
    return code


def _party_name(name: str) -> str:
    stripped = name.strip()
    if not stripped:
        raise _problem("a party name must not be empty")
    if len(stripped) > MAX_PARTY_NAME:
        raise _problem(f"a party name must be at most {MAX_PARTY_NAME} characters")
    if not name_key(stripped):
        raise _problem("a party name must hold letters people can see, not only invisible ones")
    return stripped


PartyName = Annotated[str, AfterValidator(_party_name)]


# --------------------------------------------------------------------------------------------
# Models


class CalendarConfig(BaseModel):
    """Working-day calendar: the default time zone and the public-holiday calendar."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    #: IANA zone for people whose Slack profile has none.
    timezone: Annotated[str, BeforeValidator(_time_zone)] = "UTC"
    #: Country code of a `holidays` calendar (with its adjusted working days); None = Mon-Fri.
    holidays: Annotated[str | None, BeforeValidator(_optional(_holiday_calendar))] = None

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone as a `ZoneInfo`."""
        return ZoneInfo(self.timezone)


class ChannelsConfig(BaseModel):
    """Channels told when a dispute reaches a stage; None = nobody is told."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    dispute_process: OptionalChannelId = None
    legal: OptionalChannelId = None


class PeopleConfig(BaseModel):
    """Named people: approvers may escalate a dispute to legal."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    approvers: list[UserId] = Field(default_factory=list)


class StageLimits(BaseModel):
    """Per-party stage limits in working days; None = use the company default.

    ``legal`` is not a field: it has no time limit, so naming it is an error.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    coordination: OptionalStageDays = None
    multi_party: OptionalStageDays = None
    company_process: OptionalStageDays = None


class LadderConfig(BaseModel):
    """Company-wide stage limits in working days, and whether to escalate automatically."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    coordination: StageDays = 3
    multi_party: StageDays = 5
    company_process: StageDays = 10
    auto_escalate: bool = False


class PartyConfig(BaseModel):
    """What was agreed in advance with one party."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: Literal["customer", "supplier", "third_party"]
    #: The party's Slack Connect team id.
    slack_team: OptionalTeamId = None
    ladder: StageLimits = Field(default_factory=StageLimits)


class ParleyConfig(BaseModel):
    """The whole config file. ``ParleyConfig()`` is the all-defaults config."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    people: PeopleConfig = Field(default_factory=PeopleConfig)
    ladder: LadderConfig = Field(default_factory=LadderConfig)
    parties: dict[PartyName, PartyConfig] = Field(default_factory=dict)

    @field_validator("parties", mode="before")
    @classmethod
    def _names_unique_as_people_read_them(cls, value: object) -> object:
        if isinstance(value, Mapping):
            seen: list[str] = []
            for raw in value:
                if not isinstance(raw, str):
                    continue
                first = lookalike_of(raw, seen)
                if first is not None:
                    raise _problem(
                        f"party {_quote(raw)} is the same name as {_quote(first)} once spaces, "
                        "case, width and letters that look alike (such as a Cyrillic А for a "
                        "Latin A) are set aside",
                        at=("parties", raw),
                    )
                seen.append(raw)
        return value

    @field_validator("parties", mode="after")
    @classmethod
    def _teams_unique(cls, value: dict[str, PartyConfig]) -> dict[str, PartyConfig]:
        owners: dict[str, str] = {}
        for name, party in value.items():
            if party.slack_team is None:
                continue
            owner = owners.setdefault(party.slack_team, name)
            if owner != name:
                raise _problem(
                    f"{_quote(party.slack_team)} is already the Slack team of party "
                    f"{_quote(owner)}; a team can belong to only one party",
                    at=("parties", name, "slack_team"),
                )
        return value

    def stage_limit(self, stage: str, party: str | None = None) -> int | None:
        """Working days allowed in `stage` for `party`: its override, else the default.

        ``legal`` has no limit (None). A party that is not configured gets the defaults.
        Raises ValueError for a name that is not a stage.
        """
        if stage == "legal":
            return None
        if stage not in LIMITED_STAGES:
            raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
        config = self.parties.get(party) if party is not None else None
        override: int | None = getattr(config.ladder, stage) if config is not None else None
        if override is not None:
            return override
        default: int = getattr(self.ladder, stage)
        return default

    def party_for_team(self, team_id: str) -> str | None:
        """The configured party whose Slack Connect team is `team_id`, if any."""
        for name, party in self.parties.items():
            if party.slack_team == team_id:
                return name
        return None


# --------------------------------------------------------------------------------------------
# Errors


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
}


def _shape(path: Sequence[str | int]) -> tuple[str, ...]:
    """A table path with the party name replaced by ``*``, to look up its known keys."""
    shape = tuple(str(p) for p in path)
    if len(shape) >= 2 and shape[0] == "parties":
        shape = ("parties", "*", *shape[2:])
    return shape


def _describe(error: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    """The key path an error belongs to, and a human sentence for it."""
    loc = tuple(p for p in error["loc"] if p != "[key]")
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")

    if kind == _PROBLEM:
        at = tuple(ctx.get("at", loc))
        text = str(ctx.get("problem", error["msg"]))
        return at, f"{_dotted(at)}: {text}" if at else text

    if kind == "extra_forbidden" and loc:
        parent, name = loc[:-1], str(loc[-1])
        shape = _shape(parent)
        known = _SECTION_KEYS.get(shape, ())
        where = _table(parent)
        party_ladder = shape == ("parties", "*", "ladder")
        if party_ladder or (shape == ("ladder",) and name in STAGES):
            why = "legal has no time limit; " if name == "legal" else ""
            stages = ", ".join(LIMITED_STAGES)
            return loc, f"unknown stage {_quote(name)} in {where} ({why}stages: {stages})"
        if not parent:
            return loc, f"unknown top-level key {_quote(name)} (sections: {', '.join(known)})"
        hint = f" (keys: {', '.join(known)})" if known else ""
        return loc, f"unknown key {_quote(name)} in {where}{hint}"

    prefix = f"{_dotted(loc)}: " if loc else ""
    if kind == "missing":
        if loc and loc[-1] == "kind":
            return loc, f'{prefix}is required (one of "customer", "supplier", "third_party")'
        return loc, f"{prefix}is required"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return loc, f"{prefix}must be a table (got {_show(value)})"
    if kind == "list_type":
        return loc, f"{prefix}must be an array (got {_show(value)})"
    if kind == "bool_type":
        return loc, f"{prefix}must be true or false (got {_show(value)})"
    if kind == "string_type":
        return loc, f"{prefix}must be a string (got {_show(value)})"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", '"')
        return loc, f"{prefix}must be {expected} (got {_show(value)})"
    return loc, f"{prefix}{error['msg']}"


# --------------------------------------------------------------------------------------------
# Locating keys in the file


class _Locator:
    """Finds the line where each key path is written in a TOML text that already parsed.

    Handles table headers, arrays of tables, dotted keys, inline tables and (multi-line)
    arrays, recording the first line where every path, and every prefix of it, appears.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[tuple[str | int, ...], int] = {}
        # Best effort: on anything unexpected, keep what was found so far.
        with contextlib.suppress(IndexError, ValueError, RecursionError):
            self._document()

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    # -- recording

    def _line(self) -> int:
        return self.text.count("\n", 0, self.pos) + 1

    def _record(self, path: tuple[str | int, ...], line: int) -> None:
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)

    # -- scanning

    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def _skip(self, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def _document(self) -> None:
        table: tuple[str | int, ...] = ()
        while True:
            self._skip(newlines=True)
            if self.pos >= len(self.text):
                return
            line = self._line()
            if self._peek(2) == "[[":
                self.pos += 2
                table = self._key()
                self.pos = self.text.index("]]", self.pos) + 2
                self._record(table, line)
            elif self._peek() == "[":
                self.pos += 1
                table = self._key()
                self.pos = self.text.index("]", self.pos) + 1
                self._record(table, line)
            else:
                self._pair(table)

    def _pair(self, table: tuple[str | int, ...]) -> None:
        line = self._line()
        path = table + self._key()
        self._record(path, line)
        self._skip(newlines=False)
        if self._peek() != "=":
            raise ValueError("expected '='")
        self.pos += 1
        self._value(path)

    def _key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self._skip(newlines=False)
            c = self._peek()
            if c == '"':
                parts.append(self._basic_string())
            elif c == "'":
                end = self.text.index("'", self.pos + 1)
                parts.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                match = _BARE_KEY_RE.match(self.text, self.pos)
                if match is None:
                    raise ValueError("expected a key")
                parts.append(match.group())
                self.pos = match.end()
            self._skip(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self.pos += 1

    def _basic_string(self) -> str:
        start = self.pos
        self.pos += 1
        while self.text[self.pos] != '"':
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        self.pos += 1
        raw = self.text[start : self.pos]
        try:
            parsed = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            return raw[1:-1]
        return str(parsed)

    def _value(self, path: tuple[str | int, ...]) -> None:
        self._skip(newlines=False)
        text = self.text
        if self._peek(3) in ('"""', "'''"):
            quote = self._peek(3)
            self.pos += 3
            while text[self.pos : self.pos + 3] != quote:
                self.pos += 2 if quote == '"""' and text[self.pos] == "\\" else 1
            self.pos += 3
            while self._peek() == quote[0]:  # up to two quotes may end the content
                self.pos += 1
        elif self._peek() == '"':
            self._basic_string()
        elif self._peek() == "'":
            self.pos = text.index("'", self.pos + 1) + 1
        elif self._peek() == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip(newlines=True)
                if self._peek() == "]":
                    self.pos += 1
                    return
                self._record((*path, index), self._line())
                self._value((*path, index))
                index += 1
                self._skip(newlines=True)
                if self._peek() == ",":
                    self.pos += 1
        elif self._peek() == "{":
            self.pos += 1
            while True:
                self._skip(newlines=True)
                if self._peek() == "}":
                    self.pos += 1
                    return
                self._pair(path)
                self._skip(newlines=True)
                if self._peek() == ",":
                    self.pos += 1
        else:
            match = _BARE_VALUE_RE.match(text, self.pos)
            if match is None or match.end() == self.pos:
                raise ValueError("expected a value")
            self.pos = match.end()


# --------------------------------------------------------------------------------------------
# Loading


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    message = str(getattr(exc, "msg", "") or exc)
    line: int | None = getattr(exc, "lineno", None)
    col: int | None = getattr(exc, "colno", None)
    match = _TOML_WHERE_RE.match(str(exc))
    if match is not None:
        message = match["msg"]
        if line is None and match["line"] is not None:
            line, col = int(match["line"]), int(match["col"])
        if line is None:  # at end of document
            line = max(1, len(text.splitlines()))
    where = f" (column {col})" if col is not None else ""
    return ConfigError(path, f"invalid TOML: {message}{where}", line)


def parse_config(text: str, path: Path) -> ParleyConfig:
    """Parse and validate config text; `path` is only used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, text, exc) from None
    except RecursionError:
        raise ConfigError(path, "invalid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        why = "a number has too many digits" if "digits" in str(exc) else str(exc)
        raise ConfigError(path, f"invalid TOML: {why}") from None
    try:
        return ParleyConfig.model_validate(data)
    except ValidationError as exc:
        locator = _Locator(text)
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
