"""The time language of ``/review schedule``: every promised form, Chinese clock words, refusals,
unofficial calendar years, the confirmation line, and splitting the title from the time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import WorkCalendar, calendar_for
from bot.domain.errors import InvalidInput
from bot.domain.when import (
    When,
    describe_when,
    format_occurrence,
    parse_when,
    split_title_and_when,
    warm_up,
)
from tests.saying import raises_saying, words

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
# Sunday 22 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    warm_up()  # also proves warm_up works; later calls are fast
    return calendar_for("CN", "Asia/Shanghai")


def when(text: str, cal: WorkCalendar, now: datetime = NOW, tz: ZoneInfo = SHANGHAI) -> When:
    return parse_when(text, now=now, tz=tz, calendar=cal)


def local(text: str, cal: WorkCalendar, now: datetime = NOW) -> str:
    reading = when(text, cal, now)
    assert reading.at.tzinfo is UTC
    assert reading.tz == "Asia/Shanghai"
    return reading.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------ one-offs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English and absolute forms (dateparser)
        ("next Tuesday 3pm", "2026-11-24 15:00"),
        ("tomorrow 10:00", "2026-11-23 10:00"),
        ("Dec 3 at 14:30", "2026-12-03 14:30"),
        ("tomorrow", "2026-11-23 10:00"),  # default time
        ("Dec 3", "2026-12-03 10:00"),  # default time
        ("Friday 16:00", "2026-11-27 16:00"),
        ("2026-12-03 14:30", "2026-12-03 14:30"),
        ("3 December 2030 9:00", "2030-12-03 09:00"),
        ("in 3 hours", "2026-11-22 13:00"),
        ("3pm UTC", "2026-11-22 23:00"),
        # bare clock: today if still ahead, else tomorrow
        ("3pm", "2026-11-22 15:00"),
        ("at 15:00", "2026-11-22 15:00"),
        ("9am", "2026-11-23 09:00"),
        ("noon", "2026-11-22 12:00"),
        # Chinese (our reader)
        ("明天上午10点", "2026-11-23 10:00"),
        ("下周二下午3点", "2026-11-24 15:00"),
        ("12月3日下午2点半", "2026-12-03 14:30"),
        ("明天", "2026-11-23 10:00"),
        ("后天下午3点", "2026-11-24 15:00"),
        ("大后天", "2026-11-25 10:00"),
        ("周二下午3点", "2026-11-24 15:00"),
        ("星期日下午3点", "2026-11-22 15:00"),  # today, still ahead
        ("周日上午9点", "2026-11-29 09:00"),  # today's has passed
        ("下周日", "2026-11-29 10:00"),
        ("下个星期一早上8点", "2026-11-23 08:00"),
        ("12月3日 14:30", "2026-12-03 14:30"),
        ("2027年1月5日上午9点", "2027-01-05 09:00"),
        ("1月5日", "2027-01-05 10:00"),  # this year's is gone
        ("十二月三日", "2026-12-03 10:00"),
        ("下个月3号", "2026-12-03 10:00"),
        ("下午3点", "2026-11-22 15:00"),
        ("上午9点", "2026-11-23 09:00"),
        ("明天 上午 10点", "2026-11-23 10:00"),
        ("明天上午１０：３０", "2026-11-23 10:30"),  # full-width digits
    ],
)
def test_one_off(cn: WorkCalendar, text: str, expected: str) -> None:
    reading = when(text, cn)
    assert reading.recurrence is None
    assert local(text, cn) == expected


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("上午10点", "10:00"),
        ("上午十点半", "10:30"),
        ("早上8点", "08:00"),
        ("凌晨2点", "02:00"),
        ("中午", "12:00"),
        ("中午12点", "12:00"),
        ("中午1点", "13:00"),
        ("下午2点半", "14:30"),
        ("下午两点", "14:00"),
        ("下午3点", "15:00"),
        ("下午15点", "15:00"),
        ("晚上8点", "20:00"),
        ("傍晚6点", "18:00"),
        ("9点一刻", "09:15"),
        ("下午4点三刻", "16:45"),
        ("10点05分", "10:05"),
        ("十点零五分", "10:05"),
        ("14时30分", "14:30"),
        ("14时", "14:00"),
        ("3点", "03:00"),  # no 上午/下午: the 24-hour clock
        ("10点整", "10:00"),
        ("晚上8:15", "20:15"),
    ],
)
def test_chinese_clock_words(cn: WorkCalendar, clock: str, expected: str) -> None:
    assert local("明天" + clock, cn) == "2026-11-23 " + expected


@pytest.mark.parametrize(
    "clock", ["晚上12点", "上午13点", "下午25点", "中午5点", "10点61分", "25:00"]
)
def test_impossible_chinese_clock_is_refused(cn: WorkCalendar, clock: str) -> None:
    with raises_saying(InvalidInput, "couldn't read"):
        when("明天" + clock, cn)


def test_next_week_means_the_week_after_this_one(cn: WorkCalendar) -> None:
    """下周二 is the Tuesday of next week (weeks start on Monday), whatever today is."""
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    assert local("下周二下午3点", cn, monday) == "2026-12-01 15:00"
    assert local("本周二下午3点", cn, monday) == "2026-11-24 15:00"
    assert local("周二下午3点", cn, monday) == "2026-11-24 15:00"
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
    assert local("下周二下午3点", cn, saturday) == "2026-12-01 15:00"


# ---------------------------------------------------------------------------- recurrences


@pytest.mark.parametrize(
    ("text", "expected", "reading"),
    [
        ("every Monday 9:30", "2026-11-23 09:30", "every Monday at 09:30"),
        (
            "every 2 weeks on Friday at 16:00",
            "2026-11-27 16:00",
            "every 2 weeks on Friday at 16:00",
        ),
        ("every month on the 15th", "2026-12-15 10:00", "every month on the 15th at 10:00"),
        (
            "every month on the 10th working day at 10:00",
            "2026-12-14 10:00",
            "every month on the 10th working day at 10:00",
        ),
        (
            "every month on the last working day",
            "2026-11-30 10:00",
            "every month on the last working day at 10:00",
        ),
        (
            "every quarter on the 5th working day",
            "2027-01-08 10:00",
            "every quarter on the 5th working day at 10:00",
        ),
        ("weekly", "2026-11-29 10:00", "every Sunday at 10:00"),
        ("monthly", "2026-12-01 10:00", "every month on the 1st working day at 10:00"),
        ("quarterly", "2027-01-04 10:00", "every quarter on the 1st working day at 10:00"),
        ("every quarter", "2027-01-04 10:00", "every quarter on the 1st working day at 10:00"),
        ("每周一上午9点半", "2026-11-23 09:30", "every Monday at 09:30"),
        (
            "每月第10个工作日上午10点",
            "2026-12-14 10:00",
            "every month on the 10th working day at 10:00",
        ),
    ],
)
def test_recurrence(cn: WorkCalendar, text: str, expected: str, reading: str) -> None:
    result = when(text, cn)
    assert result.recurrence is not None
    assert local(text, cn) == expected
    assert describe_when(result).startswith(
        f"next: {format_occurrence(result.at, SHANGHAI)} · {reading}"
    )


def test_weekly_in_berlin_keeps_wall_time_across_summer_time() -> None:
    de = calendar_for("DE", "Europe/Berlin")
    now = datetime(2026, 10, 20, 12, 0, tzinfo=BERLIN)
    first = parse_when("every Monday 9:30", now=now, tz=BERLIN, calendar=de)
    assert first.at == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # 09:30 CET
    assert first.tz == "Europe/Berlin"


def test_relative_one_off_across_summer_time_keeps_wall_time() -> None:
    """dateparser keeps RELATIVE_BASE's offset for "tomorrow 9:30"; we must not."""
    de = calendar_for("DE", "Europe/Berlin")
    now = datetime(2026, 10, 24, 10, 0, tzinfo=BERLIN)  # CEST; the 25th is CET
    reading = parse_when("tomorrow 9:30", now=now, tz=BERLIN, calendar=de)
    assert reading.at == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)


