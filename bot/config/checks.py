"""The config file's field checks, and how values and key paths are written in its messages.

Each check raises `problem(...)`, a pydantic error whose text `bot.config.load` reports word
for word; the annotated types here are what the models in `bot.config.models` are made of.
"""

from __future__ import annotations

import functools
import json
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Final, TypeVar
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from bot.config.locate import BARE_KEY_RE
from bot.domain.names import name_key

__all__ = [
    "MAX_PARTY_NAME",
    "MAX_STAGE_DAYS",
    "PROBLEM",
    "OptionalChannelId",
    "OptionalHolidayCalendar",
    "CooldownDays",
    "OptionalStageDays",
    "OptionalTeamId",
    "PartyName",
    "Questions",
    "Share",
    "StageDays",
    "TimeZoneName",
    "UserId",
    "dotted",
    "problem",
    "quote",
    "show",
    "table",
]

MAX_STAGE_DAYS: Final = 365
MAX_PARTY_NAME: Final = 80

_CHANNEL_RE: Final = re.compile(r"[CG][A-Z0-9]{2,}")
_USER_RE: Final = re.compile(r"[UW][A-Z0-9]{2,}")
_TEAM_RE: Final = re.compile(r"[TE][A-Z0-9]{2,}")
_HOLIDAY_EXAMPLES: Final = ("CN", "DE", "US", "GB", "JP")
_NOT_ZONES: Final = frozenset({"localtime", "posixrules"})

_T = TypeVar("_T")

# Error type used for every message this module writes itself; its ctx carries the text and,
# optionally, "at": the path of the key the problem belongs to (when that is not the error's loc).
PROBLEM: Final = "parley_config"


def problem(text: str, at: tuple[str | int, ...] | None = None) -> PydanticCustomError:
    ctx: dict[str, Any] = {"problem": text}
    if at is not None:
        ctx["at"] = at
    return PydanticCustomError(PROBLEM, "{problem}", ctx)


# --------------------------------------------------------------------------------------------
# Rendering values and paths for messages


def quote(text: str, limit: int = 60) -> str:
    """A string as a double-quoted, escaped, single-line literal (shortened if long)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


def show(value: object) -> str:
    """A TOML value, briefly, for a "got ..." hint."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
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
    return part if BARE_KEY_RE.fullmatch(part) else quote(part, limit=200)


def dotted(path: Sequence[str | int]) -> str:
    """``("parties", "Acme Networks", "ladder")`` -> ``parties."Acme Networks".ladder``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _key(part)
    return out


def table(path: Sequence[str | int]) -> str:
    """How a table is named in the file: ``[ladder]``, ``[parties."Acme"].ladder``."""
    if not path:
        return "the top level"
    head = 2 if path[0] in ("parties", "services") and len(path) >= 2 else 1
    text = f"[{dotted(path[:head])}]"
    rest = dotted(path[head:])
    if rest:
        text += rest if rest.startswith("[") else "." + rest
    return text


# --------------------------------------------------------------------------------------------
# Field validators


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise problem(f"must be a string (got {show(value)})")
    return value


def _slack_id(pattern: re.Pattern[str], what: str, example: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        text = _string(value)
        if not pattern.fullmatch(text):
            raise problem(f"{quote(text)} is not a Slack {what} id (like {example})")
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
        raise problem(
            f"must be a whole number of working days from 1 to {MAX_STAGE_DAYS} (got {show(value)})"
        )
    return value


StageDays = Annotated[int, BeforeValidator(_stage_days)]
OptionalStageDays = Annotated[int | None, BeforeValidator(_optional(_stage_days))]

#: The most questions a periodic survey's form may ask (a Slack modal holds 100 blocks; a
#: survey that long would not be answered).
MAX_SURVEY_QUESTIONS = 10
MAX_QUESTION_LENGTH = 150  # a radio group's label in a modal is at most 2,000; a question is a line
MAX_COOLDOWN_DAYS = 3650


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise problem(f"must be a number from 0 to 1, the share of cases asked (got {show(value)})")
    return float(value)


def _cooldown_days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COOLDOWN_DAYS:
        raise problem(
            f"must be a whole number of days from 0 to {MAX_COOLDOWN_DAYS} (got {show(value)})"
        )
    return value


def _questions(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise problem(f"must be an array of questions (got {show(value)})")
    if not 1 <= len(value) <= MAX_SURVEY_QUESTIONS:
        raise problem(f"must have from 1 to {MAX_SURVEY_QUESTIONS} questions (got {len(value)})")
    seen: set[str] = set()
    out: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise problem(f"question {index + 1} must be a non-empty string (got {show(item)})")
        text = " ".join(item.split())
        if len(text) > MAX_QUESTION_LENGTH:
            raise problem(
                f"question {index + 1} is {len(text)} characters; at most {MAX_QUESTION_LENGTH}"
            )
        if text.casefold() in seen:
            raise problem(f"question {index + 1} ({quote(text)}) is asked twice")
        seen.add(text.casefold())
        out.append(text)
    return tuple(out)


Share = Annotated[float, BeforeValidator(_share)]
CooldownDays = Annotated[int, BeforeValidator(_cooldown_days)]
Questions = Annotated[tuple[str, ...], BeforeValidator(_questions)]


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES)


def _time_zone(value: object) -> str:
    name = _string(value)
    zones = _time_zones()
    if name not in zones:
        hint = next((z for z in sorted(zones) if z.lower() == name.lower()), None)
        extra = f'; did you mean "{hint}"?' if hint else ' (use an IANA name like "Europe/Berlin")'
        raise problem(f"unknown time zone {quote(name)}{extra}")
    try:
        ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise problem(f"unknown time zone {quote(name)}") from exc
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
        raise problem(f"unknown holiday calendar {quote(code)}{extra}")
    return code


def _party_name(name: str) -> str:
    stripped = name.strip()
    if not stripped:
        raise problem("a party name must not be empty")
    if len(stripped) > MAX_PARTY_NAME:
        raise problem(f"a party name must be at most {MAX_PARTY_NAME} characters")
    if not name_key(stripped):
        raise problem("a party name must hold letters people can see, not only invisible ones")
    return stripped


PartyName = Annotated[str, AfterValidator(_party_name)]
TimeZoneName = Annotated[str, BeforeValidator(_time_zone)]
OptionalHolidayCalendar = Annotated[str | None, BeforeValidator(_optional(_holiday_calendar))]
