"""Reports: which period one asks about (`last quarter`, `今年`, `2026-01-01 to 2026-03-31`),
its quarters, and the satisfaction report's figures made from the store's aggregates.

Pure rules: the store sums and counts (`bot/store/reports.py`), this module turns those sums
into averages, rates and a median, and reads the period words in English and Chinese.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.records import Record

# A custom period spans at most this many quarters (five years): the chart stays readable
# and the per-quarter query bounded.
MAX_QUARTERS = 20


class Period(Record):
    """Local dates, both included, in the company's zone."""

    start: date
    end: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC-aware instants: from its first midnight, up to (not including)
        the midnight after its last day."""
        return _midnight(self.start, tz), _midnight(self.end + timedelta(days=1), tz)

    def quarters(self) -> list[tuple[int, int]]:
        """(year, quarter) of every quarter the period touches, in order."""
        out: list[tuple[int, int]] = []
        year, q = self.start.year, quarter_of(self.start)
        while quarter_start(year, q) <= self.end:
            out.append((year, q))
            year, q = (year + 1, 1) if q == 4 else (year, q + 1)
        return out


def _midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def quarter_start(year: int, q: int) -> date:
    return date(year, 3 * (q - 1) + 1, 1)


def quarter_end(year: int, q: int) -> date:
    nxt = quarter_start(year + 1, 1) if q == 4 else quarter_start(year, q + 1)
    return nxt - timedelta(days=1)


def quarter_edges(period: Period, tz: ZoneInfo) -> list[datetime]:
    """The instants where the period's quarters after the first begin: a row `at` falls in
    quarter i when it is before edge i (and not before edge i-1)."""
    return [_midnight(quarter_start(y, q), tz) for y, q in period.quarters()[1:]]


# --- the period words -------------------------------------------------------------------------

_NAMED = {
    "this year": "this_year",
    "last year": "last_year",
    "this quarter": "this_quarter",
    "last quarter": "last_quarter",
    "next year": "future",
    "next quarter": "future",
    "今年": "this_year",
    "本年": "this_year",
    "本年度": "this_year",
    "去年": "last_year",
    "上一年": "last_year",
    "本季度": "this_quarter",
    "这个季度": "this_quarter",
    "这季度": "this_quarter",
    "本季": "this_quarter",
    "上季度": "last_quarter",
    "上个季度": "last_quarter",
    "上一季度": "last_quarter",
    "上季": "last_quarter",
    "明年": "future",
    "下季度": "future",
    "下个季度": "future",
}
_NAMED_TAIL = re.compile(
    r"(?:^|\s)(" + "|".join(sorted((re.escape(k) for k in _NAMED), key=len, reverse=True)) + r")$",
    re.IGNORECASE,
)
# `this month`, `last week`, `上个月`: period words of a kind the report does not take.
_OTHER_TAIL = re.compile(
    r"(?:^|\s)((?:this|last|next|past|previous)\s+\w+|[上下本这今去明前][个一]?[周月年天日])$",
    re.IGNORECASE,
)
_DAY = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_RANGE_TAIL = re.compile(rf"(?:^|\s)({_DAY})\s*(?:to|until|[-–—~～至到])\s*({_DAY})$", re.I)
# Something that looks like a date or a range but is not one we can read (a bad date, a
# missing end); a party's name with a digit in it (`3M`) is not one.
_DATEISH_TAIL = re.compile(
    r"(?:^|\s)(\S*\d\s*[-/.年月]\S*(?:\s+(?:to|until)(?:\s+\S*)?|\s*[至到～~]\s*\S*)?)$",
    re.IGNORECASE,
)
_DAY_PARTS = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class PartyAndPeriod:
    party: str  # as typed; "" for every party
    period: Period


def split_party_and_period(text: str, *, today: date) -> PartyAndPeriod:
    """`Contoso Retail this year` → ("Contoso Retail", this year so far). The period is read
    from the end of the text; what comes before it names the party. No period: this year."""
    text = " ".join(text.split())
    named = _NAMED_TAIL.search(text)
    if named is not None:
        period = _named_period(_NAMED[named.group(1).lower()], today=today, text=named.group(1))
        return PartyAndPeriod(party=text[: named.start()].strip(), period=period)
    ranged = _RANGE_TAIL.search(text)
    if ranged is not None:
        period = _range(ranged.group(1), ranged.group(2), today=today, text=ranged.group(0))
        return PartyAndPeriod(party=text[: ranged.start()].strip(), period=period)
    other = _OTHER_TAIL.search(text) or _DATEISH_TAIL.search(text)
    if other is not None:
        raise InvalidInput("report.bad_period", text=other.group(1).strip()[:60])
    return PartyAndPeriod(party=text, period=_named_period("this_year", today=today, text=""))


def _named_period(kind: str, *, today: date, text: str) -> Period:
    q = quarter_of(today)
    if kind == "this_year":
        return Period(start=date(today.year, 1, 1), end=today)
    if kind == "last_year":
        return Period(start=date(today.year - 1, 1, 1), end=date(today.year - 1, 12, 31))
    if kind == "this_quarter":
        return Period(start=quarter_start(today.year, q), end=today)
    if kind == "last_quarter":
        year, last = (today.year - 1, 4) if q == 1 else (today.year, q - 1)
        return Period(start=quarter_start(year, last), end=quarter_end(year, last))
    raise InvalidInput("report.future", text=text)


def _day(text: str) -> date | None:
    found = _DAY_PARTS.fullmatch(text.strip().removesuffix("日").strip())
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _range(first: str, last: str, *, today: date, text: str) -> Period:
    start, end = _day(first), _day(last)
    if start is None or end is None:
        raise InvalidInput("report.bad_period", text=text.strip()[:60])
    if start > end:
        raise InvalidInput("report.inverted", start=start, end=end)
    if start > today:
        raise InvalidInput("report.future", text=text.strip()[:60])
    period = Period(start=start, end=min(end, today))  # what has not happened yet is not counted
    if len(period.quarters()) > MAX_QUARTERS:
        raise InvalidInput("report.too_long", quarters=MAX_QUARTERS)
    return period


# --- the figures ------------------------------------------------------------------------------


class QuestionFigure(Record):
    """One question's average over the period; `text` None is the case surveys' one
    question (how the case was handled)."""

    text: str | None
    average: float
    ratings: int


class QuarterFigure(Record):
    year: int
    quarter: int
    answers: int
    average: float | None  # of every rating given that quarter; None without any

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


class SatisfactionReport(Record):
    """The figures of `/report satisfaction`, as they were when it was asked."""

    party: str | None  # the party's name, None for every party
    period: Period
    answers: int  # current answers given in the period
    asked: int  # people asked in the period (one per survey they were asked)
    answered: int  # of those, how many have answered
    questions: tuple[QuestionFigure, ...]
    quarters: tuple[QuarterFigure, ...]
    complaints_opened: int
    complaints_closed: int
    median_days_to_close: float | None
    overdue: int
    praise: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class RatingSum:
    """What the store sums: one survey's question, in one quarter of the period (or the
    question of surveys with one questionnaire, summed together: `survey_id` is the first)."""

    survey_id: int
    questions: Sequence[str]  # the survey's questionnaire
    case: bool  # a case survey: its one question is how the case was handled
    question: int  # index into `questions`
    quarter: int  # index into the period's quarters
    total: int
    count: int


def question_figures(sums: Iterable[RatingSum]) -> tuple[QuestionFigure, ...]:
    """Averages per question, questions matched by their text across surveys (the case
    surveys' one question as one line, first), in the order first seen."""
    totals: dict[str | None, list[int]] = {}
    for s in sums:
        key = None if s.case else _question_text(s)
        got = totals.setdefault(key, [0, 0])
        got[0] += s.total
        got[1] += s.count
    ordered = sorted(totals.items(), key=lambda kv: kv[0] is not None)
    return tuple(
        QuestionFigure(text=k, average=round(t / c, 2), ratings=c) for k, (t, c) in ordered if c
    )


def _question_text(s: RatingSum) -> str:
    if 0 <= s.question < len(s.questions):
        return " ".join(s.questions[s.question].split())
    return f"#{s.question + 1}"


def quarter_figures(
    period: Period, sums: Iterable[RatingSum], answers: dict[int, int]
) -> tuple[QuarterFigure, ...]:
    """Answers and the average rating of each quarter of the period (quarters by index)."""
    totals: dict[int, list[int]] = {}
    for s in sums:
        got = totals.setdefault(s.quarter, [0, 0])
        got[0] += s.total
        got[1] += s.count
    out = []
    for i, (year, q) in enumerate(period.quarters()):
        t, c = totals.get(i, [0, 0])
        out.append(
            QuarterFigure(
                year=year,
                quarter=q,
                answers=answers.get(i, 0),
                average=round(t / c, 2) if c else None,
            )
        )
    return tuple(out)


def median_days(days: Sequence[int]) -> float | None:
    """The median of the working days each closed complaint took; None for none."""
    return float(statistics.median(days)) if days else None


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """`median_days` of the days each closed complaint took, given as how many took each
    number of days (`{days: complaints}`): the middle one, or the mean of the middle two."""
    n = sum(counts.values())
    if n <= 0:
        return None
    wanted = ((n - 1) // 2, n // 2)  # the middle places, in order of days
    middle: list[int] = []
    seen = 0
    for days in sorted(counts):
        seen += counts[days]
        while len(middle) < 2 and wanted[len(middle)] < seen:
            middle.append(days)
        if len(middle) == 2:
            break
    return float(statistics.median(middle))
