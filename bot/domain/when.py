"""The time language of ``/review schedule``: one-off times and recurrences, English and Chinese.

This module owns reading "next Tuesday 3pm", "明天上午10点" or "every month on the 10th working
day at 10:00" into a ``When`` (the next occurrence as an aware UTC instant, plus the
``Recurrence`` if it repeats), and reading it back to the user unambiguously. It is pure: no
I/O, no Slack, no clock (callers pass ``now``). Rules, defaults and the working-day arithmetic
of recurrences live in ``bot.domain.recurrence``.

Reading order (the first reader that accepts the whole text wins):

1. recurrences, English and Chinese (``parse_recurrence``); text starting with "every",
   "weekly", "每" … is never read as a one-off;
2. our Chinese one-off reader, because dateparser returns nothing for Chinese relative
   phrases (下周二下午3点, 明天上午10点, 12月3日下午2点半);
3. a bare clock time ("3pm", "15:00"): today if still ahead, else tomorrow (dateparser's
   ``PREFER_DATES_FROM="future"`` would move "3pm" said at 10:00 to tomorrow);
4. dateparser, for the English and absolute forms ("next Tuesday 3pm", "Dec 3 at 14:30").

Chinese one-off readings:

* 今天/明天/后天/大后天; ``周二``/``星期二`` alone is the next Tuesday whose time is still
  ahead (today included); ``本周二``/``这周二`` is the Tuesday of this week and ``下周二``
  the Tuesday of next week, weeks starting on Monday (said on Sunday 22 Nov 2026, 下周二 is
  24 Nov; said on Monday 23 Nov, it is 1 Dec);
* ``12月3日``/``2026年12月3日``: without a year, this year unless that day is already gone
  (today's date with a time already past is refused, not moved a year on; the same holds
  for dateparser's "Nov 22 9:00"); ``下个月3号``, ``本月3号``;
* clock words as in ``recurrence_words.zh_clock``: 上午10点, 下午2点半, 9点一刻, 10点05分, 14时30分,
  晚上8点, 中午 (12:00), 中午1点 (13:00); without 上午/下午 the hour is on the 24-hour clock.

With no time of day the default is 10:00 (``DEFAULT_TIME``), also for dateparser readings
without a time ("tomorrow", "Dec 3"). A one-off must be strictly after ``now``. When the
occurrence's year has no official working-day schedule on the calendar yet (China publishes
each year's in the previous autumn), ``When.unofficial_year`` says so, one-off or not.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.domain.calendar import WorkCalendar
from bot.domain.errors import InvalidInput
from bot.domain.recurrence import DEFAULT_TIME, Recurrence, describe, next_occurrence
from bot.domain.recurrence_words import (
    EN_CLOCK,
    ZH_CLOCK,
    ZH_NUMBER,
    cn_number,
    en_clock,
    normalize,
    parse_recurrence,
    starts_like_recurrence,
    zh_clock,
)

__all__ = [
    "DEFAULT_TIME",
    "Recurrence",
    "When",
    "describe",
    "describe_when",
    "format_occurrence",
    "next_occurrence",
    "parse_when",
    "split_title_and_when",
    "warm_up",
]

_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class When:
    """A reading of the time language.

    ``at`` is the one-off time or the first occurrence after ``now`` (aware, UTC);
    ``recurrence`` is ``None`` for a one-off; ``tz`` is the IANA zone the text was read in;
    ``unofficial_year`` is the year of ``at`` (local) when the calendar has no official
    working-day schedule for it yet, else ``None``.
    """

    at: datetime
    recurrence: Recurrence | None
    tz: str
    unofficial_year: int | None = None

    def __post_init__(self) -> None:
        if self.at.utcoffset() != timedelta(0):
            raise ValueError(f"When.at must be an aware UTC instant, got {self.at!r}")


class _Unreadable(InvalidInput):
    """No reader accepts the text."""


class _InThePast(InvalidInput):
    """The text reads as a time that is not after ``now``."""


# ------------------------------------------------------------------------------ public API


def parse_when(text: str, *, now: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> When:
    """Read a one-off time or a recurrence said at the aware instant ``now`` in zone ``tz``.

    Tries recurrences first (English and Chinese), then the Chinese one-off forms, then a bare
    clock time, then dateparser (see the module docstring). Raises ``InvalidInput``
    (``time.unreadable``, whose words give examples) when nothing reads the text, and
    ``time.in_the_past`` when a one-off is not in the future.
    """
    _require_aware(now)
    recurrence = parse_recurrence(text, now=now, tz=tz)
    if recurrence is not None:
        first = next_occurrence(recurrence, after=now, tz=tz, calendar=calendar)
        return _when(first, recurrence, tz, calendar)
    at = _read_once(text, now=now, tz=tz)
    if at is None:
        raise _Unreadable("time.unreadable", text=text.strip())
    if at <= now:
        raise _InThePast("time.in_the_past", text=text.strip(), at=at.astimezone(tz), zone=tz.key)
    return _when(at, None, tz, calendar)


def split_title_and_when(
    text: str, *, now: datetime, tz: ZoneInfo, calendar: WorkCalendar
) -> tuple[str, When]:
    """Split ``<title> [with @user …] <when>`` into the title part and the reading of its end.

    The when part is the longest suffix that reads as a time, starting at a word boundary or,
    for Chinese, at any character (``月度服务评审每月第10个工作日上午10点``). A leading word
    without letters that dateparser merely skips ("Sprint 3 tomorrow 10:00") stays in the
    title. Once a suffix starting with "every"/"each"/"每" fails to read, shorter suffixes
    count only as recurrences or Chinese readings, so "Review every day 10:00" is refused
    (with the reason) rather than scheduled at "10:00". Raises ``InvalidInput`` (with
    examples) when no suffix reads, when the longest one is in the past, or when the title
    part is empty.
    """
    _require_aware(now)
    whole = text.strip()
    first_error: InvalidInput | None = None
    locked = False
    for start in _candidate_starts(whole):
        candidate = whole[start:]
        try:
            when = parse_when(candidate, now=now, tz=tz, calendar=calendar)
        except _InThePast:
            raise
        except InvalidInput as error:
            if re.match(r"(?:every|each)\b|每", normalize(candidate)):
                locked = True
                first_error = first_error or error
            continue
        if locked and when.recurrence is None and not _has_cjk(candidate):
            continue
        start = _shrink(whole, start, when, now=now, tz=tz, calendar=calendar)
        title = whole[:start].rstrip(" ,:;-–—|")
        if not title:
            raise InvalidInput("time.no_title", text=whole)
        return title, when
    if first_error is not None:
        raise first_error
    raise InvalidInput("time.no_time_at_end", text=whole)


def format_occurrence(at: datetime, tz: ZoneInfo) -> str:
    """An instant as local time with its zone, e.g. "Mon 14 Dec 2026 10:00 (Asia/Shanghai)":
    the canonical English reading, for logs and tests. What a person reads is worded for
    their language by the adapter (`bot/commands/render_review_times.py: occurrence_text`)."""
    local = at.astimezone(tz)
    day, month = _DAY_ABBR[local.weekday()], _MONTH_ABBR[local.month - 1]
    return f"{day} {local.day} {month} {local.year} {local:%H:%M} ({tz.key})"


def describe_when(when: When) -> str:
    """The confirmation line, e.g. "next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every month
    on the 10th working day at 10:00", or "once: Tue 24 Nov 2026 15:00 (Asia/Shanghai)",
    with a warning when the year's official working-day schedule is not known yet: the
    canonical English reading. A person reads it in their language from the adapter
    (`bot/commands/render_review_times.py: reading_text`)."""
    at = format_occurrence(when.at, ZoneInfo(when.tz))
    line = f"once: {at}" if when.recurrence is None else f"next: {at} · {describe(when.recurrence)}"
    if when.unofficial_year is not None:
        line += (
            f" (the official {when.unofficial_year} holiday schedule is not published yet, "
            "so working days that year may still change)"
        )
    return line


def warm_up() -> None:
    """Pay dateparser's import and first-call cost (~0.2 s) now rather than on a user's
    first command. Call once at start-up."""
    _dateparser_read("tomorrow 10:00", datetime(2026, 1, 1, 9, 0, tzinfo=UTC), ZoneInfo("UTC"))


# ------------------------------------------------------------------------------ one-offs


def _read_once(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The one-off instant (UTC) ``text`` names, or ``None``; may be in the past."""
    norm = normalize(text)
    if not norm or starts_like_recurrence(norm):
        return None
    return (
        _read_chinese_once(norm.replace(" ", ""), now=now, tz=tz)
        or _read_bare_clock(norm, now=now, tz=tz)
        or _read_with_dateparser(norm, now=now, tz=tz)
    )


