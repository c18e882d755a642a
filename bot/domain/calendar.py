"""Working days in a configured holiday calendar and time zone.

This module owns every answer to "is this a working day?" and "when is n working days from
now?": dispute stage deadlines, "the 10th working day of the month" for recurring reviews,
and whether a digest goes out today. It is pure (no I/O, no Slack, no clock): callers pass
aware instants and get aware instants back, in UTC.

A calendar is a country code from the ``holidays`` library (e.g. ``"CN"``, ``"DE"``) or
``None`` for plain Monday to Friday with no holidays. Countries such as China move working
days onto weekends around long holidays ("adjusted working days"); those weekend days count
as working days here, and the weekdays they free up count as holidays.

Rules (the same everywhere in Parley):

* A *working day* is a local calendar date in the calendar's time zone.
* ``add_working_days(start, n)`` for ``n > 0`` is the same local wall-clock time as
  ``start`` on the n-th working day strictly after ``start``'s local date. The start date
  itself never counts, whether or not it is a working day, so a dispute opened on Saturday
  14:00 with 3 working days is due at 14:00 on the 3rd working day after that Saturday
  (Wednesday, in a plain week), exactly as if it had been opened on Friday at 14:00.
* When that wall-clock time does not exist on the due date (the spring-forward gap) it is
  moved forward by the length of the gap; when it exists twice (autumn fall-back) the earlier
  instant is used.
* ``working_days_between(start, end)`` is the largest ``k`` with
  ``add_working_days(start, k) <= end`` (and minus that count with the arguments swapped
  when ``end`` is before ``start``), so that it always agrees with ``add_working_days``.
"""

from __future__ import annotations

import bisect
import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays

__all__ = ["WorkCalendar", "calendar_for"]

# Countries whose adjusted working days are announced year by year (China's State Council
# publishes each year's schedule in the previous autumn). For these, a year is "official"
# only if the installed ``holidays`` release carries that year's adjusted days; for any other
# year the library silently falls back to statutory holidays alone.
_YEARLY_SCHEDULE_COUNTRIES = frozenset({"CN"})

# Holiday names are shown to people in Slack: prefer English where the library has it.
_PREFERRED_LANGUAGE = "en_US"


@dataclass(frozen=True, slots=True)
class _YearTable:
    """Every working-day fact about one calendar year, computed once."""

    first_ordinal: int  # date(year, 1, 1).toordinal()
    flags: tuple[bool, ...]  # flags[i]: is day i (0 = 1 January) a working day
    rank: tuple[int, ...]  # rank[i]: number of working days among days 0..i-1
    days: tuple[date, ...]  # the working days, in order
    names: Mapping[date, str]  # holiday names for dates in this year

    def index(self, d: date) -> int:
        return d.toordinal() - self.first_ordinal

    def count_through(self, d: date) -> int:
        """Working days in this year on or before ``d``."""
        return self.rank[self.index(d) + 1]

    def count_before(self, d: date) -> int:
        """Working days in this year strictly before ``d``."""
        return self.rank[self.index(d)]


class _HolidaySource:
    """One ``holidays`` object for a country, covering a contiguous year range.

    The range only grows: when a year outside it is needed, the object is rebuilt for the
    union range. Rebuilds are rare because each year's answers are kept in a ``_YearTable``.
    """

    def __init__(self, country: str) -> None:
        try:
            probe: Any = holidays.country_holidays(country)
        except NotImplementedError as exc:
            raise ValueError(f"unknown holiday calendar {country!r}") from exc
        languages: tuple[str, ...] = tuple(getattr(probe, "supported_languages", ()))
        preferred = _PREFERRED_LANGUAGE in languages
        self.language: str | None = _PREFERRED_LANGUAGE if preferred else None
        self.country = country
        # The library's canonical code (e.g. "CHN" -> "CN").
        self.canonical: str = str(getattr(probe, "country", country))
        self.adjusted_years = _adjusted_years(probe)
        self._lo = 0
        self._hi = -1
        self._obj: Any = probe

    def covering(self, first_year: int, last_year: int) -> Any:
        """The ``holidays`` object with at least ``first_year..last_year`` populated."""
        if not (self._lo <= first_year and last_year <= self._hi):
            lo = first_year if self._hi < self._lo else min(self._lo, first_year)
            hi = last_year if self._hi < self._lo else max(self._hi, last_year)
            self._obj = holidays.country_holidays(
                self.country, years=range(lo, hi + 1), language=self.language
            )
            self._lo, self._hi = lo, hi
        return self._obj


