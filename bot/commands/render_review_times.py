"""Reviews' times and rules in the reader's words: an occurrence in its zone, ordinals,
a recurrence ("every month on the 10th working day at 10:00" / "每月第10个工作日 10:00") and a
schedule read back. The English is `bot/domain/recurrence.describe`'s and
`bot/domain/when.describe_when`'s, word for word. Pure."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.recurrence import Recurrence, shape_of
from bot.domain.when import When


def occurrence_text(at: datetime, tz: ZoneInfo, language: Language) -> str:
    """An instant in its zone, "Mon 14 Dec 2026 10:00 (Asia/Shanghai)" /
    "2026年12月14日 周一 10:00 (Asia/Shanghai)"."""
    return f"{language.stamp(at.astimezone(tz))} ({tz.key})"


# An ordinal's English suffix picks the message; Chinese says each "第{n}".
_ORDINALS = {1: N_("{n}st"), 2: N_("{n}nd"), 3: N_("{n}rd")}
_NTH = N_("{n}th")


def ordinal(n: int, language: Language) -> str:
    """`10th` / `第10`."""
    suffix = _NTH if 10 <= n % 100 <= 20 else _ORDINALS.get(n % 10, _NTH)
    return language._(suffix).format(n=n)


_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def _and_list(items: list[str], language: Language) -> str:
    if len(items) == 1:
        return items[0]
    return language._("{first} and {last}").format(
        first=language.listed(items[:-1]), last=items[-1]
    )


def _working_day(n: int, language: Language) -> str:
    if n == -1:
        return language._("the last working day")
    if n < 0:
        return language._("the {nth} to last working day").format(nth=ordinal(-n, language))
    return language._("the {nth} working day").format(nth=ordinal(n, language))


def _weekday_of_month(n: int, weekday: int, language: Language) -> str:
    name = language._(_WEEKDAYS[weekday])
    if n == -1:
        return language._("the last {weekday}").format(weekday=name)
    if n < 0:
        return language._("the {nth} to last {weekday}").format(
            nth=ordinal(-n, language), weekday=name
        )
    return language._("the {nth} {weekday}").format(nth=ordinal(n, language), weekday=name)


def _in_period(quarterly: bool, interval: int, where: str, clock: str, language: Language) -> str:
    """`every month on {where} at {clock}`; quarters repeat every quarter only (the domain
    refuses any other interval)."""
    if quarterly:
        return language._("every quarter on {where} at {clock}").format(where=where, clock=clock)
    if interval == 1:
        return language._("every month on {where} at {clock}").format(where=where, clock=clock)
    return language.ngettext(
        "every {n} month on {where} at {clock}", "every {n} months on {where} at {clock}", interval
    ).format(n=interval, where=where, clock=clock)


def rule_text(rec: Recurrence, language: Language) -> str:
    """The rule in the reader's words: "every month on the 10th working day at 10:00" /
    "每月第10个工作日 10:00" (the English is `recurrence.describe`'s, word for word)."""
    clock = language.clock(time(rec.hour, rec.minute))
    if rec.period is not None and rec.working_day is not None:
        where = _working_day(rec.working_day, language)
        return _in_period(rec.period == "quarter", 1, where, clock, language)
    shape = shape_of(rec)
    if shape.freq == "WEEKLY":
        days = _and_list([language._(_WEEKDAYS[wd]) for _, wd in shape.days], language)
        if shape.interval == 1:
            return language._("every {days} at {clock}").format(days=days, clock=clock)
        return language.ngettext(
            "every {n} week on {days} at {clock}",
            "every {n} weeks on {days} at {clock}",
            shape.interval,
        ).format(n=shape.interval, days=days, clock=clock)
    if shape.monthday == -1:
        where = language._("the last day")
    elif shape.monthday is not None:
        where = language._("the {nth}").format(nth=ordinal(shape.monthday, language))
    else:
        n, wd = shape.days[0]
        where = _weekday_of_month(n, wd, language)
    return _in_period(shape.quarterly, shape.interval, where, clock, language)


def reading_text(when: When, language: Language) -> str:
    """The schedule read back: "next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every month on
    the 10th working day at 10:00" or "once: …", with a warning when the year's official
    working-day schedule is not published yet."""
    at = occurrence_text(when.at, ZoneInfo(when.tz), language)
    year = when.unofficial_year
    if when.recurrence is None:
        if year is None:
            return language._("once: {at}").format(at=at)
        return language._(
            "once: {at} (the official {year} holiday schedule is not published yet, "
            "so working days that year may still change)"
        ).format(at=at, year=year)
    rule = rule_text(when.recurrence, language)
    if year is None:
        return language._("next: {at} · {rule}").format(at=at, rule=rule)
    return language._(
        "next: {at} · {rule} (the official {year} holiday schedule is not published yet, "
        "so working days that year may still change)"
    ).format(at=at, rule=rule, year=year)
