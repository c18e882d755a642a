"""Surveys' pure rules: ids, ratings, the questionnaire's answers, who may answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.parties import Party, PartyKind, Person
from bot.domain.surveys import (
    Survey,
    SurveyKind,
    SurveyStatus,
    check_comment,
    check_open,
    check_rating,
    check_ratings,
    check_respondent,
    parse_number,
)

NOW = datetime(2026, 12, 4, 10, tzinfo=UTC)
CONTOSO = Party(id=1, name="Contoso Retail", kind=PartyKind.CUSTOMER, slack_team="T0CONTOSO")


def survey(**changes: object) -> Survey:
    base = Survey(
        id=1,
        workspace_id="T0HOME",
        number=3,
        kind=SurveyKind.PERIODIC,
        party=CONTOSO,
        title=None,
        questions=("Quality of service", "Overall"),
        channel_id="C0SHARED",
        status=SurveyStatus.OPEN,
        opened_at=NOW,
        closes_at=NOW + timedelta(days=7),
    )
    return base.model_copy(update=changes)


def person(team: str, *, bot: bool = False) -> Person:
    return Person(user_id="U1", team_id=team, name="Mei", is_bot=bot)


@pytest.mark.parametrize("text", ["Q-3", "q3", "Q 3", " 3 ", "q-3"])
def test_ids(text: str) -> None:
    assert parse_number(text) == 3


@pytest.mark.parametrize("text", ["", "Q-", "Q-0", "D-3", "Q-３", "Q-1234567890", "Q-3x"])
def test_bad_ids(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_number(text)
    assert info.value.code == "survey.bad_id"


@pytest.mark.parametrize("value", ["1", 5, " 3 "])
def test_ratings(value: object) -> None:
    assert check_rating(value) == int(str(value))


@pytest.mark.parametrize("value", ["0", "6", "-1", "2.5", "", None, "五", "٣", "1e0"])
def test_ratings_outside_1_to_5(value: object) -> None:
    with pytest.raises(InvalidInput) as info:
        check_rating(value, field="q0")
    assert (info.value.code, info.value.field) == ("survey.bad_rating", "q0")


def test_every_question_answered_once() -> None:
    assert check_ratings(survey(), {0: 4, 1: 5}) == {0: 4, 1: 5}
    with pytest.raises(InvalidInput) as info:
        check_ratings(survey(), {0: 4})
    assert (info.value.code, info.value.field) == ("survey.unanswered", "q1")
    with pytest.raises(InvalidInput) as info:
        check_ratings(survey(), {0: 4, 1: 5, 2: 1})
    assert info.value.code == "survey.no_such_question"


def test_comments() -> None:
    assert check_comment(None) is None
    assert check_comment("  \n ") is None
    assert check_comment(" good ") == "good"
    with pytest.raises(InvalidInput):
        check_comment("x" * 3001)


def test_closed_or_timed_out_surveys_take_no_answers() -> None:
    check_open(survey(), NOW)
    for closed in (survey(status=SurveyStatus.CLOSED), survey(closes_at=NOW)):
        with pytest.raises(InvalidInput) as info:
            check_open(closed, NOW)
        assert info.value.code == "survey.closed"


def test_only_the_partys_own_people_answer() -> None:
    check_respondent(survey(), person("T0CONTOSO"))
    for who in (person("T0HOME"), person("T0ACME"), person("T0CONTOSO", bot=True)):
        with pytest.raises(NotAllowed):
            check_respondent(survey(), who)
    teamless = survey(party=CONTOSO.model_copy(update={"slack_team": None}))
    with pytest.raises(NotAllowed):
        check_respondent(teamless, person("T0CONTOSO"))