def _adjusted_years(obj: Any) -> tuple[int, int] | None:
    """First and last year for which the library lists adjusted (substituted) working days.

    ``holidays`` keeps them in ``special_public_holidays`` as ``{year: entries}``, where an
    entry of 4 or 5 items ``(to_month, to_day, from_month, from_day[, from_year])`` moves a
    working day from ``from`` (usually a weekend day, which becomes a working day) to ``to``.
    """
    specials = getattr(obj, "special_public_holidays", None)
    if not isinstance(specials, Mapping):
        return None
    years: list[int] = []
    for year, entries in specials.items():
        if not entries:
            continue
        items = entries if isinstance(entries[0], tuple) else (entries,)
        if any(len(item) >= 4 for item in items):
            years.append(int(year))
    return (min(years), max(years)) if years else None


@functools.lru_cache(maxsize=64)
def _names_in(country: str, year: int, language: str) -> Mapping[date, str]:
    """A year's holiday names in one of the library's languages for the country (empty when
    it has none in that language)."""
    probe: Any = holidays.country_holidays(country)
    if language not in tuple(getattr(probe, "supported_languages", ())):
        return MappingProxyType({})
    named = holidays.country_holidays(country, years=year, language=language)
    return MappingProxyType({d: str(name) for d, name in named.items()})


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """A holiday calendar (``country``, ``None`` = Monday to Friday) in a time zone ``tz``.

    Immutable and hashable; equal calendars compare equal. Answers are cached per year inside
    the instance, so reuse instances (see ``calendar_for``) rather than building one per call.
    Thread-safe.

    Raises ``ValueError`` for a country code the ``holidays`` library does not know.
    """

    country: str | None
    tz: ZoneInfo
    _source: _HolidaySource | None = field(init=False, repr=False, compare=False)
    _years: dict[int, _YearTable] = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        country = None if self.country is None else self.country.strip().upper()
        if country == "":
            raise ValueError("empty holiday calendar code: use None for Monday to Friday")
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "_source", None if country is None else _HolidaySource(country))
        object.__setattr__(self, "_years", {})
        object.__setattr__(self, "_lock", threading.Lock())

    # ----------------------------------------------------------------------------- dates

    def is_working_day(self, d: date) -> bool:
        """Whether local date ``d`` is a working day (adjusted weekend working days count)."""
        table = self._table(_plain_date(d).year)
        return table.flags[table.index(d)]

    def holiday_name(self, d: date, language: str | None = None) -> str | None:
        """The holiday's name on ``d``, or ``None``: in ``language`` (a locale tag such as
        ``zh-CN``) where the holiday library has the country's names in it, else English
        where available.

        A holiday that falls on a weekend still has a name; an adjusted weekend working day
        has none.
        """
        d = _plain_date(d)
        name = self._table(d.year).names.get(d)
        if name is None or language is None or self._source is None:
            return name
        return _names_in(self._source.country, d.year, language.replace("-", "_")).get(d, name)

    def holidays_between(self, start: date, end: date) -> list[date]:
        """The holidays after ``start`` up to ``end`` (local dates), each by its first day
        off, in order: what pushes a deadline counted in working days out."""
        found: list[date] = []
        day = _plain_date(start) + timedelta(days=1)
        last = _plain_date(end)
        while day <= last and len(found) < 31:
            name = self.holiday_name(day)
            # The holiday itself, not the library's extra days off for it ("(observed)",
            # "Day off (substituted from …)"): each holiday once, by its first day.
            first_day = not found or self.holiday_name(found[-1]) != name
            if name is not None and "(" not in name and not self.is_working_day(day) and first_day:
                found.append(day)
            day += timedelta(days=1)
        return found

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self._shift(_plain_date(d), 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self._shift(_plain_date(d), -1)

    def working_days_in_month(self, year: int, month: int) -> list[date]:
        """All working days of the month, in order."""
        first = date(year, month, 1)
        after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        days = self._table(year).days
        return list(days[bisect.bisect_left(days, first) : bisect.bisect_left(days, after)])

    def nth_working_day(self, year: int, month: int, n: int) -> date | None:
        """The n-th working day of the month (1 = first; -1 = last, -2 = second to last).

        ``None`` if the month has fewer than ``abs(n)`` working days. ``n == 0`` is a
        ``ValueError``.
        """
        if n == 0:
            raise ValueError("n counts from 1 (first) or -1 (last); 0 is not a position")
        days = self.working_days_in_month(year, month)
        if abs(n) > len(days):
            return None
        return days[n - 1] if n > 0 else days[n]

    def has_official_schedule(self, year: int) -> bool:
        """Whether ``year``'s working days are the officially published ones.

        For calendars whose adjusted working days are announced year by year (China), True
        only for years whose adjustments the installed ``holidays`` release contains: for
        other years the library knows only the statutory holidays, and the adjusted days are
        missing. Calendars without that practice (and ``None``) are always official.
        """
        source = self._source
        if source is None or source.canonical not in _YEARLY_SCHEDULE_COUNTRIES:
            return True
        known = source.adjusted_years
        return known is not None and known[0] <= year <= known[1]

    # -------------------------------------------------------------------------- instants

    def local_date(self, at: datetime) -> date:
        """The calendar's local date at the aware instant ``at``."""
        return self._local(at).date()

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The instant ``n`` working days after the aware instant ``start``, in UTC.

        Same local wall-clock time as ``start`` (in the calendar's zone) on the n-th working
        day strictly after ``start``'s local date; the start date never counts, working day
        or not. Negative ``n`` counts back the same way (strictly before). ``n == 0`` returns
        ``start`` (as UTC). See the module docstring for daylight-saving edge cases.
        """
        local = self._local(start)
        if n == 0:
            return start.astimezone(UTC)
        return self._at(self._shift(local.date(), n), local.time())

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days from ``start`` to ``end``; negative if ``end`` is earlier.

        It is the largest ``k >= 0`` with ``add_working_days(start, k) <= end``, so
        ``working_days_between(s, add_working_days(s, n)) == n`` for every ``n >= 0``; and
        ``working_days_between(a, b) == -working_days_between(b, a)``. Use it for
        "2 working days left" (start = now, end = deadline) and "overdue by 1 working day"
        (a negative result).
        """
        local_start, local_end = self._local(start), self._local(end)
        if end < start:
            return -self.working_days_between(end, start)
        first, last = local_start.date(), local_end.date()
        count = self._count_after_through(first, last)
        if count > 0:
            last_working = last if self.is_working_day(last) else self._shift(last, -1)
            if self._at(last_working, local_start.time()) > end:
                count -= 1
        return count

    # -------------------------------------------------------------------------- internals

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"need an aware datetime, got naive {at!r}")
        return at.astimezone(self.tz)

    def _at(self, d: date, t: time) -> datetime:
        """Local wall-clock ``t`` on ``d`` as a UTC instant (gap: forward; overlap: earlier)."""
        return datetime.combine(d, t.replace(tzinfo=None, fold=0), tzinfo=self.tz).astimezone(UTC)

    def _table(self, year: int) -> _YearTable:
        table = self._years.get(year)
        if table is None:
            with self._lock:
                table = self._years.get(year)
                if table is None:
                    table = self._build(year)
                    self._years[year] = table
        return table

    def _build(self, year: int) -> _YearTable:
        first = date(year, 1, 1)
        size = (date(year + 1, 1, 1) - first).days if year < date.max.year else 365
        dates = [first + timedelta(days=i) for i in range(size)]
        names: dict[date, str] = {}
        if self._source is None:
            flags = tuple(d.weekday() < 5 for d in dates)
        else:
            # Neighbouring years too: observed days and adjustments can cross New Year.
            obj = self._source.covering(max(year - 1, 1), min(year + 1, date.max.year))
            flags = tuple(bool(obj.is_working_day(d)) for d in dates)
            for d in dates:
                name = obj.get(d)
                if name is not None:
                    names[d] = str(name)
        rank = [0]
        for flag in flags:
            rank.append(rank[-1] + flag)
        return _YearTable(
            first_ordinal=first.toordinal(),
            flags=flags,
            rank=tuple(rank),
            days=tuple(d for d, flag in zip(dates, flags, strict=True) if flag),
            names=MappingProxyType(names),
        )

    def _shift(self, d: date, n: int) -> date:
        """The n-th working day strictly after (n > 0) or before (n < 0) ``d``."""
        table, year = self._table(d.year), d.year
        if n > 0:
            i = table.count_through(d) + n - 1  # index into the year's working days
            while i >= len(table.days):
                i -= len(table.days)
                year += 1
                table = self._table(year)
            return table.days[i]
        if n < 0:
            i = table.count_before(d) + n
            while i < 0:
                year -= 1
                table = self._table(year)
                i += len(table.days)
            return table.days[i]
        return d

    def _count_after_through(self, first: date, last: date) -> int:
        """Working days ``d`` with ``first < d <= last`` (``first <= last``)."""
        if first.year == last.year:
            table = self._table(first.year)
            return table.count_through(last) - table.count_through(first)
        head = self._table(first.year)
        total = len(head.days) - head.count_through(first)
        for year in range(first.year + 1, last.year):
            total += len(self._table(year).days)
        return total + self._table(last.year).count_through(last)


def _plain_date(d: date) -> date:
    if isinstance(d, datetime):
        raise TypeError("pass a date, not a datetime: use WorkCalendar.local_date(instant)")
    return d


@functools.lru_cache(maxsize=128)
def _cached_calendar(country: str | None, tz_name: str) -> WorkCalendar:
    return WorkCalendar(country, ZoneInfo(tz_name))


def calendar_for(country: str | None, tz_name: str) -> WorkCalendar:
    """The shared ``WorkCalendar`` for a country code (or ``None``) and an IANA zone name.

    Cached, so repeated calls share one instance and its per-year caches. Raises
    ``ValueError`` for an unknown country and ``zoneinfo.ZoneInfoNotFoundError`` for an
    unknown zone.
    """
    normalized = None if country is None else country.strip().upper()
    return _cached_calendar(normalized, tz_name)
