"""The audit figures' clock over a table of the calendar's days: each row's support hours and
working days in a few look-ups instead of a walk over its days (pure).

`bot/store/audit_figures.py` counts a supplier's first replies and resolved disputes with it,
thousands of rows a period. Each instant is whole microseconds since the epoch (UTC). For a
calendar, one table (built once per range of years, kept per calendar) holds every local day's
midnight, its office window (`audit_scores.office_window`), and running sums of the office
seconds and working days before it, so that:

- `support_hours` is `audit_scores.support_hours_between` to the last bit: the same float sum,
  term by term in day order, done in bulk wherever the sum is exact (an integer number of
  seconds added to a float that stays within its binade is exact, so the days between two
  roundings are added at once, found by bisection over the running sums) and step by step
  where it rounds (at most once per binade, so a few times a row);
- `working_days` is `WorkCalendar.working_days_between`;
- `within_response_time` is `audit_scores.within_response_time`.

A row whose first or last day is not a plain 24-hour day of one UTC offset (a daylight-saving
change) is counted the slow way, from datetimes, as is every row of a calendar whose office
windows are not whole seconds inside their own day (no time zone has such days).
"""

from __future__ import annotations

import bisect
import functools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from bot.domain import audit_scores
from bot.domain.audit_scores import microseconds, office_window, support_hours_between
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import SupportHours

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DAY: Final = 86_400_000_000
_SECOND: Final = 1_000_000
#: Far below a microsecond's worth of hours, far above a float sum's rounding (as there).
_NOISE_HOURS: Final = 1e-7


def instant(us: int) -> datetime:
    """Whole microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True, slots=True)
class _Days:
    """The calendar's local days from 1 January of `first_year` to 31 December of `last_year`
    (index k = the k-th of them)."""

    first_year: int
    last_year: int
    low: int  # the first day's local midnight
    high: int  # the local midnight after the last day
    midnight: list[int]  # midnight[k]: day k's local midnight; one more, `high`
    #: 24 hours of one UTC offset (no daylight-saving change in the day), and every office
    #: window of the calendar whole seconds inside its own day.
    regular: list[bool]
    opens: list[int]  # the office window of a working day; its midnight twice on a day off
    closes: list[int]
    seconds: list[int]  # seconds[k]: the office seconds of the days before day k
    working: list[int]  # working[k]: the working days before day k
    last_working: list[int]  # last_working[k]: the last working day at or before k, or -1


def _build(calendar: WorkCalendar, first_year: int, last_year: int) -> _Days:
    tz = calendar.tz
    first = date(first_year, 1, 1)
    count = (date(last_year + 1, 1, 1) - first).days
    days = [first + timedelta(days=k) for k in range(count + 1)]
    midnight = [microseconds(datetime.combine(d, time(0), tzinfo=tz)) for d in days]
    regular: list[bool] = []
    opens: list[int] = []
    closes: list[int] = []
    seconds, working, last_working = [0], [0], []
    exact, latest = True, -1
    for k in range(count):
        start, end = midnight[k], midnight[k + 1]
        offset = instant(start).astimezone(tz).utcoffset()
        same = instant(end - 1).astimezone(tz).utcoffset() == offset
        regular.append(end - start == _DAY and same)
        window = office_window(calendar, days[k])
        if window is None:
            opens.append(start)
            closes.append(start)
            seconds.append(seconds[-1])
            working.append(working[-1])
        else:
            opens.append(window[0])
            closes.append(window[1])
            length = window[1] - window[0]
            exact = exact and length % _SECOND == 0 and start <= window[0] <= window[1] <= end
            seconds.append(seconds[-1] + length // _SECOND)
            working.append(working[-1] + 1)
            latest = k
        last_working.append(latest)
    if not exact:
        regular = [False] * count
    return _Days(
        first_year=first_year,
        last_year=last_year,
        low=midnight[0],
        high=midnight[-1],
        midnight=midnight,
        regular=regular,
        opens=opens,
        closes=closes,
        seconds=seconds,
        working=working,
        last_working=last_working,
    )


#: The most years one table covers (each year is about 1,100 numbers kept).
_MOST_YEARS: Final = 60
#: The instants a table may cover: years 2 to 9997 (a year either side stays in range).
_LOWEST: Final = microseconds(datetime(2, 1, 1, tzinfo=UTC))
_HIGHEST: Final = microseconds(datetime(9998, 1, 1, tzinfo=UTC))


class AuditClock:
    """Support hours and working days of many rows of one calendar. Get it by `clock_for`."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._days: _Days | None = None
        self._lock = threading.Lock()

    def _grown(self, start: int, end: int) -> _Days | None:
        """The table grown by whole years to hold the days of both instants, or None for an
        instant too far from the others for one."""
        if not (_LOWEST <= start < _HIGHEST and _LOWEST <= end < _HIGHEST):
            return None
        years = instant(start).year, instant(end).year
        with self._lock:
            lo, hi = min(years) - 1, max(years) + 1
            if self._days is not None:
                lo, hi = min(lo, self._days.first_year), max(hi, self._days.last_year)
            if hi - lo >= _MOST_YEARS:
                return None  # a row decades long (a mistyped year): counted from datetimes
            days = self._days = _build(self.calendar, lo, hi)
            return days

    def _span(self, start: int, end: int) -> tuple[_Days, int, int] | None:
        """The table and the indices of the local days of `start` and `end`, when both days
        are regular (else None: the row is counted from datetimes)."""
        days = self._days
        if days is None or not (days.low <= start < days.high and days.low <= end < days.high):
            days = self._grown(start, end)
            if days is None:
                return None
        i = bisect.bisect_right(days.midnight, start) - 1
        j = bisect.bisect_right(days.midnight, end) - 1
        return (days, i, j) if days.regular[i] and days.regular[j] else None

    def support_hours(self, start: int, end: int, support: SupportHours) -> float:
        """`audit_scores.support_hours_between` of the two instants, to the last bit."""
        if end <= start:
            return 0.0
        if support is SupportHours.ALWAYS:
            return (end - start) / _SECOND / 3600  # timedelta.total_seconds() / 3600
        span = self._span(start, end)
        if span is None:
            return support_hours_between(instant(start), instant(end), support, self.calendar)
        return _office_hours(*span, start, end)

    def working_days(self, start: int, end: int) -> int:
        """`WorkCalendar.working_days_between` of the two instants."""
        span = self._span(start, end) if end >= start else None
        found = _working_days(*span, start, end) if span is not None else None
        if found is None:
            return self.calendar.working_days_between(instant(start), instant(end))
        return found

    def first_replies(
        self, rows: Iterable[tuple[int, int]], support: SupportHours, agreed: float | None
    ) -> tuple[list[float], int]:
        """Each (brought in, first reply) row's `support_hours`, in order, and how many of the
        replies came within `agreed` hours (`within_response_time`; 0 when None)."""
        hours: list[float] = []
        within = 0
        office = support is SupportHours.OFFICE
        # Clearly within or clearly not (`within_response_time`'s first two answers, inline).
        surely = agreed - _NOISE_HOURS if agreed is not None else -math.inf
        never = agreed + _NOISE_HOURS if agreed is not None else -math.inf
        days = self._days
        for start, end in rows:
            if (
                office
                and days is not None
                and days.low <= start < end < days.high
                and days.regular[i := bisect.bisect_right(days.midnight, start) - 1]
                and days.regular[j := bisect.bisect_right(days.midnight, end) - 1]
            ):
                if i == j:  # most replies: within a day, its share alone (as the walk adds it)
                    begin, finish = max(days.opens[i], start), min(days.closes[i], end)
                    taken = (finish - begin) / _SECOND / 3600 if finish > begin else 0.0
                else:
                    taken = _office_hours(days, i, j, start, end)
            else:
                taken = self.support_hours(start, end, support)
                days = self._days
            hours.append(taken)
            if taken < surely:
                within += 1
            elif agreed is not None and taken <= never:
                within += self.within_response_time(start, end, agreed, taken, support)
        return hours, within

    def resolutions(
        self, rows: Iterable[tuple[int, int]], support: SupportHours
    ) -> tuple[list[float], list[int]]:
        """Each (brought in, resolved) row's `support_hours` and `working_days`, in order."""
        hours: list[float] = []
        working: list[int] = []
        office = support is SupportHours.OFFICE
        days = self._days
        for start, end in rows:
            found = None
            if (
                office
                and days is not None
                and days.low <= start < end < days.high
                and days.regular[i := bisect.bisect_right(days.midnight, start) - 1]
                and days.regular[j := bisect.bisect_right(days.midnight, end) - 1]
            ):
                hours.append(_office_hours(days, i, j, start, end))
                found = _working_days(days, i, j, start, end)
            else:
                hours.append(self.support_hours(start, end, support))
            working.append(self.working_days(start, end) if found is None else found)
            days = self._days
        return hours, working

    def within_response_time(
        self, started: int, replied: int, hours: float, elapsed: float, support: SupportHours
    ) -> bool:
        """`audit_scores.within_response_time`: the due instant only for a reply on it."""
        if elapsed < hours - _NOISE_HOURS:
            return True
        if elapsed > hours + _NOISE_HOURS:
            return False
        return audit_scores.within_response_time(
            instant(started), instant(replied), hours, elapsed, support, self.calendar
        )


