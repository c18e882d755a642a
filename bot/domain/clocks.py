"""Response clocks: how long a party took to answer, in wall time and in working hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.domain.calendar import WorkCalendar

# Office hours on working days, in the calendar's zone. The contract's config has no setting
# for them yet; 09:00-18:00 is the common service-desk day.
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(18, 0)


def working_seconds(start: datetime, end: datetime, calendar: WorkCalendar) -> int:
    """Seconds between two instants that fall in office hours on working days."""
    if end <= start:
        return 0
    tz = calendar.tz
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    total = 0.0
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            opens = datetime.combine(day, OFFICE_OPENS, tzinfo=tz)
            closes = datetime.combine(day, OFFICE_CLOSES, tzinfo=tz)
            overlap = min(closes, end) - max(opens, start)
            total += max(overlap, timedelta(0)).total_seconds()
        day += timedelta(days=1)
    return int(total)


def duration_parts(seconds: int, *, in_days: bool = True) -> tuple[int, int, int]:
    """Whole days, hours and minutes in `seconds` (office hours: no days, `44` hours); the
    adapter words them for the reader."""
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60) if in_days else (0, minutes)
    hours, minutes = divmod(rest, 60)
    return days, hours, minutes
