"""Recurring review times: the rule, its next occurrence, and its description in words.

This module owns what "every month on the 10th working day at 10:00" means. It is pure (no I/O,
no Slack, no clock): callers pass ``after`` as an aware instant and get aware UTC instants
back. Reading people's words into a rule is ``bot.domain.recurrence_words``;
``bot.domain.when`` builds on both for the whole ``/review schedule`` language.

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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, cast
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.domain.calendar import WorkCalendar

__all__ = [
    "DEFAULT_TIME",
    "MAX_POSITION",
    "NTH_WEEKDAYS",
    "Period",
    "Recurrence",
    "Shape",
    "describe",
    "next_occurrence",
    "next_plain",
    "shape_of",
]

Period = Literal["month", "quarter"]

DEFAULT_TIME = time(10, 0)
"""The time of day used when the text gives none."""

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_QUARTER_MONTHS = (1, 4, 7, 10)
# Largest positions a period can have: 23 weekdays in a month, 66 in a quarter.
MAX_POSITION: dict[str, int] = {"month": 23, "quarter": 66}
# Positions of a weekday within a month: 1st..5th, last, 2nd to last.
NTH_WEEKDAYS = (1, 2, 3, 4, 5, -1, -2)
# How far next_occurrence looks for a period that has the asked-for working day.
_SEARCH_YEARS = 10


# ------------------------------------------------------------------------------ the rule


@dataclass(frozen=True, slots=True)
class Shape:
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


def _period_shape(period: Period, hour: int, minute: int) -> Shape:
    if period == "month":
        return Shape("MONTHLY", hour=hour, minute=minute)
    return Shape("YEARLY", quarterly=True, hour=hour, minute=minute)


def _read_shape(text: str) -> Shape:
    """The ``Shape`` of a canonical RRULE body; ``ValueError`` for anything else."""
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
    shape = Shape(
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


def _check_plain(shape: Shape, start: date | None) -> None:
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
    by_weekday = len(shape.days) == 1 and shape.days[0][0] in NTH_WEEKDAYS
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
        if self.period not in MAX_POSITION:
            raise ValueError(f"period must be 'month' or 'quarter', not {self.period!r}")
        limit = MAX_POSITION[self.period]
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
        return next_plain(rec.rrule, rec.start, after, tz)
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


def next_plain(rule: str, start: date | None, after: datetime, tz: ZoneInfo) -> datetime:
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


def shape_of(rec: Recurrence) -> Shape:
    """The rule's RRULE read into its parts, for whoever words it (the adapter, per reader)."""
    return _read_shape(rec.rrule)


def describe(rec: Recurrence) -> str:
    """The canonical English reading, e.g. "every month on the 10th working day at 10:00":
    what the export and logs carry. A person reads it in their language from the adapter
    (`bot/commands/render_review_times.py: rule_text`).

    The reading parses back (``recurrence_words.parse_recurrence``) to the same rule, apart
    from ``start``.
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
