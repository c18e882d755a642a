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
    # Case by case (bot/workflows/survey_cases.py)
    "survey.not_asked": N_(
        "{ref} asks the people who took part in its case; you were not among them, so "
        "your answer is not taken."
    ),
    "survey.case_not_found": N_("There is no survey Q-{number} for you to answer."),
    "survey.comment_empty": N_("The comment is empty: write something, or close the form."),
    "survey.no_answer_yet": N_("Choose a rating for {ref} first; then add your comment."),
    # Periodic (bot/workflows/surveys.py)
    "survey.outsiders": N_(
        "Only members of the workspace that runs Parley can use /survey. "
        "To answer a survey, press its Answer button in your shared channel."
    ),
    "survey.party_needed": N_(
        "Name the party, e.g. `/survey send Globex Audit` or "
        "`/survey schedule Globex Audit every quarter`."
    ),
    "survey.no_party": N_(
        "I don't know a party called {name}. `/party list` shows the parties I know."
    ),
    "survey.no_team": N_(
        "{name} has no Slack team on record, so nobody there could answer a survey."
    ),
    "survey.no_channel": N_(
        "I'm in no channel shared with {name} alone: invite me to their shared channel, "
        "then send the survey again."
    ),
    "survey.schedule_when": N_(
        "I can't tell how often to send it in `{text}`. Write it like "
        "`/survey schedule Globex Audit every quarter` or `每季度第1个工作日`."
    ),
    "survey.scheduled_already": N_(
        "{name} has a survey schedule already; stop it with `/survey unschedule` first."
    ),
    "survey.not_scheduled": N_("{name} has no survey schedule."),
    "survey.not_found": N_("There is no survey Q-{number}."),
    "survey.closed_already": N_("{ref} is closed already."),
    "survey.insider": N_(
        "{ref} asks the party's people; our team reads the results with `/survey show {ref}`."
    ),
}
