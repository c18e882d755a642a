"""Reading a report's period and party, in English and Chinese, and the figures' rules."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.reports import (
    Period,
    RatingSum,
    median_days,
    median_of_counts,
    quarter_edges,
    question_figures,
    split_party_and_period,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "party", "start", "end"),
    [
        ("", "", date(2026, 1, 1), TODAY),
        ("Contoso Retail", "Contoso Retail", date(2026, 1, 1), TODAY),
        ("Contoso Retail this year", "Contoso Retail", date(2026, 1, 1), TODAY),
        ("Contoso  Retail   LAST QUARTER", "Contoso Retail", date(2026, 7, 1), date(2026, 9, 30)),
        ("this quarter", "", date(2026, 10, 1), TODAY),
        ("last year", "", date(2025, 1, 1), date(2025, 12, 31)),
        ("Contoso 上季度", "Contoso", date(2026, 7, 1), date(2026, 9, 30)),
        ("今年", "", date(2026, 1, 1), TODAY),
        ("去年", "", date(2025, 1, 1), date(2025, 12, 31)),
        ("本季度", "", date(2026, 10, 1), TODAY),
        ("Acme 2026-02-01 to 2026-03-15", "Acme", date(2026, 2, 1), date(2026, 3, 15)),
        ("2026/2/1 - 2026/3/15", "", date(2026, 2, 1), date(2026, 3, 15)),
        ("2026年2月1日至2026年3月15日", "", date(2026, 2, 1), date(2026, 3, 15)),
        ("2026-10-01 to 2026-12-31", "", date(2026, 10, 1), TODAY),  # not beyond today
        ("3M", "3M", date(2026, 1, 1), TODAY),
        ("Team 42 last year", "Team 42", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_periods_and_parties_are_read(text: str, party: str, start: date, end: date) -> None:
    asked = split_party_and_period(text, today=TODAY)
    assert (asked.party, asked.period.start, asked.period.end) == (party, start, end)


def test_last_quarter_in_the_first_quarter_is_last_years_fourth() -> None:
    asked = split_party_and_period("last quarter", today=date(2027, 2, 3))
    assert (asked.period.start, asked.period.end) == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("next year", "report.future"),
        ("明年", "report.future"),
        ("2026-12-01 to 2026-12-31", "report.future"),
        ("2026-03-01 to 2026-02-01", "report.inverted"),
        ("2026-02-30 to 2026-03-01", "report.bad_period"),
        ("last month", "report.bad_period"),
        ("上个月", "report.bad_period"),
        ("Acme 2026-01-01", "report.bad_period"),
        ("Acme 2026-01-01 to", "report.bad_period"),
        ("2026/01", "report.bad_period"),
        ("2020-01-01 to 2026-01-01", "report.too_long"),
    ],
)
def test_bad_periods_are_refused(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        split_party_and_period(text, today=TODAY)
    assert refused.value.code == code


def test_quarters_and_their_edges_in_the_companys_zone() -> None:
    period = Period(start=date(2026, 2, 10), end=date(2026, 8, 1))
    assert period.quarters() == [(2026, 1), (2026, 2), (2026, 3)]
    edges = quarter_edges(period, ZoneInfo("Asia/Shanghai"))
    assert [e.isoformat() for e in edges] == [
        "2026-03-31T16:00:00+00:00",
        "2026-06-30T16:00:00+00:00",
    ]


def test_questions_are_matched_by_their_text_and_the_case_question_comes_first() -> None:
    sums = [
        RatingSum(
            survey_id=1,
            questions=("Speed", "Overall"),
            case=False,
            question=0,
            quarter=0,
            total=8,
            count=2,
        ),
        RatingSum(
            survey_id=1,
            questions=(" Speed ",),
            case=False,
            question=0,
            quarter=1,
            total=5,
            count=1,
        ),
        RatingSum(
            survey_id=1,
            questions=("How was C-1?",),
            case=True,
            question=0,
            quarter=0,
            total=3,
            count=1,
        ),
        RatingSum(
            survey_id=1,
            questions=("How was C-2?",),
            case=True,
            question=0,
            quarter=1,
            total=5,
            count=1,
        ),
    ]
    figures = question_figures(sums)
    assert [(f.text, f.average, f.ratings) for f in figures] == [
        (None, 4.0, 2),
        ("Speed", 4.33, 3),
    ]


def test_the_median_of_working_days() -> None:
    assert median_days([]) is None
    assert median_days([5, 1, 3]) == 3.0
    assert median_days([5, 1]) == 3.0


def test_the_median_of_counts_per_number_of_days_is_that_of_every_day() -> None:
    """Every list of up to six closed complaints of 0-3 days (and some longer, one alone):
    the median from how many took each number of days is `median_days` of them all."""
    assert median_of_counts({}) is None
    assert median_of_counts({7: 1}) == 7.0
    assert median_of_counts({2: 3, 40: 1}) == 2.0 and median_of_counts({2: 2, 40: 2}) == 21.0
    for n in range(1, 7):
        for days in itertools.combinations_with_replacement((0, 1, 2, 3, 12), n):
            found = median_of_counts(Counter(days))
            assert found == median_days(list(days)) and isinstance(found, float), days
