"""How each of a scorecard's dimensions is scored from the figures of the record (pure).

The figures are counted by `bot/store/audit_figures.py`; each formula is in `docs/audits.md`.
A dimension without data (nothing to count, or a contract-relative one for a supplier without a
contract) has score None and says why in its facts (`no_data`: "contract" or "record").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from statistics import median
from typing import Final

from bot.domain.audits import Dimension, DimensionScore, ratio_score
from bot.domain.calendar import WorkCalendar
from bot.domain.contracts import (
    OFFICE_CLOSES,
    OFFICE_OPENS,
    Contract,
    SupportHours,
    response_due,
)

#: Why a dimension has no data.
NO_CONTRACT: Final = "contract"
NO_RECORD: Final = "record"


@dataclass(frozen=True)
class Figures:
    """What the record of one supplier holds for one period (counted by the store)."""

    #: First replies in the period: how many, how many within the contracted response time,
    #: and each one's time since the supplier was brought in, in its support hours.
    first_replies: int = 0
    replies_within: int = 0
    reply_hours: tuple[float, ...] = ()
    #: Disputes of the supplier closed in the period, and those resolved before the company
    #: process stage (in coordination or multi-party).
    closed: int = 0
    solved_early: int = 0
    #: Resolved disputes: each one's time from the supplier being brought in to its resolution,
    #: in its support hours and in working days.
    resolve_hours: tuple[float, ...] = ()
    resolve_working_days: tuple[int, ...] = ()
    #: Its people who answered for it or sat in its shared channels in the period; those of
    #: them who had left the shared channels by the period's end.
    people: int = 0
    leavers: int = 0
    #: Survey ratings (1-5) given by the other parties on its disputes, and complaints linked to
    #: its disputes, in the period.
    ratings: tuple[int, ...] = ()
    complaints: int = 0


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def microseconds(at: datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact)."""
    return (at - _EPOCH) // _MICROSECOND


@lru_cache(maxsize=8192)
def office_window(calendar: WorkCalendar, day: date) -> tuple[int, int] | None:
    """The office hours of local date `day` as epoch microseconds, or None on a day off."""
    if not calendar.is_working_day(day):
        return None
    opens = datetime.combine(day, OFFICE_OPENS, tzinfo=calendar.tz)
    closes = datetime.combine(day, OFFICE_CLOSES, tzinfo=calendar.tz)
    return microseconds(opens), microseconds(closes)


def support_hours_between(
    start: datetime, end: datetime, support: SupportHours, calendar: WorkCalendar
) -> float:
    """Hours from `start` to `end` counted in the support hours: wall time for 24x7, office
    hours of working days for 5x8 (the response clock's way, `contracts.response_due`).

    Each day's office window is computed once per calendar and kept as whole microseconds,
    so a day's share is the same correctly rounded division `timedelta.total_seconds` makes."""
    if end <= start:
        return 0.0
    if support is SupportHours.ALWAYS:
        return (end - start).total_seconds() / 3600
    tz = calendar.tz
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    begin_at, end_at = microseconds(start), microseconds(end)
    seconds = 0.0
    while day <= last:
        window = office_window(calendar, day)
        if window is not None:
            begin, finish = max(window[0], begin_at), min(window[1], end_at)
            if finish > begin:
                seconds += (finish - begin) / 1_000_000
        day += timedelta(days=1)
    return seconds / 3600


def within_response_time(
    started: datetime,
    replied: datetime,
    hours: float,
    elapsed: float,
    support: SupportHours,
    calendar: WorkCalendar,
) -> bool:
    """Whether a reply at `replied` came by `contracts.response_due(started, hours, ...)`,
    given `elapsed` = `support_hours_between(started, replied, ...)`. The support hours
    elapsed grow with the reply's time and reach `hours` at the due instant, so only a reply
    whose elapsed hours are `hours` itself (within float noise) needs the due instant."""
    if elapsed < hours - _NOISE_HOURS:
        return True
    if elapsed > hours + _NOISE_HOURS:
        return False
    return replied <= response_due(started, hours, support, calendar)


#: Far below a microsecond's worth of hours, far above a float sum's rounding.
_NOISE_HOURS: Final = 1e-7


