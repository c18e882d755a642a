"""The audit figures' fast clock agrees with the response clock (`contracts.response_due`)
and with office hours counted on whole datetimes, at every boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.audit_scores import support_hours_between, within_response_time
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
