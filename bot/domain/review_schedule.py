"""Reading what people type about reviews: R-n and T-n, ``/review schedule`` text and an
action item's due date.

* ``read_schedule`` reads ``<title> [with @user …] <when> [report within N working days]
  [meeting within M working days] [in <Area/City>]`` (the time language is
  ``bot.domain.when``'s) in the scheduling person's zone, refusing what it cannot read;
* ``read_due`` splits ``<due> <text>`` of ``/review action``;
* ``check_dates`` refuses impossible calendar dates wherever they are written, and
  ``zone_named`` names an IANA zone or says how to.

Pure: no store, no clock (``now`` is an argument). The workflow that acts on a reading is
``bot.workflows.reviews``.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput
from bot.domain.marks import N_
from bot.domain.recurrence import Recurrence
from bot.domain.recurrence_words import ZH_NUMBER, cn_number
from bot.domain.when import (
    When,
    _InThePast,
    parse_when,
    split_title_and_when,
)

HORIZON = timedelta(days=731)
"""A review must have an occurrence within two years."""
DEFAULT_REPORT_WITHIN = 5
DEFAULT_MEETING_WITHIN = 10
MAX_DEADLINE = 23  # working days a month can have


def _parse_number(text: str, prefix: str, refusal: str) -> int:
    raw = text.strip().upper().removeprefix(prefix).strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput(refusal, text=text.strip()[:40])
    return int(raw)


def parse_review_number(text: str) -> int:
    """`R-3`, `r3`, `R 3` or `3` → 3; anything else is refused with how to write it."""
    return _parse_number(text, "R", "review.bad_id")


def parse_action_number(text: str) -> int:
    """`T-4`, `t4` or `4` → 4; anything else is refused with how to write it."""
    return _parse_number(text, "T", "review.bad_action_id")


def zone_named(name: str, *, from_profile: bool = False) -> ZoneInfo:
    """The IANA zone called ``name``; ``InvalidInput`` saying how to name one if unknown."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        shown = name.strip()[:60]
        if from_profile:
            raise InvalidInput("review.profile_zone_unknown", zone=shown) from None
        raise InvalidInput("review.zone_unknown", zone=shown) from None


@dataclass(frozen=True)
class Schedule:
    """A reading of ``/review schedule`` text: ``head`` is what precedes the time (the title
    and any ``with @user …``), ``when`` the time read in the zone ``when.tz``."""

    head: str
    when: When
    report_within: int | None = None
    meeting_within: int | None = None


_ZONE_TAIL = re.compile(
    r"(?:\s+(?:in|tz)\s+|\s*[(（])(?P<tz>[A-Za-z][\w+\-]*(?:/[\w+\-]+){1,2}|UTC|GMT)\s*[)）]?\s*$",
    re.IGNORECASE,
)
_DEADLINE_TAIL = re.compile(
    r"(?:^|[\s,;，；]+)(?:and\s+|with\s+)?(?:the\s+)?"
    r"(?:(?P<what>(?:service\s+)?report|meeting)\s+within\s+(?P<n>\d{1,3})\s+"
    r"(?:working\s+|business\s+|work\s+)?days?|(?P<both>(?:the\s+)?(?:usual\s+|standard\s+)?deadlines))"
    r"\s*[,;.]?\s*$",
    re.IGNORECASE,
)
_MONTH_WORDS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_ZH_DATE = re.compile(rf"(?:(\d{{4}})年)?({ZH_NUMBER})月({ZH_NUMBER})[日号號]")


class Month(Enum):
    """A month of the year, as a refusal names it (by its label)."""

    JANUARY = 1
    FEBRUARY = 2
    MARCH = 3
    APRIL = 4
    MAY = 5
    JUNE = 6
    JULY = 7
    AUGUST = 8
    SEPTEMBER = 9
    OCTOBER = 10
    NOVEMBER = 11
    DECEMBER = 12

    @property
    def label(self) -> str:
        """The month's English name, marked for translation where the refusal is said."""
        return _MONTH_LABELS[self.value - 1]


_MONTH_LABELS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def _check_date(year: int | None, month: int | None, day: int | None) -> None:
    if month is None or day is None or not 1 <= month <= 12:
        return
    last = month_calendar.monthrange(year or 2028, month)[1]  # 2028: a leap year
    if not 1 <= day <= last:
        if year:
            raise InvalidInput("review.no_such_date_in", day=day, month=Month(month), year=year)
        raise InvalidInput("review.no_such_date", day=day, month=Month(month))


def check_dates(text: str) -> None:
    """Refuse impossible calendar dates (``Feb 30``, ``2月30日``) wherever they are written,
    rather than let a reader skip the month and take the day alone."""
    for m in _MONTH_DAY.finditer(text):
        _check_date(None, _MONTH_WORDS[m.group(1)[:3].lower()], int(m.group(2)))
    for m in _DAY_MONTH.finditer(text):
        _check_date(None, _MONTH_WORDS[m.group(2)[:3].lower()], int(m.group(1)))
    for m in _ISO_DATE.finditer(text):
        _check_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in _ZH_DATE.finditer(text):
        year = int(m.group(1)) if m.group(1) else None
        _check_date(year, cn_number(m.group(2)), cn_number(m.group(3)))


def is_monthly(rule: Recurrence | None) -> bool:
    """Whether a rule repeats every month (working-day or calendar-day rules alike)."""
    if rule is None:
        return False
    if rule.period is not None:
        return rule.period == "month"
    return rule.rrule.startswith("FREQ=MONTHLY;") and "INTERVAL=" not in rule.rrule


