"""The export's surveys (`Q-n`) and answers: every survey with its questionnaire and case, and
every answer ever given (a replaced one too, with `replaced_at`), its ratings by question.

Read in batches like the rest of the streamed kinds; the surveys an answer batch names are
read once and kept (there are far fewer surveys than answers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from bot.domain.surveys import Answer, Survey
from bot.store import Store
from bot.store import surveys as surveys_repo

SURVEY_COLUMNS = [
    "id",
    "kind",
    "party",
    "title",
    "questions",
    "case",
    "channel",
    "status",
    "opened_at",
    "closes_at",
    "closed_at",
]
ANSWER_COLUMNS = [
    "id",
    "survey",
    "party",
    "respondent",
    "at",
    "ratings",
    "comment",
    "replaced_at",
]


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat() if when is not None else None


def survey_document(survey: Survey) -> dict[str, Any]:
    """A survey in the export's shape: what was asked of which party, about which case."""
    return {
        "id": survey.ref,
        "kind": survey.kind.value,
        "party": survey.party.name,
        "title": survey.title,
        "questions": list(survey.questions),
        "case": survey.case_ref,
        "channel": survey.channel_id,
        "status": survey.status.value,
        "opened_at": _iso(survey.opened_at),
        "closes_at": _iso(survey.closes_at),
        "closed_at": _iso(survey.closed_at),
    }


def answer_document(answer: Answer, survey: Survey) -> dict[str, Any]:
    """An answer: whose, to which survey, each rating under its question's text (in the
    survey's order), the comment, and when a later answer replaced it (None: current)."""
    ratings = {
        (survey.questions[i] if i < len(survey.questions) else f"#{i + 1}"): answer.ratings[i]
        for i in sorted(answer.ratings)
    }
    return {
        "id": answer.id,
        "survey": survey.ref,
        "party": survey.party.name,
        "respondent": answer.respondent_id,
        "at": _iso(answer.at),
        "ratings": ratings,
        "comment": answer.comment,
        "replaced_at": _iso(answer.replaced_at),
    }


def answer_row(document: dict[str, Any]) -> dict[str, Any]:
    """An answer as one CSV row: its ratings as `question: n`, joined by `; `."""
    ratings = document["ratings"]
    return {**document, "ratings": [f"{q}: {r}" for q, r in ratings.items()]}


async def survey_documents(store: Store) -> AsyncIterator[dict[str, Any]]:
    async with store.read() as conn:
        async for batch in surveys_repo.in_batches(conn):
            for survey in batch:
                yield survey_document(survey)


async def answer_documents(store: Store) -> AsyncIterator[dict[str, Any]]:
    known: dict[int, Survey] = {}
    async with store.read() as conn:
        async for batch in surveys_repo.answers_in_batches(conn):
            for answer in batch:
                if answer.survey_id not in known:
                    found = await surveys_repo.by_id(conn, survey_id=answer.survey_id)
                    assert found is not None  # an answer's survey is never deleted alone
                    known[answer.survey_id] = found
                yield answer_document(answer, known[answer.survey_id])
