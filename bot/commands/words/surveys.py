"""The words of surveys' refusals (`survey.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "survey.bad_id": N_("`{text}` is not a survey id. Write it like `Q-3`."),
    "survey.bad_rating": N_("{text} is not a rating: choose a whole number from 1 to 5."),
    "survey.unanswered": N_("Question {question} has no rating yet: choose from 1 to 5."),
    "survey.no_such_question": N_("This survey has no question {question}."),
    "survey.comment_too_long": N_(
        "The comment is {length:,} characters long; keep it to {limit:,}."
    ),
    "survey.title_empty": N_("The survey's title is empty; write one, or leave it out."),
    "survey.title_too_long": N_(
        "The survey's title is {length:,} characters long; keep it to {limit:,}."
    ),
    "survey.closed": N_("{ref} is closed: it no longer takes answers."),
    "survey.not_your_party": N_(
        "{ref} asks another organisation's people: only they can answer it."
    ),
}
