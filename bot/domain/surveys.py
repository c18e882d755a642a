"""Satisfaction surveys `Q-n`: what was asked, of whom, and the answers given.

Two kinds. A *case* survey follows a closed complaint or a resolved dispute: one question
("How satisfied are you with how C-3 was handled?"), asked of one outside party's people who
took part, in that party's own thread. A *periodic* survey is posted in a party's shared
channel with the configured questionnaire and stays open for some working days.

An answer is one person's ratings (1-5 per question) and an optional comment. A person has
at most one current answer per survey: a later one replaces it and both stay on the record.
Comments are internal. Only a person of the survey's own party answers it.

Pure rules; the tables are `bot/store/schema.py` (`surveys`, `survey_responses`, …).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from enum import StrEnum

from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.marks import N_
from bot.domain.names import name_key
from bot.domain.parties import Party, Person
from bot.domain.records import Record
from bot.domain.text import clean_line

RATINGS = (1, 2, 3, 4, 5)
COMMENT_LIMIT = 3000
TITLE_LIMIT = 150


class SurveyKind(StrEnum):
    CASE = "case"
    PERIODIC = "periodic"


class SurveyStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {SurveyStatus.OPEN: N_("open"), SurveyStatus.CLOSED: N_("closed")}


class CaseKind(StrEnum):
    """What a case survey follows (`[surveys] after`)."""

    COMPLAINT = "complaint"
    DISPUTE = "dispute"


class Survey(Record):
    """Q-n as recorded."""

    id: int
    workspace_id: str
    number: int
    kind: SurveyKind
    party: Party
    title: str | None
    questions: tuple[str, ...]
    channel_id: str
    status: SurveyStatus
    opened_at: datetime
    case_kind: CaseKind | None = None
    case_id: int | None = None
    case_ref: str | None = None  # "C-3" / "D-7": the case's own reference, for the words
    schedule_id: int | None = None
    thread_ts: str | None = None
    post_ts: str | None = None
    sent_by: str | None = None
    closes_at: datetime | None = None
    remind_at: datetime | None = None
    reminded: bool = False
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def ref(self) -> str:
        return f"Q-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status is SurveyStatus.OPEN


class Answer(Record):
    """One person's answer to a survey: question index → rating, and a comment (internal)."""

    id: int
    survey_id: int
    respondent_id: str
    party_id: int
    at: datetime
    ratings: Mapping[int, int]
    comment: str | None = None
    replaced_at: datetime | None = None

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


def parse_number(text: str) -> int:
    """`Q-3`, `q3`, `Q 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("Q").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput("survey.bad_id", text=text.strip()[:40])
    return int(raw)


def check_rating(value: object, *, field: str | None = None) -> int:
    """A rating is a whole number from 1 to 5 (a button's value or a form's choice, as text)."""
    text = str(value).strip() if value is not None else ""
    if text.isascii() and text.isdigit() and int(text) in RATINGS:
        return int(text)
    raise InvalidInput("survey.bad_rating", field=field, text=text[:20])


def check_ratings(survey: Survey, ratings: Mapping[int, int]) -> dict[int, int]:
    """Every question of the survey rated once, 1-5; no question it does not ask."""
    out: dict[int, int] = {}
    for index in range(len(survey.questions)):
        if index not in ratings:
            raise InvalidInput("survey.unanswered", field=f"q{index}", question=index + 1)
        out[index] = check_rating(ratings[index], field=f"q{index}")
    extra = sorted(set(ratings) - set(out))
    if extra:
        raise InvalidInput("survey.no_such_question", question=extra[0] + 1)
    return out


def check_comment(text: str | None) -> str | None:
    """An optional comment: None or blank is no comment; too long is refused."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) > COMMENT_LIMIT:
        raise InvalidInput(
            "survey.comment_too_long", field="comment", length=len(text), limit=COMMENT_LIMIT
        )
    return text


def check_title(text: str | None) -> str | None:
    """An optional title for a periodic survey, one line."""
    if text is None or not text.strip():
        return None
    return clean_line(
        text, limit=TITLE_LIMIT, empty="survey.title_empty", too_long="survey.title_too_long"
    )


def check_open(survey: Survey, now: datetime) -> None:
    """A survey takes answers until it is closed or its time runs out."""
    if not survey.is_open or (survey.closes_at is not None and survey.closes_at <= now):
        raise InvalidInput("survey.closed", ref=survey.ref)


