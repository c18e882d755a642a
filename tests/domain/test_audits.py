"""Scorecards' rules: the total leaves out dimensions without data (renormalising the weights
of the others), bands from their lower bounds, the cooperation rating's score."""

from __future__ import annotations

import pytest

from bot.domain.audits import (
    Band,
    Dimension,
    DimensionScore,
    band,
    cooperation_score,
    ratio_score,
    total,
)

WEIGHTS = {
    Dimension.RESPONSIVENESS: 20.0,
    Dimension.PROBLEM_SOLVING: 20.0,
    Dimension.EFFICIENCY: 20.0,
    Dimension.STAFF_STABILITY: 10.0,
    Dimension.CUSTOMER_FEEDBACK: 20.0,
    Dimension.COOPERATION: 10.0,
}
BANDS = {Band.A: 85.0, Band.B: 70.0, Band.C: 50.0}


def scores(**by_name: int | None) -> list[DimensionScore]:
    return [DimensionScore(dimension=Dimension(n), score=s) for n, s in by_name.items()]


def test_the_six_dimensions_in_the_contracts_order() -> None:
    assert [d.value for d in Dimension] == [
        "responsiveness",
        "problem_solving",
        "efficiency",
        "staff_stability",
        "customer_feedback",
        "cooperation",
    ]


def test_all_six_with_data_is_the_weighted_mean() -> None:
    six = scores(
        responsiveness=80,
        problem_solving=60,
        efficiency=100,
        staff_stability=50,
        customer_feedback=75,
        cooperation=100,
    )
    # (80·20 + 60·20 + 100·20 + 50·10 + 75·20 + 100·10) / 100 = 7800 / 100
    assert total(six, WEIGHTS) == 78.0


def test_no_data_is_left_out_never_counted_as_zero() -> None:
    some = scores(responsiveness=90, problem_solving=None, efficiency=None, cooperation=60)
    # (90·20 + 60·10) / 30 = 2400 / 30
    assert total(some, WEIGHTS) == 80.0
    assert total(scores(responsiveness=None, cooperation=None), WEIGHTS) is None
    assert total([], WEIGHTS) is None


def test_a_dimension_weighing_nothing_counts_for_nothing() -> None:
    weights = {**WEIGHTS, Dimension.COOPERATION: 0.0}
    assert total(scores(responsiveness=40, cooperation=100), weights) == 40.0
    assert total(scores(cooperation=100), weights) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100.0, Band.A),
        (85.0, Band.A),
        (84.9, Band.B),
        (70.0, Band.B),
        (50.0, Band.C),
        (49.9, Band.D),
        (0.0, Band.D),
        (None, None),
    ],
)
def test_bands_from_their_lower_bounds(value: float | None, expected: Band | None) -> None:
    assert band(value, BANDS) == expected


def test_cooperation_from_the_auditors_rating() -> None:
    assert [cooperation_score(r).score for r in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    unrated = cooperation_score(None)
    assert unrated.score is None and not unrated.has_data


def test_a_share_is_rounded_half_up_and_nothing_to_count_is_no_data() -> None:
    assert ratio_score(7, 9) == 78  # 77.78
    assert ratio_score(1, 8) == 13  # 12.5
    assert ratio_score(0, 5) == 0
    assert ratio_score(0, 0) is None
