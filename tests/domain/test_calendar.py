"""Working days: Mon-Fri basics, China's adjusted days, German holidays, DST, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkCalendar, calendar_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CAIRO = ZoneInfo("Africa/Cairo")


@pytest.fixture
def plain() -> WorkCalendar:
    return calendar_for(None, "UTC")


@pytest.fixture
def cn() -> WorkCalendar:
    return calendar_for("CN", "Asia/Shanghai")


@pytest.fixture
def de() -> WorkCalendar:
    return calendar_for("DE", "Europe/Berlin")


# ------------------------------------------------------------------------ Monday to Friday


def test_plain_week(plain: WorkCalendar) -> None:
    week = [date(2025, 6, 2) + timedelta(days=i) for i in range(7)]  # Mon 2 .. Sun 8 June
    assert [plain.is_working_day(d) for d in week] == [True] * 5 + [False] * 2
    assert all(plain.holiday_name(d) is None for d in week)
    assert plain.holiday_name(date(2025, 12, 25)) is None  # no holidays at all
    assert plain.is_working_day(date(2025, 12, 25))


def test_plain_next_and_previous(plain: WorkCalendar) -> None:
    friday, saturday, monday = date(2025, 6, 6), date(2025, 6, 7), date(2025, 6, 9)
    assert plain.next_working_day(friday) == monday
    assert plain.next_working_day(saturday) == monday
    assert plain.previous_working_day(monday) == friday
    assert plain.previous_working_day(saturday) == friday
    # Strictly after / before, across a year boundary too.
    assert plain.next_working_day(monday) == date(2025, 6, 10)
    assert plain.next_working_day(date(2025, 12, 31)) == date(2026, 1, 1)
    assert plain.previous_working_day(date(2026, 1, 1)) == date(2025, 12, 31)


def test_plain_month(plain: WorkCalendar) -> None:
    days = plain.working_days_in_month(2025, 2)
    assert len(days) == 20
    assert days[0] == date(2025, 2, 3) and days[-1] == date(2025, 2, 28)
    assert plain.nth_working_day(2025, 2, 1) == date(2025, 2, 3)
    assert plain.nth_working_day(2025, 2, 10) == date(2025, 2, 14)
    assert plain.nth_working_day(2025, 2, -1) == date(2025, 2, 28)
    assert plain.nth_working_day(2025, 2, -20) == date(2025, 2, 3)
    assert plain.nth_working_day(2025, 2, 21) is None
    assert plain.nth_working_day(2025, 2, -21) is None
    assert plain.working_days_in_month(2025, 12)[-1] == date(2025, 12, 31)
    with pytest.raises(ValueError):
        plain.nth_working_day(2025, 2, 0)
    with pytest.raises(ValueError):
        plain.working_days_in_month(2025, 13)


def test_plain_add_and_between(plain: WorkCalendar) -> None:
    friday = datetime(2025, 6, 6, 14, 0, tzinfo=UTC)
    assert plain.add_working_days(friday, 1) == datetime(2025, 6, 9, 14, 0, tzinfo=UTC)
    assert plain.add_working_days(friday, 3) == datetime(2025, 6, 11, 14, 0, tzinfo=UTC)
    assert plain.add_working_days(friday, -1) == datetime(2025, 6, 5, 14, 0, tzinfo=UTC)
    assert plain.add_working_days(friday, 0) == friday
    due = plain.add_working_days(friday, 3)
    assert plain.working_days_between(friday, due) == 3
    assert plain.working_days_between(friday, due - timedelta(microseconds=1)) == 2
    # "2 working days left" on Monday morning; "overdue by 1 working day" on Thursday evening.
    assert plain.working_days_between(datetime(2025, 6, 9, 9, 0, tzinfo=UTC), due) == 2
    assert plain.working_days_between(datetime(2025, 6, 12, 18, 0, tzinfo=UTC), due) == -1
    assert plain.working_days_between(due, due) == 0


def test_start_on_non_working_day_counts_from_the_next_working_day(plain: WorkCalendar) -> None:
    """The rule: the start date never counts, so Saturday behaves like Friday."""
    saturday = datetime(2025, 6, 7, 14, 0, tzinfo=UTC)
    sunday = datetime(2025, 6, 8, 9, 30, tzinfo=UTC)
    friday = datetime(2025, 6, 6, 14, 0, tzinfo=UTC)
    wednesday_1400 = datetime(2025, 6, 11, 14, 0, tzinfo=UTC)
    assert plain.add_working_days(saturday, 3) == wednesday_1400
    assert plain.add_working_days(friday, 3) == wednesday_1400
    assert plain.add_working_days(sunday, 1) == datetime(2025, 6, 9, 9, 30, tzinfo=UTC)
    assert plain.add_working_days(saturday, -1) == datetime(2025, 6, 6, 14, 0, tzinfo=UTC)
    assert plain.working_days_between(saturday, wednesday_1400) == 3


def test_time_zone_decides_the_local_date() -> None:
    tokyo = calendar_for(None, "Asia/Tokyo")
    # Friday 20:00 UTC is already Saturday 05:00 in Tokyo: one working day later is Monday
    # 05:00 in Tokyo (Sunday 20:00 UTC), where a UTC calendar says Monday 20:00 UTC.
    start = datetime(2025, 6, 6, 20, 0, tzinfo=UTC)
    assert tokyo.local_date(start) == date(2025, 6, 7)
    due = tokyo.add_working_days(start, 1)
    assert due == datetime(2025, 6, 8, 20, 0, tzinfo=UTC)
    assert calendar_for(None, "UTC").add_working_days(start, 1) == datetime(
        2025, 6, 9, 20, 0, tzinfo=UTC
    )
    assert due.tzinfo is UTC
    assert due.astimezone(ZoneInfo("Asia/Tokyo")).time() == time(5, 0)


def test_rejects_naive_datetimes_and_datetimes_as_dates(plain: WorkCalendar) -> None:
    naive = datetime(2025, 6, 6, 14, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError):
        plain.add_working_days(naive, 1)
    with pytest.raises(ValueError):
        plain.working_days_between(datetime(2025, 6, 6, tzinfo=UTC), naive)
    with pytest.raises(TypeError):
        plain.is_working_day(datetime(2025, 6, 6, tzinfo=UTC))


def test_calendar_for_is_cached_and_validates() -> None:
    assert calendar_for("cn", "Asia/Shanghai") is calendar_for("CN", "Asia/Shanghai")
    assert calendar_for("CN", "Asia/Shanghai") == WorkCalendar("CN", SHANGHAI)
    assert hash(calendar_for("DE", "Europe/Berlin")) == hash(WorkCalendar("de", BERLIN))
    with pytest.raises(ValueError):
        WorkCalendar("XX", SHANGHAI)
    with pytest.raises(ValueError):
        WorkCalendar("", SHANGHAI)
    with pytest.raises(Exception, match="No time zone"):
        calendar_for(None, "Mars/Olympus_Mons")


def test_immutable(plain: WorkCalendar) -> None:
    with pytest.raises(AttributeError):
        plain.country = "CN"  # type: ignore[misc]


# ------------------------------------------------------------------------------- China


def test_cn_national_day_2025(cn: WorkCalendar) -> None:
    for day in range(1, 9):
        assert not cn.is_working_day(date(2025, 10, day)), day
    assert cn.holiday_name(date(2025, 10, 1)) == "National Day"
    assert cn.holiday_name(date(2025, 10, 6)) == "Mid-Autumn Festival"
    assert cn.holiday_name(date(2025, 10, 7)) is not None  # a day off moved from 28 Sep
    # The adjusted working days: Sunday 28 September and Saturday 11 October.
    assert date(2025, 9, 28).weekday() == 6 and date(2025, 10, 11).weekday() == 5
    assert cn.is_working_day(date(2025, 9, 28))
    assert cn.is_working_day(date(2025, 10, 11))
    assert cn.holiday_name(date(2025, 10, 11)) is None
    # The rest of that weekend stays off.
    assert not cn.is_working_day(date(2025, 9, 27))
    assert not cn.is_working_day(date(2025, 10, 12))


def test_cn_working_days_of_october_2025(cn: WorkCalendar, plain: WorkCalendar) -> None:
    assert cn.nth_working_day(2025, 10, 10) == date(2025, 10, 21)
    assert plain.nth_working_day(2025, 10, 10) == date(2025, 10, 14)
    assert cn.nth_working_day(2025, 10, 1) == date(2025, 10, 9)
    assert cn.nth_working_day(2025, 10, -1) == date(2025, 10, 31)
    assert cn.nth_working_day(2025, 9, -1) == date(2025, 9, 30)
    assert len(cn.working_days_in_month(2025, 10)) == 18
    assert cn.nth_working_day(2025, 10, 19) is None
    assert cn.next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)
    assert cn.previous_working_day(date(2025, 10, 9)) == date(2025, 9, 30)
    assert cn.next_working_day(date(2025, 10, 10)) == date(2025, 10, 11)  # Saturday


def test_cn_add_across_national_day(cn: WorkCalendar) -> None:
    tuesday = datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert cn.add_working_days(tuesday, 1) == datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)
    assert cn.add_working_days(tuesday, 3) == datetime(2025, 10, 11, 10, 0, tzinfo=SHANGHAI)
    assert cn.add_working_days(tuesday, 4) == datetime(2025, 10, 13, 10, 0, tzinfo=SHANGHAI)
    # Opened during the holiday: counting starts on the first working day after it.
    holiday = datetime(2025, 10, 3, 16, 0, tzinfo=SHANGHAI)
    assert cn.add_working_days(holiday, 1) == datetime(2025, 10, 9, 16, 0, tzinfo=SHANGHAI)
    # The adjusted Sunday is a working day to count from and to land on.
    friday = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)
    assert cn.add_working_days(friday, 1) == datetime(2025, 9, 28, 9, 0, tzinfo=SHANGHAI)
    assert cn.working_days_between(tuesday, datetime(2025, 10, 8, 23, 0, tzinfo=SHANGHAI)) == 0
    assert cn.working_days_between(tuesday, datetime(2025, 10, 13, 10, 0, tzinfo=SHANGHAI)) == 4


def test_cn_official_schedule(cn: WorkCalendar, plain: WorkCalendar, de: WorkCalendar) -> None:
    assert cn.has_official_schedule(2025)
    assert cn.has_official_schedule(2001)
    assert not cn.has_official_schedule(2035)
    assert not cn.has_official_schedule(1999)
    # What "not official" means: the library knows the holidays but not the adjusted days.
    assert cn.is_working_day(date(2035, 10, 1)) is False
    assert plain.has_official_schedule(2035)
    assert de.has_official_schedule(2035)


def test_cn_official_schedule_matches_library_data(cn: WorkCalendar) -> None:
    """Every official year has adjusted weekend working days; the first unofficial has none."""
    official = [y for y in range(1990, 2040) if cn.has_official_schedule(y)]
    assert official == list(range(official[0], official[-1] + 1))
    for year in (official[0], 2025, official[-1]):
        weekend_work = [
            d
            for m in range(1, 13)
            for d in cn.working_days_in_month(year, m)
            if d.weekday() >= 5 and d.year == year
        ]
        assert weekend_work, year
    after = official[-1] + 1
    assert not any(
        d.weekday() >= 5 for m in range(1, 13) for d in cn.working_days_in_month(after, m)
    )


def test_cn_cross_check_with_chinese_calendar(cn: WorkCalendar) -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    day = date(2020, 1, 1)
    while day <= date(2026, 12, 31):
        assert cn.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


# ----------------------------------------------------------------------------- Germany


def test_de_unity_day(de: WorkCalendar) -> None:
    unity = date(2025, 10, 3)  # a Friday
    assert not de.is_working_day(unity)
    assert de.holiday_name(unity) == "German Unity Day"
    thursday = datetime(2025, 10, 2, 9, 0, tzinfo=BERLIN)
    assert de.add_working_days(thursday, 1) == datetime(2025, 10, 6, 7, 0, tzinfo=UTC)
    assert de.nth_working_day(2025, 10, 3) == date(2025, 10, 6)


def test_de_dst_end_keeps_local_time(de: WorkCalendar) -> None:
    # Clocks go back on Sunday 26 October 2025: 10:00 is UTC+2 on Friday, UTC+1 on Monday.
    friday = datetime(2025, 10, 24, 10, 0, tzinfo=BERLIN)
    assert friday.astimezone(UTC).hour == 8
    due = de.add_working_days(friday, 1)
    assert due == datetime(2025, 10, 27, 9, 0, tzinfo=UTC)
    assert due.astimezone(BERLIN).time() == time(10, 0)
    assert de.working_days_between(friday, due) == 1
    assert de.working_days_between(friday, due - timedelta(seconds=1)) == 0


def test_dst_gap_moves_forward_and_overlap_takes_the_earlier() -> None:
    cairo = calendar_for(None, "Africa/Cairo")
    # Egypt springs forward at midnight on Friday 25 April 2025: 00:30 does not exist.
    start = datetime(2025, 4, 24, 0, 30, tzinfo=CAIRO)
    due = cairo.add_working_days(start, 1)
    assert due == datetime(2025, 4, 24, 22, 30, tzinfo=UTC)
    assert (due.astimezone(CAIRO).date(), due.astimezone(CAIRO).time()) == (
        date(2025, 4, 25),
        time(1, 30),  # 00:30 + the one-hour gap
    )
    assert cairo.working_days_between(start, due) == 1
    # And falls back at midnight ending Thursday 30 October 2025: 23:30 happens twice.
    start = datetime(2025, 10, 29, 23, 30, tzinfo=CAIRO)
    due = cairo.add_working_days(start, 1)
    assert due == datetime(2025, 10, 30, 20, 30, tzinfo=UTC)  # the first 23:30, UTC+3
    assert cairo.working_days_between(start, due) == 1


# -------------------------------------------------------------------------- properties

CALENDARS = [
    calendar_for(None, "UTC"),
    calendar_for("CN", "Asia/Shanghai"),
    calendar_for("DE", "Europe/Berlin"),
    calendar_for("US", "America/New_York"),
    calendar_for(None, "Africa/Cairo"),
]
calendars = st.sampled_from(CALENDARS)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - bounds are naive by hypothesis' design
    max_value=datetime(2026, 6, 30),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, SHANGHAI, BERLIN, ZoneInfo("America/New_York"), CAIRO]),
)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30))
fast = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@fast
@given(calendars, instants, st.integers(min_value=0, max_value=80))
def test_between_inverts_add(cal: WorkCalendar, start: datetime, n: int) -> None:
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@fast
@given(calendars, instants, st.integers(min_value=1, max_value=80))
def test_add_lands_on_working_days_at_the_start_time(
    cal: WorkCalendar, start: datetime, n: int
) -> None:
    due = cal.add_working_days(start, n)
    assert due.tzinfo is UTC
    assert cal.is_working_day(cal.local_date(due))
    assert cal.local_date(due) > cal.local_date(start)
    back = cal.add_working_days(start, -n)
    assert cal.is_working_day(cal.local_date(back))
    assert cal.local_date(back) < cal.local_date(start)
    local_start = start.astimezone(cal.tz)
    local_due = due.astimezone(cal.tz)
    if cal.tz.utcoffset(local_due) == cal.tz.utcoffset(local_due - timedelta(hours=3)):
        assert local_due.time() == local_start.time()  # no DST change on the due day


@fast
@given(calendars, instants, st.integers(min_value=0, max_value=80))
def test_add_is_strictly_monotonic(cal: WorkCalendar, start: datetime, n: int) -> None:
    assert cal.add_working_days(start, n) < cal.add_working_days(start, n + 1)
    assert cal.add_working_days(start, -n) > cal.add_working_days(start, -n - 1)


@fast
@given(calendars, instants, instants)
def test_between_is_the_count_of_deadlines_passed(
    cal: WorkCalendar, start: datetime, end: datetime
) -> None:
    k = cal.working_days_between(start, end)
    assert k == -cal.working_days_between(end, start)
    if end >= start:
        assert k >= 0
        assert cal.add_working_days(start, k) <= end < cal.add_working_days(start, k + 1)


@fast
@given(calendars, days)
def test_next_and_previous(cal: WorkCalendar, d: date) -> None:
    nxt, prev = cal.next_working_day(d), cal.previous_working_day(d)
    assert prev < d < nxt
    assert cal.is_working_day(nxt) and cal.is_working_day(prev)
    between = [prev + timedelta(days=i) for i in range(1, (nxt - prev).days)]
    assert sum(cal.is_working_day(x) for x in between) == (1 if cal.is_working_day(d) else 0)


@fast
@given(calendars, days)
def test_month_listing_agrees_with_nth(cal: WorkCalendar, d: date) -> None:
    listed = cal.working_days_in_month(d.year, d.month)
    expected = [
        x
        for x in (date(d.year, d.month, 1) + timedelta(days=i) for i in range(31))
        if x.month == d.month and cal.is_working_day(x)
    ]
    assert listed == expected
    for i, x in enumerate(listed, start=1):
        assert cal.nth_working_day(d.year, d.month, i) == x
        assert cal.nth_working_day(d.year, d.month, i - len(listed) - 1) == x


def test_many_disputes_are_fast() -> None:
    """10,000 deadlines and countdowns: warm caches make this a few tens of milliseconds."""
    cal = calendar_for("CN", "Asia/Shanghai")
    now = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    opened = [now + timedelta(minutes=37 * i) for i in range(10_000)]
    dues = [cal.add_working_days(s, 5) for s in opened]
    assert [cal.working_days_between(s, d) for s, d in zip(opened, dues, strict=True)] == [5] * len(
        opened
    )
