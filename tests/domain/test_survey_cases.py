"""Case surveys' pure rules: the stored question, sampling by the injected draw, a button's
value, who may answer (their party, and asked), and the comment form's one field."""

from __future__ import annotations

from random import Random

import pytest

from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.parties import Person
from bot.domain.surveys import (
    case_question,
    check_case_comment,
    check_case_respondent,
    parse_case_value,
    sampled,
)
from tests.domain.test_surveys import survey

CLAIRE = Person(user_id="U0CLAIRE", team_id="T0CONTOSO", name="claire")
CLAUDE = Person(user_id="U0CLAUDE", team_id="T0CONTOSO", name="claude")
ALICE = Person(user_id="U0ALICE", team_id="T0HOME", name="alice")


def test_the_stored_question_names_the_case() -> None:
    assert case_question("C-3") == "How satisfied are you with how C-3 was handled?"


def test_sampling_always_never_or_by_one_draw() -> None:
    def no_draw() -> float:
        raise AssertionError("1.0 and 0 decide without a draw")

    assert sampled(1.0, no_draw) is True and sampled(0.0, no_draw) is False
    draws = Random(42)
    same = Random(42)
    expected = [same.random() < 0.3 for _ in range(200)]
    got = [sampled(0.3, draws.random) for _ in range(200)]
    assert got == expected and 30 < sum(got) < 90


def test_a_buttons_value_is_a_survey_and_a_rating() -> None:
    assert parse_case_value("Q-3:4") == (3, 4)
    for value, code in (
        ("Q-3:0", "survey.bad_rating"),
        ("Q-3:6", "survey.bad_rating"),
        ("Q-3:", "survey.bad_rating"),
        ("Q-3:٣", "survey.bad_rating"),
        ("X-3:3", "survey.bad_id"),
        ("", "survey.bad_id"),
    ):
        with pytest.raises(InvalidInput) as caught:
            parse_case_value(value)
        assert caught.value.code == code, value


def test_only_a_person_of_its_party_whom_it_asked_answers() -> None:
    case = survey()
    check_case_respondent(case, CLAIRE, {"U0CLAIRE"})
    for person, code in (
        (CLAUDE, "survey.not_asked"),
        (ALICE, "survey.not_your_party"),
        (Person(user_id="U0CLAIRE", team_id="T0OTHER", name="claire"), "survey.not_your_party"),
    ):
        with pytest.raises(NotAllowed) as caught:
            check_case_respondent(case, person, {"U0CLAIRE", "U0ALICE"})
        assert caught.value.code == code


def test_the_comment_form_needs_words_within_the_limit() -> None:
    assert check_case_comment("  Slow at first  ") == "Slow at first"
    for text, code in (("", "survey.comment_empty"), ("x" * 3001, "survey.comment_too_long")):
        with pytest.raises(InvalidInput) as caught:
            check_case_comment(text)
        assert caught.value.code == code