_ZH_DATE = (
    r"(?:(?P<rel>今天|今日|明天|明日|后天|後天|大后天|大後天)"
    r"|(?P<wk>本|这个|这|這|下个|下一个|下一|下)?(?:周|週|星期|礼拜)(?P<wd>[一二三四五六日天])"
    rf"|(?:(?P<y>\d{{4}})年)?(?P<mo>{ZH_NUMBER})月(?P<d>{ZH_NUMBER})[日号號]"
    rf"|(?P<mrel>下个月|下月|本月|这个月|这月)(?P<d2>{ZH_NUMBER})[日号號])"
)
_ZH_ONCE = re.compile(rf"(?:{_ZH_DATE})?的?(?:{ZH_CLOCK})?")
_ZH_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "明天": 1, "明日": 1,
    "后天": 2, "後天": 2, "大后天": 3, "大後天": 3,
}  # fmt: skip
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _read_chinese_once(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = _ZH_ONCE.fullmatch(text)
    if match is None or not match.group(0):
        return None
    groups = match.groupdict()
    has_clock = any(groups[g] for g in ("zh", "zch", "znoon"))
    clock = zh_clock(match) if has_clock else None
    if has_clock and clock is None:
        return None
    today = now.astimezone(tz).date()
    at = clock or DEFAULT_TIME
    if groups["rel"]:
        return _instant(today + timedelta(days=_ZH_RELATIVE_DAYS[groups["rel"]]), at, tz)
    if groups["wd"]:
        weekday = _ZH_WEEKDAY[groups["wd"]]
        monday = today - timedelta(days=today.weekday())
        if groups["wk"] is None:  # the next such day whose time is still ahead
            day = today + timedelta(days=(weekday - today.weekday()) % 7)
            instant = _instant(day, at, tz)
            return instant if instant > now else _instant(day + timedelta(days=7), at, tz)
        weeks = 1 if groups["wk"].startswith("下") else 0
        return _instant(monday + timedelta(days=7 * weeks + weekday), at, tz)
    if groups["mo"]:
        month, day_of_month = cn_number(groups["mo"]), cn_number(groups["d"])
        if month is None or day_of_month is None:
            return None
        year = int(groups["y"]) if groups["y"] else today.year
        found = _date(year, month, day_of_month)
        if found is not None and found < today and not groups["y"]:
            found = _date(year + 1, month, day_of_month)
        return None if found is None else _instant(found, at, tz)
    if groups["mrel"]:
        day_of_month = cn_number(groups["d2"])
        year, month = today.year, today.month
        if groups["mrel"].startswith("下"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        found = None if day_of_month is None else _date(year, month, day_of_month)
        return None if found is None else _instant(found, at, tz)
    if clock is None:
        return None
    return _today_or_tomorrow(clock, now=now, tz=tz)


_BARE_CLOCK = re.compile(rf"(?:at )?{EN_CLOCK}")


def _read_bare_clock(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    match = _BARE_CLOCK.fullmatch(text)
    clock = None if match is None else en_clock(match)
    return None if clock is None else _today_or_tomorrow(clock, now=now, tz=tz)


def _today_or_tomorrow(clock: time, *, now: datetime, tz: ZoneInfo) -> datetime:
    today = now.astimezone(tz).date()
    instant = _instant(today, clock, tz)
    return instant if instant > now else _instant(today + timedelta(days=1), clock, tz)


# Signs that the text gives a time of day (dateparser's period says "day" for
# "tomorrow 10:00").
_TIME_HINT = re.compile(r"\d:\d{2}|\d\s*[ap]\.?m\b|noon|midday|midnight|o'?clock|[点時时]")
_RELATIVE_WORDS = re.compile(r"\d{4}|\b(?:in|next|after|later|from|years?)\b")
_CLOCK_DIGITS = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")


def _read_with_dateparser(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    # dateparser skips an impossible clock ("tomorrow 25:00" reads as tomorrow): refuse it.
    for hour, minute in _CLOCK_DIGITS.findall(text):
        if int(hour) > 23 or int(minute) > 59:
            return None
    found = _dateparser_read(text, now, tz)
    if found is None:
        return None
    local, period = found
    if period not in ("day", "time", "part_of_day"):
        return None  # "next week", "March", "2027": too vague for a meeting
    if period == "day" and _TIME_HINT.search(text) is None:
        local = datetime.combine(local.date(), DEFAULT_TIME)
    today = now.astimezone(tz).date()
    rolled = (local.year, local.month, local.day) == (today.year + 1, today.month, today.day)
    if rolled and _RELATIVE_WORDS.search(text) is None:
        # "Nov 22 9:00" said on 22 Nov at 10:00 is today's, gone, not next year's.
        local = local.replace(year=today.year)
    return _instant(local.date(), local.time(), tz)


def _dateparser_read(text: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, str] | None:
    """The only call into dateparser: the naive local wall-clock reading and its period.

    ``RETURN_AS_TIMEZONE_AWARE`` stays off on purpose: with it on, relative readings keep
    the UTC offset of ``RELATIVE_BASE`` ("tomorrow 9:30" said in Berlin on 24 Oct 2026 came
    back as 09:30+02:00 although 25 Oct is already +01:00). Naive results are wall-clock
    time in ``TIMEZONE`` (explicit zones in the text are converted to it), which we localize
    with zoneinfo ourselves.
    """
    settings: dict[str, Any] = {
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
        "TIMEZONE": tz.key,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "RETURN_TIME_AS_PERIOD": True,
    }
    with warnings.catch_warnings():
        # Defensive: dateparser's own deprecation noise must not reach users or pytest.
        warnings.simplefilter("ignore", DeprecationWarning)
        data = DateDataParser(languages=["en", "zh"], settings=settings).get_date_data(text)
    if data.date_obj is None:
        return None
    found = data.date_obj
    if found.tzinfo is not None:
        found = found.astimezone(tz).replace(tzinfo=None)
    return found, str(data.period)


# ------------------------------------------------------------------------------ helpers


def _when(
    at: datetime, recurrence: Recurrence | None, tz: ZoneInfo, calendar: WorkCalendar
) -> When:
    year = at.astimezone(tz).year
    unofficial = None if calendar.has_official_schedule(year) else year
    return When(at.astimezone(UTC), recurrence, tz.key, unofficial)


def _instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock ``clock`` on ``day`` as UTC (gap: moved forward; overlap: earlier)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"need an aware datetime, got naive {now!r}")


def _has_cjk(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff\uf900-\ufaff]", text) is not None


def _candidate_starts(text: str) -> list[int]:
    """Where a when part may begin: after whitespace, and at any Chinese character."""
    starts: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            continue
        if i == 0 or text[i - 1].isspace() or _has_cjk(char) or _has_cjk(text[i - 1]):
            starts.append(i)
    return starts


def _shrink(
    text: str, start: int, when: When, *, now: datetime, tz: ZoneInfo, calendar: WorkCalendar
) -> int:
    """Move leading words without letters ("3", "#3", "-") that dateparser skipped without
    changing the reading back into the title ("Sprint 3 tomorrow 10:00")."""
    while True:
        word = text[start:].split(maxsplit=1)[0]
        rest = text[start + len(word) :]
        following = start + len(word) + len(rest) - len(rest.lstrip())
        if following >= len(text) or any(char.isalpha() for char in word):
            return start
        try:
            shorter = parse_when(text[following:], now=now, tz=tz, calendar=calendar)
        except InvalidInput:
            return start
        if shorter != when:
            return start
        start = following