def _no_data(dimension: Dimension, why: str, weight: float) -> DimensionScore:
    return DimensionScore(dimension=dimension, score=None, facts={"no_data": why}, weight=weight)


def _hours(value: float) -> float:
    return round(value, 1)


def responsiveness(figures: Figures, contract: Contract | None, weight: float) -> DimensionScore:
    """The share of first replies within the contracted response time (and the median)."""
    if contract is None:
        return _no_data(Dimension.RESPONSIVENESS, NO_CONTRACT, weight)
    score = ratio_score(figures.replies_within, figures.first_replies)
    if score is None:
        return _no_data(Dimension.RESPONSIVENESS, NO_RECORD, weight)
    return DimensionScore(
        dimension=Dimension.RESPONSIVENESS,
        score=score,
        facts={
            "within": figures.replies_within,
            "replies": figures.first_replies,
            "median_hours": _hours(median(figures.reply_hours)),
            "contract_hours": contract.terms.response_hours,
            "support_hours": contract.terms.support_hours.value,
        },
        weight=weight,
    )


def problem_solving(figures: Figures, weight: float) -> DimensionScore:
    """The share of its closed disputes resolved before the company process stage."""
    score = ratio_score(figures.solved_early, figures.closed)
    if score is None:
        return _no_data(Dimension.PROBLEM_SOLVING, NO_RECORD, weight)
    return DimensionScore(
        dimension=Dimension.PROBLEM_SOLVING,
        score=score,
        facts={"early": figures.solved_early, "closed": figures.closed},
        weight=weight,
    )


def efficiency(figures: Figures, contract: Contract | None, weight: float) -> DimensionScore:
    """The median time to resolve against the contracted resolution time: 100 at or under it,
    else 100 × contracted ÷ median (twice the time is 50)."""
    if contract is None:
        return _no_data(Dimension.EFFICIENCY, NO_CONTRACT, weight)
    if not figures.resolve_hours:
        return _no_data(Dimension.EFFICIENCY, NO_RECORD, weight)
    taken = median(figures.resolve_hours)
    agreed = contract.terms.resolution_hours
    score = 100 if taken <= agreed else (200 * agreed + taken) // (2 * taken)
    return DimensionScore(
        dimension=Dimension.EFFICIENCY,
        score=int(score),
        facts={
            "resolved": len(figures.resolve_hours),
            "median_hours": _hours(taken),
            "median_working_days": float(median(figures.resolve_working_days)),
            "contract_hours": agreed,
            "support_hours": contract.terms.support_hours.value,
        },
        weight=weight,
    )


def staff_stability(figures: Figures, weight: float) -> DimensionScore:
    """The share of its people in the period who had not left its shared channels by its end."""
    stayed = figures.people - figures.leavers
    score = ratio_score(stayed, figures.people)
    if score is None:
        return _no_data(Dimension.STAFF_STABILITY, NO_RECORD, weight)
    return DimensionScore(
        dimension=Dimension.STAFF_STABILITY,
        score=score,
        facts={"stayed": stayed, "people": figures.people, "leavers": figures.leavers},
        weight=weight,
    )


def customer_feedback(figures: Figures, weight: float) -> DimensionScore:
    """The mean of the survey ratings on its disputes, each linked complaint counting as a
    rating of 1, on 0-100 (1 → 0, 5 → 100)."""
    count = len(figures.ratings) + figures.complaints
    if count == 0:
        return _no_data(Dimension.CUSTOMER_FEEDBACK, NO_RECORD, weight)
    points = sum(figures.ratings) + figures.complaints
    # (mean - 1) × 25 = 25 × (points - count) / count, rounded half up
    score = (50 * (points - count) + count) // (2 * count)
    mean = sum(figures.ratings) / len(figures.ratings) if figures.ratings else None
    return DimensionScore(
        dimension=Dimension.CUSTOMER_FEEDBACK,
        score=score,
        facts={
            "answers": len(figures.ratings),
            "mean_rating": round(mean, 2) if mean is not None else None,
            "complaints": figures.complaints,
        },
        weight=weight,
    )
