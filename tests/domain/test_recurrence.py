"""Recurring review times: reading rules, next occurrences on working-day calendars, DST,
storage, and properties over random rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkCalendar, calendar_for
from bot.domain.errors import InvalidInput
from bot.domain.recurrence import Period, Recurrence, describe, next_occurrence
from bot.domain.recurrence_words import parse_recurrence
from tests.saying import words

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
# Sunday 22 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def cn() -> WorkCalendar:
    return calendar_for("CN", "Asia/Shanghai")


def read(text: str, now: datetime = NOW, tz: ZoneInfo = SHANGHAI) -> Recurrence:
    rec = parse_recurrence(text, now=now, tz=tz)
    assert rec is not None, text
    return rec


def local_next(rec: Recurrence, after: datetime, cal: WorkCalendar, tz: ZoneInfo) -> datetime:
    at = next_occurrence(rec, after=after, tz=tz, calendar=cal)
    assert at.tzinfo is UTC
    return at.astimezone(tz)


# ------------------------------------------------------------------------------ reading


@pytest.mark.parametrize(
    ("text", "rrule", "working_day", "period"),
    [
        ("every Monday 9:30", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=30", None, None),
        ("every monday at 9:30am", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=30", None, None),
        ("Every Mondays at 9", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0", None, None),
        (
            "every 2 weeks on Friday at 16:00",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16;BYMINUTE=0",
            None,
            None,
        ),
        (
            "every other week on fri at 4 pm",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16;BYMINUTE=0",
            None,
            None,
        ),
        (
            "every Monday, Wednesday and Friday at noon",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=12;BYMINUTE=0",
            None,
            None,
        ),
        ("every month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=10;BYMINUTE=0", None, None),
        ("monthly on day 3 at 8:15", "FREQ=MONTHLY;BYMONTHDAY=3;BYHOUR=8;BYMINUTE=15", None, None),
        (
            "every month on the last day",
            "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=10;BYMINUTE=0",
            None,
            None,
        ),
        (
            "every month on the first Tuesday",
            "FREQ=MONTHLY;BYDAY=+1TU;BYHOUR=10;BYMINUTE=0",
            None,
            None,
        ),
        (
            "every quarter on the 15th",
            "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=15;BYHOUR=10;BYMINUTE=0",
            None,
            None,
        ),
        (
            "every month on the 10th working day at 10:00",
            "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0",
            10,
            "month",
        ),
        ("every month on the tenth business day", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", 10, "month"),
        ("every month on the last working day", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", -1, "month"),
        ("monthly, on the 2nd to last workday", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", -2, "month"),
        (
            "every quarter on the 5th working day",
            "FREQ=YEARLY;BYMONTH=1,4,7,10;BYHOUR=10;BYMINUTE=0",
            5,
            "quarter",
        ),
        ("weekly", "FREQ=WEEKLY;BYDAY=SU;BYHOUR=10;BYMINUTE=0", None, None),  # NOW is a Sunday
        ("weekly on Thursday 14:00", "FREQ=WEEKLY;BYDAY=TH;BYHOUR=14;BYMINUTE=0", None, None),
        ("monthly", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", 1, "month"),
        ("quarterly", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYHOUR=10;BYMINUTE=0", 1, "quarter"),
        ("every quarter", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYHOUR=10;BYMINUTE=0", 1, "quarter"),
        (
            "Every quarter at 3pm.",
            "FREQ=YEARLY;BYMONTH=1,4,7,10;BYHOUR=15;BYMINUTE=0",
            1,
            "quarter",
        ),
        # Chinese
        ("每周一上午9点半", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=30", None, None),
        ("每周一、三、五 下午2点", "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=14;BYMINUTE=0", None, None),
        ("每个星期四晚上8点", "FREQ=WEEKLY;BYDAY=TH;BYHOUR=20;BYMINUTE=0", None, None),
        ("每周", "FREQ=WEEKLY;BYDAY=SU;BYHOUR=10;BYMINUTE=0", None, None),
        ("每两周五下午4点", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16;BYMINUTE=0", None, None),
        ("隔周周五16:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16;BYMINUTE=0", None, None),
        ("每月第10个工作日上午10点", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", 10, "month"),
        ("每月第十个工作日", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", 10, "month"),
        ("每个月最后一个工作日下午5点", "FREQ=MONTHLY;BYHOUR=17;BYMINUTE=0", -1, "month"),
        ("每月倒数第二个工作日", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", -2, "month"),
        ("每月15号下午3点", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=15;BYMINUTE=0", None, None),
        ("每月", "FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0", 1, "month"),
        ("每季度第5个工作日", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYHOUR=10;BYMINUTE=0", 5, "quarter"),
        ("每季度", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYHOUR=10;BYMINUTE=0", 1, "quarter"),
    ],
)
def test_reading(text: str, rrule: str, working_day: int | None, period: str | None) -> None:
    rec = read(text)
    assert (rec.rrule, rec.working_day, rec.period) == (rrule, working_day, period)


def test_not_a_recurrence_is_none() -> None:
    assert parse_recurrence("next Tuesday 3pm", now=NOW, tz=SHANGHAI) is None
    assert parse_recurrence("明天上午10点", now=NOW, tz=SHANGHAI) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("every day", "couldn't read"),
        ("every Monday at 25:00", "couldn't read"),
        ("每天上午10点", "couldn't read"),
        ("每周一晚上12点", "couldn't read"),
        ("every 0 weeks", "at least"),
        ("every 2 quarters", "every quarter"),
        ("every 2 months on the 10th working day", "every month or every quarter"),
        ("every month on the 30th working day", "at most 23"),
        ("every month on the 32nd", "1 to 31"),
        ("every month on the 6th Monday", "1st to 5th"),
    ],
)
def test_unreadable_recurrence_is_refused_with_examples(text: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_recurrence(text, now=NOW, tz=SHANGHAI)
    assert why in words(caught.value)
    assert "`every Monday 9:30`" in words(caught.value)
    assert words(caught.value).count("`") == 8  # four examples


def test_every_two_weeks_counts_from_the_first_occurrence(cn: WorkCalendar) -> None:
    rec = read("every 2 weeks on Friday at 16:00")
    assert rec.start == date(2026, 11, 27)  # the coming Friday, not a week later
    first = local_next(rec, NOW, cn, SHANGHAI)
    second = local_next(rec, first, cn, SHANGHAI)
    third = local_next(rec, second, cn, SHANGHAI)
    assert [first, second, third] == [
        datetime(2026, 11, 27, 16, 0, tzinfo=SHANGHAI),
        datetime(2026, 12, 11, 16, 0, tzinfo=SHANGHAI),
        datetime(2026, 12, 25, 16, 0, tzinfo=SHANGHAI),
    ]


# ------------------------------------------------------------------------ next occurrence


def test_tenth_cn_working_day_is_not_the_tenth_weekday(cn: WorkCalendar) -> None:
    rec = read("every month on the 10th working day at 10:00")
    after = datetime(2025, 10, 1, 0, 0, tzinfo=SHANGHAI)
    assert local_next(rec, after, cn, SHANGHAI) == datetime(2025, 10, 21, 10, 0, tzinfo=SHANGHAI)
    # Plain BYSETPOS counts weekdays and would say the 14th, inside the National Day week's
    # aftermath but wrong for CN.
    weekdays = rrulestr(
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=10", dtstart=after.replace(tzinfo=None)
    )
    assert weekdays.after(after.replace(tzinfo=None)) == datetime(2025, 10, 14)  # noqa: DTZ001


def test_tenth_working_day_from_now(cn: WorkCalendar) -> None:
    rec = read("every month on the 10th working day")
    assert local_next(rec, NOW, cn, SHANGHAI) == datetime(2026, 12, 14, 10, 0, tzinfo=SHANGHAI)


def test_working_day_rule_on_the_day_itself(cn: WorkCalendar) -> None:
    rec = read("every month on the 10th working day")
    on_the_day = datetime(2026, 12, 14, 9, 59, tzinfo=SHANGHAI)
    assert local_next(rec, on_the_day, cn, SHANGHAI).date() == date(2026, 12, 14)
    at_the_time = datetime(2026, 12, 14, 10, 0, tzinfo=SHANGHAI)  # strictly after
    assert local_next(rec, at_the_time, cn, SHANGHAI).date() == date(2027, 1, 15)


def test_last_working_day_can_be_an_adjusted_saturday(cn: WorkCalendar) -> None:
    rec = read("every month on the last working day")
    assert local_next(rec, NOW, cn, SHANGHAI) == datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    # Saturday 28 February 2026 is a working day (Spring Festival swap).
    after = datetime(2026, 2, 1, tzinfo=SHANGHAI)
    assert local_next(rec, after, cn, SHANGHAI) == datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI)
    assert chinese_calendar.is_workday(date(2026, 2, 28))


def test_quarter_counts_from_the_first_day_of_the_quarter(cn: WorkCalendar) -> None:
    fifth = read("every quarter on the 5th working day")
    # Q4 2025: 1-8 October are holidays, Saturday 11 October is worked.
    after = datetime(2025, 9, 1, tzinfo=SHANGHAI)
    assert local_next(fifth, after, cn, SHANGHAI) == datetime(2025, 10, 14, 10, 0, tzinfo=SHANGHAI)
    thirtieth = Recurrence.working_days(30, "quarter", time(9, 0))
    assert local_next(thirtieth, after, cn, SHANGHAI) == datetime(
        2025, 11, 18, 9, 0, tzinfo=SHANGHAI
    )
    # From inside a quarter, after its 5th working day: the next quarter.
    assert local_next(fifth, NOW, cn, SHANGHAI) == datetime(2027, 1, 8, 10, 0, tzinfo=SHANGHAI)


def test_quarterly_default_is_first_working_day(cn: WorkCalendar) -> None:
    rec = read("quarterly")
    assert local_next(rec, datetime(2026, 3, 1, tzinfo=SHANGHAI), cn, SHANGHAI) == datetime(
        2026, 4, 1, 10, 0, tzinfo=SHANGHAI
    )
    assert local_next(rec, NOW, cn, SHANGHAI) == datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)


def test_month_without_the_position_is_skipped(cn: WorkCalendar) -> None:
    rec = Recurrence.working_days(23, "month")  # rare: 23 working days in a month
    found = local_next(rec, datetime(2025, 1, 1, tzinfo=SHANGHAI), cn, SHANGHAI)
    assert len(cn.working_days_in_month(found.year, found.month)) >= 23
    assert cn.working_days_in_month(found.year, found.month)[22] == found.date()


def test_weekly_rule_keeps_local_time_across_the_end_of_summer_time() -> None:
    berlin = calendar_for("DE", "Europe/Berlin")
    rec = read("every Monday 9:30", now=datetime(2026, 10, 14, tzinfo=BERLIN), tz=BERLIN)
    first = next_occurrence(
        rec, after=datetime(2026, 10, 14, tzinfo=BERLIN), tz=BERLIN, calendar=berlin
    )
    second = next_occurrence(rec, after=first, tz=BERLIN, calendar=berlin)
    third = next_occurrence(rec, after=second, tz=BERLIN, calendar=berlin)
    assert [at.astimezone(BERLIN).strftime("%d %H:%M") for at in (first, second, third)] == [
        "19 09:30",
        "26 09:30",
        "02 09:30",
    ]
    assert first == datetime(2026, 10, 19, 7, 30, tzinfo=UTC)  # CEST, +02:00
    assert second == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # CET, +01:00


def test_wall_clock_gap_moves_forward_and_overlap_takes_the_earlier() -> None:
    plain = calendar_for(None, "Europe/Berlin")
    rec = read("every Sunday 2:30", tz=BERLIN)
    spring = next_occurrence(
        rec, after=datetime(2026, 3, 25, tzinfo=BERLIN), tz=BERLIN, calendar=plain
    )
    assert spring.astimezone(BERLIN) == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    autumn = next_occurrence(
        rec, after=datetime(2026, 10, 20, tzinfo=BERLIN), tz=BERLIN, calendar=plain
    )
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first one


def test_monthly_on_the_31st_skips_short_months(cn: WorkCalendar) -> None:
    rec = read("every month on the 31st at 9:00")
    first = local_next(rec, datetime(2026, 1, 31, 12, 0, tzinfo=SHANGHAI), cn, SHANGHAI)
    assert first == datetime(2026, 3, 31, 9, 0, tzinfo=SHANGHAI)


def test_naive_after_is_rejected(cn: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(read("weekly"), after=datetime(2026, 1, 1), tz=SHANGHAI, calendar=cn)  # noqa: DTZ001


# ------------------------------------------------------------------------------ describe


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        (
            "every month on the 10th working day at 10:00",
            "every month on the 10th working day at 10:00",
        ),
        ("every 2 weeks on Friday at 16:00", "every 2 weeks on Friday at 16:00"),
        ("every Monday 9:30", "every Monday at 09:30"),
        ("every quarter on the 5th working day", "every quarter on the 5th working day at 10:00"),
        ("every month on the last working day", "every month on the last working day at 10:00"),
        ("每月倒数第二个工作日", "every month on the 2nd to last working day at 10:00"),
        ("every month on the 1st", "every month on the 1st at 10:00"),
        ("every month on the 22nd", "every month on the 22nd at 10:00"),
        ("every 3 months on the 11th", "every 3 months on the 11th at 10:00"),
        ("every month on the last Friday", "every month on the last Friday at 10:00"),
        ("every quarter on the last day", "every quarter on the last day at 10:00"),
        ("每周一、四下午3点", "every Monday and Thursday at 15:00"),
        ("every Mon, Wed and Fri at 8:05", "every Monday, Wednesday and Friday at 08:05"),
    ],
)
def test_describe(text: str, reading: str) -> None:
    assert describe(read(text)) == reading


# ------------------------------------------------------------------------------- storage


def test_storage_round_trip() -> None:
    for text in (
        "every 2 weeks on Friday at 16:00",
        "每月第10个工作日上午10点",
        "every month on the 15th",
    ):
        rec = read(text)
        stored = rec.to_storage()
        assert Recurrence.from_storage(stored) == rec
        assert stored == Recurrence.from_storage(stored).to_storage()  # stable
    assert read("每月第10个工作日上午10点").to_storage() == (
        '{"hour":10,"minute":0,"period":"month","rrule":"FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0",'
        '"start":null,"v":1,"working_day":10}'
    )


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "[]",
        '{"v":2}',
        '{"hour":10,"minute":0,"period":"week","rrule":"FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":10}',
        '{"hour":10,"minute":0,"period":null,"rrule":"FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":null}',
        '{"hour":9,"minute":0,"period":null,"rrule":"FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":null}',
        '{"hour":10,"minute":0,"period":null,"rrule":"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":null}',
        '{"hour":10,"minute":0,"period":null,"rrule":"FREQ=DAILY;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":null}',
        '{"hour":10,"minute":0,"period":null,"rrule":"BYDAY=MO;FREQ=WEEKLY;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":null}',
        '{"hour":10,"minute":0,"period":"month","rrule":"FREQ=MONTHLY;BYHOUR=10;BYMINUTE=0","start":null,"v":1,"working_day":0}',
    ],
)
def test_bad_storage_is_rejected(stored: str) -> None:
    with pytest.raises(ValueError):
        Recurrence.from_storage(stored)


# ---------------------------------------------------------------------------- properties

CALENDARS = [("CN", "Asia/Shanghai"), ("DE", "Europe/Berlin"), (None, "Europe/Berlin")]
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PERIODS: tuple[Period, ...] = ("month", "quarter")


@st.composite
def recurrences(draw: st.DrawFn) -> Recurrence:
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    clock = f"BYHOUR={hour};BYMINUTE={minute}"
    kind = draw(st.sampled_from(["working", "weekly", "monthly", "quarterly"]))
    if kind == "working":
        period = draw(st.sampled_from(PERIODS))
        top = 16 if period == "month" else 55
        n = draw(st.integers(1, top) | st.integers(-top, -1))
        return Recurrence.working_days(n, period, time(hour, minute))
    interval = draw(st.integers(1, 3)) if kind != "quarterly" else 1
    start = draw(st.dates(date(2023, 1, 1), date(2031, 12, 31))) if interval > 1 else None
    head = {"weekly": "FREQ=WEEKLY", "monthly": "FREQ=MONTHLY"}.get(
        kind, "FREQ=YEARLY;BYMONTH=1,4,7,10"
    )
    if interval > 1:
        head = head.replace("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=" + str(interval))
        head = head.replace("FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=" + str(interval))
    if kind == "weekly":
        days = sorted(draw(st.sets(st.integers(0, 6), min_size=1)))
        body = "BYDAY=" + ",".join(CODES[d] for d in days)
    elif draw(st.booleans()):
        body = f"BYMONTHDAY={draw(st.sampled_from([*range(1, 29), -1]))}"
    else:
        n = draw(st.sampled_from([1, 2, 3, 4, -1, -2]))
        body = f"BYDAY={n:+d}{draw(st.sampled_from(CODES))}"
    return Recurrence(f"{head};{body};{clock}", None, None, hour, minute, start)


instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec=recurrences(), after=instants, where=st.sampled_from(CALENDARS))
def test_next_occurrence_properties(
    rec: Recurrence, after: datetime, where: tuple[str | None, str]
) -> None:
    cal = calendar_for(*where)
    tz = ZoneInfo(where[1])
    at = next_occurrence(rec, after=after, tz=tz, calendar=cal)
    assert at.tzinfo is UTC and at > after
    local = at.astimezone(tz)
    # The local wall-clock time is the rule's, or the gap moved it forward.
    assert (
        datetime.combine(local.date(), time(rec.hour, rec.minute), tzinfo=tz).astimezone(UTC) == at
    )
    if rec.working_day is not None:
        assert cal.is_working_day(local.date())
    if rec.rrule.startswith("FREQ=WEEKLY;BYDAY"):
        assert at - after <= timedelta(days=7, hours=1)
    # Nothing between: asking again from just before gives the same occurrence.
    assert next_occurrence(rec, after=at - timedelta(microseconds=1), tz=tz, calendar=cal) == at


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 16) | st.integers(-16, -1),
    period=st.sampled_from(PERIODS),
    after=st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001
        max_value=datetime(2025, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_working_day_rules_agree_with_chinese_calendar(
    n: int, period: Period, after: datetime
) -> None:
    """Cross-check with the independent ``chinese_calendar`` package for official years."""
    cal = calendar_for("CN", "Asia/Shanghai")
    rec = Recurrence.working_days(n, period)
    day = next_occurrence(rec, after=after, tz=SHANGHAI, calendar=cal).astimezone(SHANGHAI).date()
    assert chinese_calendar.is_workday(day)
    first_month = day.month if period == "month" else 3 * ((day.month - 1) // 3) + 1
    months = 1 if period == "month" else 3
    begin = date(day.year, first_month, 1)
    end = date(day.year + (first_month + months > 12), (first_month + months - 1) % 12 + 1, 1)
    days = [
        d
        for d in (begin + timedelta(i) for i in range((end - begin).days))
        if chinese_calendar.is_workday(d)
    ]
    assert days[n - 1 if n > 0 else n] == day


@settings(max_examples=100, deadline=None)
@given(rec=recurrences())
def test_storage_and_reading_round_trip(rec: Recurrence) -> None:
    assert Recurrence.from_storage(rec.to_storage()) == rec
    again = read(describe(rec))
    assert (again.rrule, again.working_day, again.period, again.hour, again.minute) == (
        rec.rrule,
        rec.working_day,
        rec.period,
        rec.hour,
        rec.minute,
    )
