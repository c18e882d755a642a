"""Reading a repeating time in people's words, English and Chinese, into a ``Recurrence``.

The rule itself (its RRULE shape, next occurrence and description) is
``bot.domain.recurrence``; this module only reads. The clock readers and ``cn_number`` are
shared with ``bot.domain.when`` and ``bot.domain.review_schedule``. See the rule module's
docstring for the readings' defaults.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.recurrence import (
    DEFAULT_TIME,
    MAX_POSITION,
    NTH_WEEKDAYS,
    Period,
    Recurrence,
    Shape,
    next_plain,
)

__all__ = [
    "EN_CLOCK",
    "ZH_CLOCK",
    "ZH_NUMBER",
    "cn_number",
    "en_clock",
    "normalize",
    "parse_recurrence",
    "starts_like_recurrence",
    "zh_clock",
]

# ---------------------------------------------------------------------------------- words

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
        raise InvalidInput("recurrence.unreadable", text=text.strip())
    return _to_recurrence(reading, now=now, tz=tz)


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
    if interval < 1:
        raise InvalidInput("recurrence.too_rare")
    if unit == "quarter" and interval != 1:
        raise InvalidInput("recurrence.quarterly_interval")
    working_day = reading.working_day
    if working_day is None and reading.monthday is None and reading.nth_weekday is None:
        working_day = 1 if unit != "week" else None  # monthly / quarterly default
    if unit != "week" and working_day is not None:
        if interval != 1:
            raise InvalidInput("recurrence.working_day_interval")
        period: Period = unit
        if not 1 <= abs(working_day) <= MAX_POSITION[period]:
            if period == "month":
                raise InvalidInput("recurrence.month_working_days", limit=MAX_POSITION[period])
            raise InvalidInput("recurrence.quarter_working_days", limit=MAX_POSITION[period])
        return Recurrence.working_days(working_day, period, clock)
    if unit == "week":
        days = reading.days or (now.astimezone(tz).weekday(),)
        shape = Shape("WEEKLY", interval, days=tuple((0, d) for d in sorted(set(days))))
    elif reading.monthday is not None:
        if not (1 <= reading.monthday <= 31 or reading.monthday == -1):
            raise InvalidInput("recurrence.monthday_range")
        freq: Literal["MONTHLY", "YEARLY"] = "YEARLY" if unit == "quarter" else "MONTHLY"
        shape = Shape(freq, interval, quarterly=unit == "quarter", monthday=reading.monthday)
    else:
        assert reading.nth_weekday is not None
        if reading.nth_weekday[0] not in NTH_WEEKDAYS:
            raise InvalidInput("recurrence.nth_weekday_range")
        freq = "YEARLY" if unit == "quarter" else "MONTHLY"
        shape = Shape(freq, interval, quarterly=unit == "quarter", days=(reading.nth_weekday,))
    shape = replace(shape, hour=clock.hour, minute=clock.minute)
    if interval == 1:
        return Recurrence(shape.rrule(), None, None, clock.hour, clock.minute)
    # Count "every 2 …" from the first occurrence of the every-1 rule after now.
    every_one = replace(shape, interval=1).rrule()
    first = next_plain(every_one, None, now, tz).astimezone(tz).date()
    return Recurrence(shape.rrule(), None, None, clock.hour, clock.minute, first)
