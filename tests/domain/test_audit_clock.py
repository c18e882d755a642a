"""The audit figures' fast clock agrees with the response clock (`contracts.response_due`)
and with office hours counted on whole datetimes, at every boundary."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.domain.audit_clock import clock_for, instant
from bot.domain.audit_scores import microseconds, support_hours_between, within_response_time
from bot.domain.calendar import calendar_for
from bot.domain.contracts import OFFICE_CLOSES, OFFICE_OPENS, SupportHours, response_due

CAL = calendar_for("CN", "Asia/Shanghai")
FIVE = SupportHours.OFFICE


def _slow_hours(start: datetime, end: datetime) -> float:
    """Office hours counted the plain way, with datetimes."""
    if end <= start:
        return 0.0
    tz = CAL.tz
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    seconds = 0.0
    while day <= last:
        if CAL.is_working_day(day):
            opens = datetime.combine(day, OFFICE_OPENS, tzinfo=tz)
            closes = datetime.combine(day, OFFICE_CLOSES, tzinfo=tz)
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                seconds += (finish - begin).total_seconds()
        day += timedelta(days=1)
    return seconds / 3600


def test_office_hours_match_the_plain_count_to_the_last_bit() -> None:
    # Around the National Day holiday and a weekend, in odd steps with microseconds.
    base = datetime(2026, 9, 29, 0, 0, 0, 123, tzinfo=UTC)
    for i in range(300):
        start = base + timedelta(minutes=37 * i, microseconds=7 * i)
        for span in (timedelta(0), timedelta(minutes=5), timedelta(hours=9), timedelta(days=6)):
            end = start + span + timedelta(microseconds=i)
            assert support_hours_between(start, end, FIVE, CAL) == _slow_hours(start, end)


def test_within_response_time_is_the_due_instant_compared() -> None:
    base = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)
    for hours in (1, 2, 4.5):
        due = response_due(base, hours, FIVE, CAL)
        for replied in (
            due - timedelta(microseconds=1),
            due,
            due + timedelta(microseconds=1),
            due + timedelta(hours=3),  # after closing: the elapsed hours are still `hours`
            due + timedelta(days=9),
            base + timedelta(minutes=1),
        ):
            elapsed = support_hours_between(base, replied, FIVE, CAL)
            assert within_response_time(base, replied, hours, elapsed, FIVE, CAL) == (
                replied <= due
            )


# The table of days (`audit_clock`): the same answers as the walks above, to the last bit, for
# rows of every length in zones with daylight saving (at 02:00, at midnight, by half an hour),
# China's holidays and worked weekend days, and none.
CLOCK_CALENDARS = (
    CAL,
    calendar_for(None, "UTC"),
    calendar_for("DE", "Europe/Berlin"),
    calendar_for("US", "America/New_York"),
    calendar_for("CL", "America/Santiago"),
    calendar_for(None, "Australia/Lord_Howe"),
)


def _random_rows(rng: random.Random, count: int) -> list[tuple[int, int]]:
    base = microseconds(datetime(2025, 1, 1, tzinfo=UTC))
    rows = []
    for _ in range(count):
        start = (
            base + rng.randrange(3 * 365 * 86400) * 10**6 + rng.choice((0, rng.randrange(10**6)))
        )
        seconds = rng.choice((0, 7200, rng.randrange(86400), rng.randrange(40 * 86400)))
        seconds = -seconds if rng.random() < 0.05 else seconds
        rows.append((start, start + seconds * 10**6 + rng.choice((0, rng.randrange(10**6)))))
    return rows


def test_the_table_of_days_counts_as_the_walk_does() -> None:
    rng = random.Random(7)
    for calendar in CLOCK_CALENDARS:
        clock = clock_for(calendar)
        rows = _random_rows(rng, 400)
        times = [(instant(a), instant(b)) for a, b in rows]
        for support in SupportHours:
            hours = [support_hours_between(a, b, support, calendar) for a, b in times]
            days = [calendar.working_days_between(a, b) for a, b in times]
            assert [clock.support_hours(a, b, support) for a, b in rows] == hours, calendar
            assert [clock.working_days(a, b) for a, b in rows] == days, calendar
            assert clock.resolutions(rows, support) == (hours, days), calendar
            for agreed in (2, 4.5):
                within = sum(
                    within_response_time(a, b, agreed, h, support, calendar)
                    for (a, b), h in zip(times, hours, strict=True)
                )
                assert clock.first_replies(rows, support, agreed) == (hours, within)
            assert clock.first_replies(rows, support, None) == (hours, 0)


def test_a_reply_on_the_due_instant_and_the_days_far_from_now() -> None:
    clock = clock_for(CAL)
    started = datetime(2026, 9, 30, 1, 0, 0, 5, tzinfo=UTC)
    due = response_due(started, 2, FIVE, CAL)
    for replied in (due - timedelta(microseconds=1), due, due + timedelta(microseconds=1)):
        a, b = microseconds(started), microseconds(replied)
        hours, within = clock.first_replies([(a, b)], FIVE, 2)
        assert within == (replied <= due)
        assert hours == [support_hours_between(started, replied, FIVE, CAL)]
    # Instants years apart grow the table; a row longer than it holds is counted from datetimes.
    for a, b in (
        (datetime(1990, 5, 1, tzinfo=UTC), datetime(2031, 2, 3, 4, tzinfo=UTC)),
        (datetime(1900, 5, 1, tzinfo=UTC), datetime(2026, 10, 9, 3, 0, 0, 1, tzinfo=UTC)),
    ):
        assert clock.support_hours(microseconds(a), microseconds(b), FIVE) == (
            support_hours_between(a, b, FIVE, CAL)
        )
        assert clock.working_days(microseconds(a), microseconds(b)) == (
            CAL.working_days_between(a, b)
        )