def _office_hours(days: _Days, i: int, j: int, start: int, end: int) -> float:
    """The walk of `support_hours_between` over days i..j (start's and end's), in bulk."""
    opens, closes = days.opens, days.closes
    total = 0.0
    # The first day's share, as the walk adds it.
    begin, finish = max(opens[i], start), min(closes[i], end)
    if finish > begin:
        total += (finish - begin) / _SECOND
    if j == i:
        return total / 3600
    # The whole days between, each a whole number of seconds.
    sums = days.seconds
    k = i + 1
    while k < j:
        if total.is_integer():
            total += sums[j] - sums[k]  # integers below 2**53: exact, as each step was
            break
        # Exact while the sum stays below the next power of two (the same multiple of the
        # same last bit); the day that crosses it is added alone, rounded as the walk does.
        room = math.ceil(math.ldexp(1.0, math.frexp(total)[1]) - total)
        cross = bisect.bisect_left(sums, sums[k] + room, k, j + 1) - 1
        total += sums[cross] - sums[k]
        if cross >= j:
            break
        total += sums[cross + 1] - sums[cross]
        k = cross + 1
    # The last day's share: it begins at its opening.
    begin, finish = max(opens[j], start), min(closes[j], end)
    if finish > begin:
        total += (finish - begin) / _SECOND
    return total / 3600


def _working_days(days: _Days, i: int, j: int, start: int, end: int) -> int | None:
    """`working_days_between` for `start` <= `end` on regular days i and j, or None when the
    last working day between is not regular (then it is counted from datetimes)."""
    count = days.working[j + 1] - days.working[i + 1]  # working days after day i up to day j
    if count <= 0:
        return count
    # The start's wall-clock time on the last working day, as `_at` places it.
    latest = days.last_working[j]
    if not days.regular[latest]:
        return None
    return count - (days.midnight[latest] + (start - days.midnight[i]) > end)


@functools.lru_cache(maxsize=64)
def clock_for(calendar: WorkCalendar) -> AuditClock:
    """The shared clock of a calendar (its table of days is built once per range of years)."""
    return AuditClock(calendar)
