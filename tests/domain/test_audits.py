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


def test_the_steps_checks() -> None:
    from datetime import UTC, date, datetime

    from bot.domain.audits import (
        Recurrence,
        Scorecard,
        ScorecardStatus,
        check_notes,
        check_publishable,
        check_rating,
        check_supplier,
        split_supplier_and_recurrence,
        supplier_name,
    )
    from bot.domain.errors import InvalidInput, NotFound
    from bot.domain.parties import Party, PartyKind

    assert [check_rating(v) for v in ("1", " 5 ", 3)] == [1, 5, 3]
    for bad in ("0", "6", "4.5", "", None, "五"):
        with pytest.raises(InvalidInput) as info:
            check_rating(bad)
        assert info.value.code == "audit.bad_rating" and info.value.field == "cooperation"
    assert check_notes("  ") is None and check_notes(" ok ") == "ok"
    with pytest.raises(InvalidInput):
        check_notes("x" * 3001)
    acme = Party(id=1, name="Acme Networks", kind=PartyKind.SUPPLIER)
    contoso = Party(id=2, name="Contoso Retail", kind=PartyKind.CUSTOMER)
    assert check_supplier(acme, "acme networks") == acme
    with pytest.raises(InvalidInput, match="audit.not_supplier"):
        check_supplier(contoso, "Contoso Retail")
    with pytest.raises(NotFound):
        check_supplier(None, "Nobody")
    with pytest.raises(InvalidInput, match="audit.which"):
        check_supplier(None, "")
    assert supplier_name(' "Acme  Networks" ') == "Acme Networks"
    assert supplier_name("「华东网络」") == "华东网络"
    when = datetime(2026, 10, 1, tzinfo=UTC)
    draft = Scorecard(
        id=1,
        workspace_id="T1",
        number=3,
        party=acme,
        period_start=when,
        period_end=when,
        status=ScorecardStatus.DRAFT,
        version=1,
        owner_id="U1",
        created_at=when,
    )
    with pytest.raises(InvalidInput, match="audit.not_rated"):
        check_publishable(draft)
    check_publishable(draft.model_copy(update={"cooperation": 3}))
    published = draft.model_copy(update={"cooperation": 3, "status": ScorecardStatus.PUBLISHED})
    with pytest.raises(InvalidInput, match="audit.already_published"):
        check_publishable(published)
    q = Recurrence.QUARTER
    assert q.period_of(date(2026, 11, 23)) == date(2026, 10, 1)
    assert q.period_after(date(2026, 10, 1)) == date(2027, 1, 1)
    assert q.period_before(date(2027, 1, 1)) == date(2026, 10, 1)
    assert Recurrence.MONTH.period_after(date(2026, 12, 1)) == date(2027, 1, 1)
    assert Recurrence.YEAR.period_before(date(2027, 1, 1)) == date(2026, 1, 1)
    assert split_supplier_and_recurrence("Acme every year") == ("Acme", Recurrence.YEAR)
    with pytest.raises(InvalidInput, match="audit.bad_recurrence"):
        split_supplier_and_recurrence("Acme every week")