def read_schedule(
    text: str,
    *,
    now: datetime,
    profile_tz: str | None,
    default_tz: str,
    calendar: WorkCalendar,
) -> Schedule:
    """Read ``/review schedule`` text said at ``now``.

    The time is read in the zone named at the end (``in Europe/Berlin``), else the person's
    Slack zone (``profile_tz``), else ``default_tz``. Trailing ``report within N working
    days`` / ``meeting within M working days`` (or ``with deadlines``: 5 and 10) set a
    monthly review's deadlines. Raises ``InvalidInput`` with examples for an unknown zone,
    an impossible date, a time that cannot be read or is past, a rule whose first occurrence
    is more than two years away, deadlines on a review that is not monthly, and a missing
    title.
    """
    rest = text.strip()
    if not rest:
        raise InvalidInput("review.what_to_schedule")
    zone_match = _ZONE_TAIL.search(rest)
    if zone_match is not None:
        name = zone_match.group("tz")
        tz = zone_named("UTC" if name.upper() in ("UTC", "GMT") else name)
        rest = rest[: zone_match.start()].rstrip()
    elif profile_tz:
        tz = zone_named(profile_tz, from_profile=True)
    else:
        tz = zone_named(default_tz)
    report_within: int | None = None
    meeting_within: int | None = None
    while (found := _DEADLINE_TAIL.search(rest)) is not None and found.start() > 0:
        if found.group("both"):
            report_within = report_within or DEFAULT_REPORT_WITHIN
            meeting_within = meeting_within or DEFAULT_MEETING_WITHIN
        else:
            days = int(found.group("n"))
            if not 1 <= days <= MAX_DEADLINE:
                raise InvalidInput("review.deadline_range", limit=MAX_DEADLINE)
            if found.group("what").lower().endswith("report"):
                report_within = days
            else:
                meeting_within = days
        rest = rest[: found.start()].rstrip(" ,;，；")
    check_dates(rest)
    try:
        head, when = split_title_and_when(rest, now=now, tz=tz, calendar=calendar)
    except ValueError:
        raise _never(rest) from None
    if when.at - now > HORIZON:
        raise _never(rest[len(head) :].strip(" ,:;-–—|") or rest, first=when)
    if (report_within or meeting_within) and not is_monthly(when.recurrence):
        raise InvalidInput("review.deadlines_monthly_only")
    return Schedule(head, when, report_within, meeting_within)


def read_meeting_time(
    text: str,
    *,
    now: datetime,
    profile_tz: str | None,
    default_tz: str,
    calendar: WorkCalendar,
) -> When:
    """Read the one-off time of ``/dispute meet D-n <when>`` said at ``now``, in the zone named
    at the end (``in Europe/Berlin``), else the person's Slack zone, else ``default_tz``.

    A meeting of a dispute happens once: a repeating time is refused (``dispute.meeting_once``),
    as are a time that cannot be read, an impossible date, a past time and one more than two
    years away."""
    rest = text.strip()
    if not rest:
        raise InvalidInput("dispute.meeting_when")
    zone_match = _ZONE_TAIL.search(rest)
    if zone_match is not None:
        name = zone_match.group("tz")
        tz = zone_named("UTC" if name.upper() in ("UTC", "GMT") else name)
        rest = rest[: zone_match.start()].rstrip()
    elif profile_tz:
        tz = zone_named(profile_tz, from_profile=True)
    else:
        tz = zone_named(default_tz)
    check_dates(rest)
    try:
        when = parse_when(rest, now=now, tz=tz, calendar=calendar)
    except InvalidInput as error:
        if error.code == "recurrence.unreadable":
            raise InvalidInput("dispute.meeting_once") from None
        if error.code == "time.unreadable":
            raise InvalidInput("dispute.meeting_unreadable", text=rest[:120]) from None
        raise
    if when.recurrence is not None:
        raise InvalidInput("dispute.meeting_once")
    if when.at - now > HORIZON:
        raise InvalidInput("dispute.meeting_too_far", text=rest[:120])
    return when


def _never(text: str, first: When | None = None) -> InvalidInput:
    if first is None:
        return InvalidInput("review.never", text=text[:120])
    zone = ZoneInfo(first.tz)
    return InvalidInput(
        "review.never_soon", text=text[:120], first=first.at.astimezone(zone), zone=zone.key
    )


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def read_due(text: str, *, now: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> tuple[When, str]:
    """Split ``<due> <text>`` of ``/review action``: the longest leading part that reads as a
    one-off time (``Dec 18``, ``next Friday 5pm``, ``下周五``), and the text after it.

    Raises ``InvalidInput`` when no leading part reads as a time, when it is a repeating
    time or in the past, and when no text follows.
    """
    whole = text.strip()
    check_dates(whole)
    ends: set[int] = set()
    for match in re.finditer(r"\S+", whole):
        ends.add(match.end())
        if match.start() > 80:
            break
    for i, char in enumerate(whole[:40]):
        if _CJK.match(char):
            ends.add(i + 1)
    for end in sorted(ends, reverse=True):
        candidate = whole[:end].rstrip(" :,;-–—|")
        if not candidate:
            continue
        try:
            when = parse_when(candidate, now=now, tz=tz, calendar=calendar)
        except _InThePast:
            raise
        except (InvalidInput, ValueError):
            continue
        if when.recurrence is not None:
            raise InvalidInput("review.due_repeats")
        rest = whole[end:].strip().lstrip(":,;-–—| ").strip()
        if not rest:
            raise InvalidInput("review.due_what")
        return when, rest
    raise InvalidInput("review.due_unreadable", text=whole[:80])
