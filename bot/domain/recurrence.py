"""Recurring review times: the rule, its reading in English and Chinese, and its next occurrence.

This module owns what "every month on the 10th working day at 10:00" means. It is pure (no I/O,
no Slack, no clock): callers pass ``now`` / ``after`` as aware instants and get aware UTC
instants back. ``bot.domain.when`` builds on it for the whole ``/review schedule`` language.

A ``Recurrence`` is stored as an RFC 5545 RRULE body (``dateutil.rrule``) plus, for rules that
count working days, the position ``working_day`` (1 = first, -1 = last) within each ``period``
("month", or "quarter" counted from 1 Jan / 1 Apr / 1 Jul / 1 Oct) on the configured holiday
calendar. Plain ``BYSETPOS`` would count weekdays, not working days (the 10th weekday of
October 2025 is the 14th; the 10th CN working day is the 21st), so for working-day rules the
RRULE only names the periods (``FREQ=MONTHLY`` or ``FREQ=YEARLY;BYMONTH=1,4,7,10``) and the
day inside each period comes from the calendar.

Readings and defaults (documented for users in the ``/review`` help):

* no time given: 10:00 local time;
* ``weekly`` / ``every week`` / ``每周`` with no day: the weekday of ``now``;
* ``monthly`` / ``every month`` / ``每月``: the 1st working day of each month;
* ``quarterly`` / ``every quarter`` / ``每季度``: the 1st working day of each quarter;
* ``every month on the 15th`` is the calendar day (weekend or not); months without that day
  are skipped, as RFC 5545 says. Say "working day" to count working days;
* a working-day position that a month (or quarter) does not have is skipped for that period;
* ``every 2 weeks`` / ``every 2 months`` count from the first occurrence after ``now``
  (kept in ``Recurrence.start``).

Hours and minutes are local wall-clock time in the schedule's zone: a weekly 09:30 in
Europe/Berlin stays 09:30 across the end of summer time. A wall-clock time that does not exist
(spring-forward gap) moves forward by the gap; one that exists twice takes the earlier instant,
as ``WorkCalendar`` does.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, cast
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput

__all__ = [
    "DEFAULT_TIME",
    "RECURRENCE_EXAMPLES",
    "Period",
    "Recurrence",
    "describe",
    "next_occurrence",
    "parse_recurrence",
]

Period = Literal["month", "quarter"]

DEFAULT_TIME = time(10, 0)
"""The time of day used when the text gives none."""

RECURRENCE_EXAMPLES = (
    "every Monday 9:30",
    "every 2 weeks on Friday at 16:00",
    "every month on the 10th working day at 10:00",
    "每月第10个工作日上午10点",
)
"""What a refusal of a repeating time suggests instead."""

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_QUARTER_MONTHS = (1, 4, 7, 10)
# Largest positions a period can have: 23 weekdays in a month, 66 in a quarter.
_MAX_POSITION: dict[str, int] = {"month": 23, "quarter": 66}
# Positions of a weekday within a month: 1st..5th, last, 2nd to last.
_NTH_WEEKDAYS = (1, 2, 3, 4, 5, -1, -2)
# How far next_occurrence looks for a period that has the asked-for working day.
_SEARCH_YEARS = 10


# ------------------------------------------------------------------------------ the rule


@dataclass(frozen=True, slots=True)
class _Shape:
    """The RRULE forms Parley writes and reads back (and can describe in words)."""

    freq: Literal["WEEKLY", "MONTHLY", "YEARLY"]
    interval: int = 1
    quarterly: bool = False  # YEARLY;BYMONTH=1,4,7,10
    monthday: int | None = None  # BYMONTHDAY (1..31 or -1 = last day)
    days: tuple[tuple[int, int], ...] = ()  # BYDAY as (position or 0, weekday 0 = Monday)
    hour: int = 10
    minute: int = 0

    def rrule(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.quarterly:
            parts.append("BYMONTH=" + ",".join(str(m) for m in _QUARTER_MONTHS))
        if self.monthday is not None:
            parts.append(f"BYMONTHDAY={self.monthday}")
        if self.days:
            parts.append("BYDAY=" + ",".join(_byday(n, wd) for n, wd in self.days))
        parts.append(f"BYHOUR={self.hour}")
        parts.append(f"BYMINUTE={self.minute}")
        return ";".join(parts)


def _byday(n: int, weekday: int) -> str:
    return f"{n:+d}{_WEEKDAY_CODES[weekday]}" if n else _WEEKDAY_CODES[weekday]


def _period_shape(period: Period, hour: int, minute: int) -> _Shape:
    if period == "month":
        return _Shape("MONTHLY", hour=hour, minute=minute)
    return _Shape("YEARLY", quarterly=True, hour=hour, minute=minute)


def _read_shape(text: str) -> _Shape:
    """The ``_Shape`` of a canonical RRULE body; ``ValueError`` for anything else."""
    parts: dict[str, str] = {}
    for item in text.split(";"):
        key, sep, value = item.partition("=")
        if not sep or key in parts:
            raise ValueError(f"malformed RRULE {text!r}")
        parts[key] = value
    try:
        freq = parts.pop("FREQ")
        hour, minute = int(parts.pop("BYHOUR")), int(parts.pop("BYMINUTE"))
        interval = int(parts.pop("INTERVAL", "1"))
        quarterly = parts.pop("BYMONTH", None)
        monthday_text = parts.pop("BYMONTHDAY", None)
        days_text = parts.pop("BYDAY", None)
    except KeyError as exc:
        raise ValueError(f"RRULE {text!r} lacks {exc.args[0]}") from None
    if parts:
        raise ValueError(f"RRULE {text!r}: unsupported parts {sorted(parts)}")
    if freq not in ("WEEKLY", "MONTHLY", "YEARLY"):
        raise ValueError(f"RRULE {text!r}: unsupported FREQ")
    if quarterly is not None and quarterly != "1,4,7,10":
        raise ValueError(f"RRULE {text!r}: BYMONTH must name the quarters (1,4,7,10)")
    days: list[tuple[int, int]] = []
    for code in [] if days_text is None else days_text.split(","):
        match = re.fullmatch(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)", code)
        if match is None:
            raise ValueError(f"RRULE {text!r}: bad BYDAY {code!r}")
        days.append((int(match.group(1) or 0), _WEEKDAY_CODES.index(match.group(2))))
    shape = _Shape(
        freq=cast(Literal["WEEKLY", "MONTHLY", "YEARLY"], freq),
        interval=interval,
        quarterly=quarterly is not None,
        monthday=None if monthday_text is None else int(monthday_text),
        days=tuple(days),
        hour=hour,
        minute=minute,
    )
    if shape.rrule() != text:
        raise ValueError(f"RRULE {text!r} is not in canonical form {shape.rrule()!r}")
    return shape


def _check_plain(shape: _Shape, start: date | None) -> None:
    """Plain (non-working-day) rules must pin down their days without a DTSTART."""
    if not (0 <= shape.hour <= 23 and 0 <= shape.minute <= 59):
        raise ValueError("hour must be 0..23 and minute 0..59")
    if shape.interval < 1:
        raise ValueError("INTERVAL must be positive")
    if shape.interval > 1 and start is None:
        raise ValueError("a rule with INTERVAL > 1 needs a start date to count from")
    if shape.monthday is not None and not (1 <= shape.monthday <= 31 or shape.monthday == -1):
        raise ValueError("BYMONTHDAY must be 1..31 or -1")
    if shape.freq == "WEEKLY":
        ok = bool(shape.days) and all(n == 0 for n, _ in shape.days)
        ok = ok and shape.monthday is None and not shape.quarterly
        if not ok or len(set(shape.days)) != len(shape.days):
            raise ValueError("a weekly rule names its weekdays (BYDAY=MO,TH)")
        return
    if shape.freq == "YEARLY" and (not shape.quarterly or shape.interval != 1):
        raise ValueError("yearly rules are only the quarterly form (BYMONTH=1,4,7,10)")
    if shape.freq == "MONTHLY" and shape.quarterly:
        raise ValueError("a monthly rule takes no BYMONTH")
    by_weekday = len(shape.days) == 1 and shape.days[0][0] in _NTH_WEEKDAYS
    by_monthday = shape.monthday is not None and not shape.days
    if by_weekday == by_monthday:
        raise ValueError("a monthly or quarterly rule needs BYMONTHDAY or one BYDAY like 2TU")


@dataclass(frozen=True, slots=True)
class Recurrence:
    """When a review repeats.

    ``rrule`` is an RFC 5545 RRULE body without DTSTART (``FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;
    BYHOUR=16;BYMINUTE=0``), always in the canonical form this module writes. For working-day
    rules ``working_day`` is the position (1 = first, -1 = last) within each ``period`` and
    the RRULE only names the periods. ``hour``/``minute`` are local wall-clock time (the same
    as the RRULE's BYHOUR/BYMINUTE). ``start`` is the local date an ``INTERVAL > 1`` rule
    counts from (its first occurrence), ``None`` otherwise.

    Raises ``ValueError`` when the fields do not describe a rule Parley can run.
    """

    rrule: str
    working_day: int | None
    period: Period | None
    hour: int
    minute: int
    start: date | None = None

    def __post_init__(self) -> None:
        shape = _read_shape(self.rrule)
        if (shape.hour, shape.minute) != (self.hour, self.minute):
            raise ValueError("hour and minute must match the RRULE's BYHOUR and BYMINUTE")
        if (self.working_day is None) != (self.period is None):
            raise ValueError("working_day and period go together")
        if self.period is None:
            _check_plain(shape, self.start)
            return
        if self.period not in _MAX_POSITION:
            raise ValueError(f"period must be 'month' or 'quarter', not {self.period!r}")
        limit = _MAX_POSITION[self.period]
        if self.working_day is None or not (1 <= abs(self.working_day) <= limit):
            raise ValueError(f"working_day must be 1..{limit} or -1..-{limit}")
        if shape != _period_shape(self.period, self.hour, self.minute) or self.start:
            raise ValueError("a working-day rule's RRULE names only its periods")

    @classmethod
    def working_days(cls, n: int, period: Period, at: time = DEFAULT_TIME) -> Recurrence:
        """The n-th working day (-1 = last) of each month or quarter, at local time ``at``."""
        rule = _period_shape(period, at.hour, at.minute).rrule()
        return cls(rule, n, period, at.hour, at.minute)

    def to_storage(self) -> str:
        """A compact, stable JSON text for one database column (see ``from_storage``)."""
        record = {
            "v": 1,
            "rrule": self.rrule,
            "working_day": self.working_day,
            "period": self.period,
            "hour": self.hour,
            "minute": self.minute,
            "start": None if self.start is None else self.start.isoformat(),
        }
        return json.dumps(record, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_storage(cls, text: str) -> Recurrence:
        """The ``Recurrence`` that ``to_storage`` wrote; ``ValueError`` for anything else."""
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a stored recurrence: {exc}") from None
        expected = {"v", "rrule", "working_day", "period", "hour", "minute", "start"}
        if not isinstance(record, dict) or set(record) != expected or record["v"] != 1:
            raise ValueError("not a stored recurrence (version 1)")
        rule, n, period = record["rrule"], record["working_day"], record["period"]
        hour, minute, start = record["hour"], record["minute"], record["start"]
        if not (
            isinstance(rule, str)
            and (n is None or type(n) is int)
            and period in (None, "month", "quarter")
            and type(hour) is int
            and type(minute) is int
            and (start is None or isinstance(start, str))
        ):
            raise ValueError("a stored recurrence has a field of the wrong type")
        return cls(
            rule,
            n,
            cast(Period | None, period),
            hour,
            minute,
            None if start is None else date.fromisoformat(start),
        )


# ------------------------------------------------------------------------ next occurrence


def next_occurrence(
    rec: Recurrence, *, after: datetime, tz: ZoneInfo, calendar: WorkCalendar
) -> datetime:
    """The first occurrence of ``rec`` strictly after the aware instant ``after``, in UTC.

    Hour and minute are wall-clock time in ``tz``. Working-day rules take the n-th working
    day of each month (or quarter, from its first day) on ``calendar``, skipping periods that
    have fewer working days; plain rules follow the RRULE. Raises ``ValueError`` for a naive
    ``after`` or a working-day rule with no occurrence in the next ten years.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError(f"need an aware datetime, got naive {after!r}")
    if rec.period is None:
        return _next_plain(rec.rrule, rec.start, after, tz)
    assert rec.working_day is not None  # Recurrence guarantees it
    clock = time(rec.hour, rec.minute)
    local = after.astimezone(tz).date()
    year, month = local.year, local.month
    if rec.period == "quarter":
        month = 3 * ((month - 1) // 3) + 1
    step = 3 if rec.period == "quarter" else 1
    for _ in range(_SEARCH_YEARS * 12 // step):
        day = _nth_in_period(calendar, year, month, step, rec.working_day)
        if day is not None:
            candidate = _instant(day, clock, tz)
            if candidate > after:
                return candidate
        year, month = (year + 1, month + step - 12) if month + step > 12 else (year, month + step)
    raise ValueError(f"no occurrence of {describe(rec)!r} within {_SEARCH_YEARS} years")


def _nth_in_period(
    calendar: WorkCalendar, year: int, month: int, months: int, n: int
) -> date | None:
    days: list[date] = []
    for m in range(month, month + months):
        days.extend(calendar.working_days_in_month(year, m))
    if abs(n) > len(days):
        return None
    return days[n - 1] if n > 0 else days[n]


def _instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock ``clock`` on ``day`` as UTC (gap: moved forward; overlap: earlier)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _next_plain(rule: str, start: date | None, after: datetime, tz: ZoneInfo) -> datetime:
    shape = _read_shape(rule)
    local_after = after.astimezone(tz).replace(tzinfo=None)
    # The canonical rules pin down their days, so any DTSTART before ``after`` gives the same
    # occurrences; only INTERVAL > 1 counts from ``start``.
    anchor = start if start is not None else local_after.date() - timedelta(days=7)
    dtstart = datetime.combine(anchor, time(shape.hour, shape.minute))
    compiled = rrulestr(rule, dtstart=dtstart)
    assert isinstance(compiled, rrule)
    # Local and UTC order can differ by the zone's offset change: start a day early.
    for candidate in compiled.xafter(local_after - timedelta(days=1), inc=True):
        instant = candidate.replace(tzinfo=tz).astimezone(UTC)
        if instant > after:
            return instant
    raise ValueError(f"RRULE {rule!r} has no occurrence after {after.isoformat()}")


# ------------------------------------------------------------------------------ describe


def describe(rec: Recurrence) -> str:
    """The canonical English reading, e.g. "every month on the 10th working day at 10:00".

    The reading parses back (``parse_recurrence``) to the same rule, apart from ``start``.
    """
    clock = f"at {rec.hour:02d}:{rec.minute:02d}"
    if rec.period is not None and rec.working_day is not None:
        return f"every {rec.period} on the {_position(rec.working_day)} working day {clock}"
    shape = _read_shape(rec.rrule)
    if shape.freq == "WEEKLY":
        days = _and_list([_WEEKDAY_NAMES[wd] for _, wd in shape.days])
        if shape.interval == 1:
            return f"every {days} {clock}"
        return f"every {shape.interval} weeks on {days} {clock}"
    if shape.monthday is not None:
        where = "the last day" if shape.monthday == -1 else f"the {_ordinal(shape.monthday)}"
    else:
        n, wd = shape.days[0]
        where = f"the {_position(n)} {_WEEKDAY_NAMES[wd]}"
    unit = "quarter" if shape.quarterly else "month"
    every = f"every {unit}" if shape.interval == 1 else f"every {shape.interval} {unit}s"
    return f"{every} on {where} {clock}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _position(n: int) -> str:
    if n == -1:
        return "last"
    return _ordinal(n) if n > 0 else f"{_ordinal(-n)} to last"


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------------ reading: words

_EN_DAY = {
    "mon": 0, "monday": 0, "mondays": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "tuesdays": 1,
    "wed": 2, "weds": 2, "wednesday": 2, "wednesdays": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "thursdays": 3,
    "fri": 4, "friday": 4, "fridays": 4,
    "sat": 5, "saturday": 5, "saturdays": 5,
    "sun": 6, "sunday": 6, "sundays": 6,
}  # fmt: skip
_EN_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_ZH_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip

_DAY_WORD = "|".join(sorted(_EN_DAY, key=len, reverse=True))
_EN_DAYS = rf"(?:{_DAY_WORD})(?:\s*(?:,\s*and|,|and|&)\s*(?:{_DAY_WORD}))*"
_ORD_WORD = "|".join(_EN_ORDINAL_WORDS)
_EN_ORD = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORD_WORD})"
_EN_POSITION = rf"(?:(?:{_EN_ORD})(?:\s+(?:to\s+)?last)?|last|penultimate)"
_WORKING_DAY = r"(?:working|business|work)\s*days?"

# English clock: 3pm, 3:30 pm, 15:00, noon, midnight.
EN_CLOCK = (
    r"(?:(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})"
    r"|(?P<word>noon|midday|midnight))"
)
_EN_TAIL = re.compile(rf"(?:^|[\s,]+)(?:(?:at\s+)?{EN_CLOCK}|at\s+(?P<hat>\d{{1,2}}))$")

# A number 0..99 in digits or Chinese numerals (read with cn_number).
ZH_NUMBER = r"(?:\d{1,2}|[零〇一二两三四五六七八九十]{1,3})"
_ZH_PERIOD = r"(?:凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间)"
# Chinese clock: 上午10点, 下午2点半, 9点一刻, 10点05分, 14时30分, 晚上8:00, 中午.
ZH_CLOCK = (
    rf"(?:(?P<zp>{_ZH_PERIOD})?(?:(?P<zh>{ZH_NUMBER})(?:点钟|点|時|时)"
    rf"(?:(?P<zhalf>半)|(?P<zq>一刻|三刻)|整|(?P<zm>{ZH_NUMBER})分?)?"
    rf"|(?P<zch>\d{{1,2}}):(?P<zcm>\d{{2}}))|(?P<znoon>中午))"
)
_ZH_DAYS = (
    r"(?:周|星期|礼拜)?[一二三四五六日天](?:[、,和及与]?(?:周|星期|礼拜)?[一二三四五六日天])*"
)


def normalize(text: str) -> str:
    """Text as the readers see it: NFKC (full-width digits and colons), lower case, single
    spaces, no trailing full stop."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip("。.! ").strip()


def cn_number(text: str) -> int | None:
    """0..99 written in digits or Chinese numerals (十二, 二十三, 两, 零五); else ``None``."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens_text, _, ones_text = text.partition("十")
        if len(tens_text) > 1 or len(ones_text) > 1 or "十" in ones_text:
            return None
        tens = _ZH_DIGITS.get(tens_text) if tens_text else 1
        ones = _ZH_DIGITS.get(ones_text) if ones_text else 0
        return None if tens is None or ones is None else tens * 10 + ones
    if len(text) == 2 and text[0] in "零〇":
        return _ZH_DIGITS.get(text[1])
    return _ZH_DIGITS.get(text) if len(text) == 1 else None


def en_clock(match: re.Match[str]) -> time | None:
    """The time of an ``EN_CLOCK`` match (or the ``hat`` hour of "at 9"); ``None`` if invalid."""
    groups = match.groupdict()
    if groups.get("word"):
        return time(0, 0) if groups["word"] == "midnight" else time(12, 0)
    if groups.get("h12"):
        hour, minute = int(groups["h12"]), int(groups["m12"] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if groups["ampm"] == "p" else 0)
    elif groups.get("h24"):
        hour, minute = int(groups["h24"]), int(groups["m24"])
    elif groups.get("hat"):
        hour, minute = int(groups["hat"]), 0
    else:
        return None
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def zh_clock(match: re.Match[str]) -> time | None:
    """The time of a ``ZH_CLOCK`` match; ``None`` if it is empty or not a real time.

    上午/早上/凌晨 keep the hour (0..12); 中午 is 11..12, or 1..2 in the afternoon; 下午,
    傍晚 and 晚上 add 12 to 1..11 and accept 13..23 as written (晚上12点 is refused: say 0点).
    Without a period word the hour is read on the 24-hour clock (3点 is 03:00).
    """
    groups = match.groupdict()
    if groups.get("znoon"):
        return time(12, 0)
    period = groups.get("zp")
    if groups.get("zch"):
        hour, minute = int(groups["zch"]), int(groups["zcm"])
    elif groups.get("zh"):
        parsed_hour = cn_number(groups["zh"])
        if parsed_hour is None:
            return None
        hour, minute = parsed_hour, 0
        if groups.get("zhalf"):
            minute = 30
        elif groups.get("zq"):
            minute = 15 if groups["zq"] == "一刻" else 45
        elif groups.get("zm"):
            parsed_minute = cn_number(groups["zm"])
            if parsed_minute is None:
                return None
            minute = parsed_minute
    else:
        return time(12, 0) if period == "中午" else None
    if period in ("凌晨", "早上", "早晨", "清晨", "上午"):
        ok = hour <= 12
    elif period == "中午":
        ok = hour in (11, 12, 1, 2)
        hour = hour + 12 if hour in (1, 2) else hour
    elif period in ("下午", "傍晚", "晚上", "夜里", "夜间"):
        ok = 1 <= hour <= 23 and not (hour == 12 and period != "下午")
        hour = hour + 12 if hour < 12 else hour
    else:
        ok = True
    return time(hour, minute) if ok and hour <= 23 and minute <= 59 else None


def starts_like_recurrence(text: str) -> bool:
    """Whether normalized ``text`` begins like a repeating time (so a one-off reading of it
    would be a misreading)."""
    return (
        re.match(r"(?:every|each|weekly|monthly|quarterly|bi-?weekly|fortnightly)\b|每|隔周", text)
        is not None
    )


# ---------------------------------------------------------------------- reading: rules


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the words said, before it becomes a ``Recurrence``."""

    unit: Literal["week", "month", "quarter"]
    interval: int = 1
    days: tuple[int, ...] = ()  # weekly: weekdays
    working_day: int | None = None
    monthday: int | None = None
    nth_weekday: tuple[int, int] | None = None  # (position, weekday)
    clock: time | None = None


def parse_recurrence(text: str, *, now: datetime, tz: ZoneInfo) -> Recurrence | None:
    """Read a repeating time in English or Chinese; ``None`` if ``text`` is not one.

    English: "every Monday 9:30", "every 2 weeks on Friday at 16:00", "every month on the
    15th", "every month on the 10th working day at 10:00", "every month on the last working
    day", "every quarter on the 5th working day", "weekly", "monthly", "quarterly", "every
    quarter", "every month on the 2nd Tuesday". Chinese: "每周一上午9点半", "每两周五下午4点",
    "每月第10个工作日上午10点", "每月最后一个工作日", "每月15号", "每季度第5个工作日". See the
    module docstring for defaults. ``now`` (aware) gives the default weekday and the first
    occurrence that ``every 2 …`` counts from.

    Raises ``InvalidInput`` (with examples) for text that starts like a repeating time
    ("every …", "每…") but cannot be read.
    """
    norm = normalize(text)
    if not starts_like_recurrence(norm):
        return None
    reading = _read_english(norm) or _read_chinese(norm.replace(" ", ""))
    if reading is None:
        raise InvalidInput(
            f"I couldn't read “{text.strip()}” as a repeating time. Try "
            + _examples(RECURRENCE_EXAMPLES)
            + "."
        )
    return _to_recurrence(reading, now=now, tz=tz)


def _examples(items: tuple[str, ...]) -> str:
    quoted = [f"`{item}`" for item in items]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _read_english(text: str) -> _Reading | None:
    clock: time | None = None
    tail = _EN_TAIL.search(text)
    if tail is not None:
        clock = en_clock(tail)
        if clock is None:
            return None
        text = text[: tail.start()].rstrip(" ,")
    reading = _read_english_body(text)
    if reading is None:
        return None
    return replace(reading, clock=clock)


def _read_english_body(text: str) -> _Reading | None:
    match = re.fullmatch(rf"(?:every|each) ({_EN_DAYS})", text)
    if match is not None:
        return _Reading("week", days=_en_days(match.group(1)))
    match = re.fullmatch(
        r"(?:(?:every|each) (?:(?P<n>\d{1,2}|other) )?(?P<unit>week|month|quarter|fortnight)s?"
        r"|(?P<ly>weekly|monthly|quarterly|bi-?weekly|fortnightly))(?P<rest>.*)",
        text,
    )
    if match is None:
        return None
    word = match.group("unit") or match.group("ly")
    count = match.group("n")
    interval = 1 if count is None else 2 if count == "other" else int(count)
    unit: Literal["week", "month", "quarter"]
    if word in ("fortnight", "fortnightly", "biweekly", "bi-weekly"):
        unit, interval = "week", 2 * interval
    else:
        unit = (
            "week"
            if word.startswith("week")
            else "month"
            if word.startswith("month")
            else "quarter"
        )
    rest = re.sub(r"^(?: ?,)? ?(?:on )?(?:the )?", "", match.group("rest"))
    rest = re.sub(r" (?:of|in) (?:the|each|every) (?:month|quarter)$", "", rest)
    if unit == "week":
        if rest == "":
            return _Reading("week", interval)
        if re.fullmatch(_EN_DAYS, rest):
            return _Reading("week", interval, days=_en_days(rest))
        return None
    if rest == "":
        return _Reading(unit, interval)
    match = re.fullmatch(rf"({_EN_POSITION}) {_WORKING_DAY}", rest)
    if match is not None:
        return _Reading(unit, interval, working_day=_en_position(match.group(1)))
    match = re.fullmatch(r"(?:day )?(\d{1,2})(?:st|nd|rd|th)?(?: day)?|(last) day", rest)
    if match is not None:
        return _Reading(unit, interval, monthday=-1 if match.group(2) else int(match.group(1)))
    match = re.fullmatch(rf"({_EN_POSITION}) ({_DAY_WORD})", rest)
    if match is not None:
        position = _en_position(match.group(1))
        return _Reading(unit, interval, nth_weekday=(position, _EN_DAY[match.group(2)]))
    return None


def _en_days(text: str) -> tuple[int, ...]:
    return tuple(_EN_DAY[word] for word in re.findall(_DAY_WORD, text))


def _en_position(text: str) -> int:
    if text in ("last", "penultimate"):
        return -1 if text == "last" else -2
    first, _, last = text.partition(" ")
    number = _EN_ORDINAL_WORDS.get(first) or int(re.sub(r"\D", "", first))
    return -number if last else number


def _read_chinese(text: str) -> _Reading | None:
    match = re.fullmatch(
        rf"(?:每(?P<n>{ZH_NUMBER})?个?|(?P<alt>隔))(?P<unit>周|星期|礼拜|月|季度|季)(?P<rest>.*)",
        text,
    )
    if match is None:
        return None
    interval = 2 if match.group("alt") else cn_number(match.group("n") or "1")
    if interval is None:
        return None
    word = match.group("unit")
    unit: Literal["week", "month", "quarter"]
    unit = "month" if word == "月" else "quarter" if word.startswith("季") else "week"
    if match.group("alt") and unit != "week":
        return None
    if unit == "week":
        body = rf"(?P<days>{_ZH_DAYS})?"
    else:
        body = (
            rf"(?:的?(?:第(?P<wd>{ZH_NUMBER})个?工作日|(?P<wlast>最后一个?工作日)"
            rf"|倒数第(?P<wneg>{ZH_NUMBER})个?工作日|(?P<md>{ZH_NUMBER})[号日]|(?P<mlast>最后一天)))?"
        )
    found = re.fullmatch(rf"{body}的?(?:{ZH_CLOCK})?", match.group("rest"))
    if found is None:
        return None
    clock: time | None = None
    if found.group("zp") or found.group("zh") or found.group("zch") or found.group("znoon"):
        clock = zh_clock(found)
        if clock is None:
            return None
    groups = found.groupdict()
    if unit == "week":
        days = tuple(_ZH_DAY[c] for c in re.findall("[一二三四五六日天]", groups["days"] or ""))
        return _Reading("week", interval, days=days, clock=clock)
    if groups["wd"] or groups["wneg"]:
        number = cn_number(groups["wd"] or groups["wneg"])
        if not number:
            return None
        position = number if groups["wd"] else -number
        return _Reading(unit, interval, working_day=position, clock=clock)
    if groups["wlast"]:
        return _Reading(unit, interval, working_day=-1, clock=clock)
    if groups["md"]:
        day = cn_number(groups["md"])
        return None if day is None else _Reading(unit, interval, monthday=day, clock=clock)
    if groups["mlast"]:
        return _Reading(unit, interval, monthday=-1, clock=clock)
    return _Reading(unit, interval, clock=clock)


def _to_recurrence(reading: _Reading, *, now: datetime, tz: ZoneInfo) -> Recurrence:
    clock = reading.clock or DEFAULT_TIME
    unit, interval = reading.unit, reading.interval

    def refuse(why: str) -> InvalidInput:
        return InvalidInput(f"{why} Try " + _examples(RECURRENCE_EXAMPLES) + ".")

    if interval < 1:
        raise refuse("A repeating time repeats at least every 1 week, month or quarter.")
    if unit == "quarter" and interval != 1:
        raise refuse("Quarterly reviews repeat every quarter.")
    working_day = reading.working_day
    if working_day is None and reading.monthday is None and reading.nth_weekday is None:
        working_day = 1 if unit != "week" else None  # monthly / quarterly default
    if unit != "week" and working_day is not None:
        if interval != 1:
            raise refuse("Working-day reviews repeat every month or every quarter.")
        period: Period = unit
        if not 1 <= abs(working_day) <= _MAX_POSITION[period]:
            raise refuse(f"A {period} has at most {_MAX_POSITION[period]} working days.")
        return Recurrence.working_days(working_day, period, clock)
    if unit == "week":
        days = reading.days or (now.astimezone(tz).weekday(),)
        shape = _Shape("WEEKLY", interval, days=tuple((0, d) for d in sorted(set(days))))
    elif reading.monthday is not None:
        if not (1 <= reading.monthday <= 31 or reading.monthday == -1):
            raise refuse("A day of the month is 1 to 31.")
        freq: Literal["MONTHLY", "YEARLY"] = "YEARLY" if unit == "quarter" else "MONTHLY"
        shape = _Shape(freq, interval, quarterly=unit == "quarter", monthday=reading.monthday)
    else:
        assert reading.nth_weekday is not None
        if reading.nth_weekday[0] not in _NTH_WEEKDAYS:
            raise refuse("A weekday of the month is the 1st to 5th, last or 2nd to last.")
        freq = "YEARLY" if unit == "quarter" else "MONTHLY"
        shape = _Shape(freq, interval, quarterly=unit == "quarter", days=(reading.nth_weekday,))
    shape = replace(shape, hour=clock.hour, minute=clock.minute)
    if interval == 1:
        return Recurrence(shape.rrule(), None, None, clock.hour, clock.minute)
    # Count "every 2 …" from the first occurrence of the every-1 rule after now.
    every_one = replace(shape, interval=1).rrule()
    first = _next_plain(every_one, None, now, tz).astimezone(tz).date()
    return Recurrence(shape.rrule(), None, None, clock.hour, clock.minute, first)