def check_respondent(survey: Survey, person: Person) -> None:
    """Only a person of the survey's own party answers it (fail closed: a party without a
    Slack team has nobody who can)."""
    team = survey.party.slack_team
    if team is None or person.is_bot or person.team_id != team:
        raise NotAllowed("survey.not_your_party", ref=survey.ref)


# --------------------------------------------------------------------------------------------
# Case by case (bot/workflows/survey_cases.py): the one question after a closed complaint or a
# resolved dispute, asked of the people of one outside party who took part in its thread.

# The question as stored (its English words, the case's ref in them: what was asked stays
# readable whatever the config or the catalogs become) and as shown (in the party's language).
CASE_QUESTION = N_("How satisfied are you with how {ref} was handled?")


def case_question(ref: str) -> str:
    """The stored, stable text of a case survey's one question."""
    return CASE_QUESTION.format(ref=ref)


def sampled(share: float, draw: Callable[[], float]) -> bool:
    """Whether a case is surveyed (`[surveys] sample`): always at 1.0, never at 0, else by one
    draw in [0, 1) from the injected random source."""
    if share >= 1:
        return True
    if share <= 0:
        return False
    return draw() < share


def check_case_respondent(survey: Survey, person: Person, asked: Collection[str]) -> None:
    """Who answers a case survey: a person of its own party (by Slack's record) whom it asked,
    that is one of the party's people who took part in the case's thread. Another person of
    the same party was not part of the case and is refused (fail closed)."""
    check_respondent(survey, person)
    if person.user_id not in asked:
        raise NotAllowed("survey.not_asked", ref=survey.ref)


def check_case_comment(text: str | None) -> str:
    """The comment form's one field: something to say, within the limit."""
    comment = check_comment(text)
    if comment is None:
        raise InvalidInput("survey.comment_empty", field="comment")
    return comment


def parse_case_value(value: str) -> tuple[int, int]:
    """A rating button's value `Q-3:4` → (3, 4); a forged or stale value is refused."""
    ref, _, rating = value.partition(":")
    return parse_number(ref), check_rating(rating)


# --------------------------------------------------------------------------------------------
# Periodic (bot/workflows/surveys.py): the configured questionnaire posted in a party's shared
# channel, sent by hand or by a schedule in the reviews' recurrence language.

OPEN_FOR_LIMIT = 30  # working days a periodic survey may stay open


class SurveySchedule(Record):
    """A party's recurring survey: sent at `next_at`, then `next_at` moves on."""

    id: int
    workspace_id: str
    party: Party
    title: str | None
    recurrence: str  # a stored rule (`Recurrence.to_storage`)
    next_at: datetime
    created_by: str
    created_at: datetime
    active: bool = True


class QuestionResult(Record):
    question: str
    answers: int
    average: float | None


class Results(Record):
    """What `/survey show` tells insiders: per question, the number of answers and the
    average; how many answered of how many were asked; the comments (internal)."""

    survey: Survey
    questions: tuple[QuestionResult, ...]
    answered: int
    asked: int
    comments: tuple[tuple[str, str], ...]  # (respondent, comment), oldest first

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


def results(survey: Survey, current: Collection[Answer], asked: int) -> Results:
    """The figures of a survey's current answers (replaced ones do not count)."""
    rows: list[QuestionResult] = []
    for index, question in enumerate(survey.questions):
        given = [a.ratings[index] for a in current if index in a.ratings]
        average = round(sum(given) / len(given), 2) if given else None
        rows.append(QuestionResult(question=question, answers=len(given), average=average))
    comments = tuple((a.respondent_id, a.comment) for a in current if a.comment)
    return Results(
        survey=survey,
        questions=tuple(rows),
        answered=len(current),
        asked=max(asked, len(current)),
        comments=comments,
    )


def split_leading_name(text: str, names: Collection[str]) -> tuple[str, str] | None:
    """`Globex Audit Q4 check-in` → ("Globex Audit", "Q4 check-in"): the longest of `names`
    the text starts with (compared as party names are: `names.name_key`), and the rest. A
    name in a script with spaces must end at a word's end; Chinese needs no space after it."""
    text = " ".join(text.split())
    best: tuple[str, str] | None = None
    for name in names:
        key = name_key(name)
        for end in range(1, len(text) + 1):
            if name_key(text[:end]) != key:
                continue
            rest = text[end:]
            if rest and rest[0].isalnum() and text[end - 1].isascii() and rest[0].isascii():
                continue
            if best is None or len(name) > len(best[0]):
                best = (name, rest.strip(" :,-–—"))
            break
    return best