# ------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "text", ["banana", "", "   ", "next week", "March", "tomorrow 25:00", "Feb 30 10:00"]
)
def test_unreadable_is_refused_with_examples(cn: WorkCalendar, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        when(text, cn)
    message = words(caught.value)
    assert "couldn't read" in message
    assert "`next Tuesday 3pm`" in message and "`下周二下午3点`" in message
    assert message.count("`") == 8  # four examples


@pytest.mark.parametrize(
    "text", ["every day", "每天上午10点", "every month on the 30th working day"]
)
def test_unreadable_recurrence_is_refused_with_examples(cn: WorkCalendar, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        when(text, cn)
    assert "`every month on the 10th working day at 10:00`" in words(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "today 9am",
        "Jan 5 2020 10:00",
        "now",
        "本周六",
        "11月22日上午9点",
        "今天上午10点",
        "Nov 22 9:00",  # today, gone: not moved to next year
    ],
)
def test_past_is_refused(cn: WorkCalendar, text: str) -> None:
    with raises_saying(InvalidInput, "not in the future"):
        when(text, cn)


def test_naive_now_is_a_programming_error(cn: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("tomorrow", now=datetime(2026, 11, 22), tz=SHANGHAI, calendar=cn)  # noqa: DTZ001


# ---------------------------------------------------------------------- unofficial years


def test_unofficial_year_is_flagged(cn: WorkCalendar) -> None:
    assert when("every month on the 10th working day", cn).unofficial_year is None  # 2026
    assert when("tomorrow", cn).unofficial_year is None
    later = when("Dec 3 2031 10:00", cn)
    assert later.unofficial_year == 2031
    assert "2031 holiday schedule is not published yet" in describe_when(later)
    from_2031 = when(
        "every month on the 10th working day", cn, datetime(2031, 3, 1, tzinfo=SHANGHAI)
    )
    assert from_2031.unofficial_year == 2031
    # Calendars without yearly schedules are always official.
    plain = calendar_for(None, "Asia/Shanghai")
    assert when("Dec 3 2031 10:00", plain).unofficial_year is None


# ---------------------------------------------------------------------------- read-back


def test_format_occurrence() -> None:
    at = datetime(2026, 12, 14, 2, 0, tzinfo=UTC)
    assert format_occurrence(at, SHANGHAI) == "Mon 14 Dec 2026 10:00 (Asia/Shanghai)"
    assert format_occurrence(at, BERLIN) == "Mon 14 Dec 2026 03:00 (Europe/Berlin)"


def test_describe_when(cn: WorkCalendar) -> None:
    assert describe_when(when("每月第10个工作日上午10点", cn)) == (
        "next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every month on the 10th working day at 10:00"
    )
    assert describe_when(when("下周二下午3点", cn)) == "once: Tue 24 Nov 2026 15:00 (Asia/Shanghai)"


def test_when_requires_utc() -> None:
    with pytest.raises(ValueError, match="UTC"):
        When(datetime(2026, 12, 14, 10, 0, tzinfo=SHANGHAI), None, "Asia/Shanghai")


# -------------------------------------------------------------------------- title / when


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        (
            "Monthly service review every month on the 10th working day at 10:00",
            "Monthly service review",
            "2026-12-14 10:00",
        ),
        ("月度服务评审每月第10个工作日上午10点", "月度服务评审", "2026-12-14 10:00"),
        ("服务评审 下周二下午3点", "服务评审", "2026-11-24 15:00"),
        ("每周例会明天上午10点", "每周例会", "2026-11-23 10:00"),
        ("Review next Tuesday 3pm", "Review", "2026-11-24 15:00"),
        ("Review on Dec 3 at 14:30", "Review", "2026-12-03 14:30"),
        ("Weekly sync every Monday 9:30", "Weekly sync", "2026-11-23 09:30"),
        ("Weekly sync tomorrow 10:00", "Weekly sync", "2026-11-23 10:00"),
        ("Monthly service review monthly", "Monthly service review", "2026-12-01 10:00"),
        ("Acme QBR with <@U123|bob> quarterly", "Acme QBR with <@U123|bob>", "2027-01-04 10:00"),
        ("Sprint 3 tomorrow 10:00", "Sprint 3", "2026-11-23 10:00"),
        ("Review: 3pm", "Review", "2026-11-22 15:00"),
    ],
)
def test_split_title_and_when(cn: WorkCalendar, text: str, title: str, expected: str) -> None:
    found_title, reading = split_title_and_when(text, now=NOW, tz=SHANGHAI, calendar=cn)
    assert found_title == title
    assert reading.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Review banana", "couldn't find a time"),
        ("every Monday 9:30", "title"),
        ("Review yesterday 10:00", "not in the future"),
        ("Review every day 10:00", "repeating time"),  # not "Review every day" at 10:00
        ("Retro every 2 months on the 10th working day", "every month or every quarter"),
    ],
)
def test_split_refusals(cn: WorkCalendar, text: str, why: str) -> None:
    with raises_saying(InvalidInput, why):
        split_title_and_when(text, now=NOW, tz=SHANGHAI, calendar=cn)
