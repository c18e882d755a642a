"""Block Kit for case-by-case surveys: the question in the party's thread (naming the people
asked, with 1-5 buttons), the presser's ephemeral thanks with "Add a comment", and the comment
form, in the reader's language.

Pure: records in, JSON out. A comment is never rendered where the party's channel reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.commands.blocks import Blocks, Mrkdwn, button, context, md, mention, section
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.surveys import CASE_QUESTION, COMMENT_LIMIT, RATINGS, Survey

RATING_ACTIONS = "survey_case_ratings"
# One action id per rating (a block's ids are unique); the value carries `Q-n:rating`.
RATING_BUTTONS = tuple(f"survey_case_rate_{n}" for n in RATINGS)
RATING_PATTERN = r"^survey_case_rate_[1-5]$"
COMMENT_BUTTON = "survey_case_comment"
COMMENT_MODAL = "survey_case_comment_form"
COMMENT_BLOCK = "comment"
COMMENT_INPUT = "comment_text"

SCALE = N_("1 = very dissatisfied, 5 = very satisfied. You can change your answer until {day}.")


def question(survey: Survey, language: Language) -> str:
    return language._(CASE_QUESTION).format(ref=survey.case_ref or survey.ref)


def case_post(
    survey: Survey, asked: Sequence[str], *, until: str, language: Language
) -> tuple[str, Blocks]:
    """In the party's own thread: the people asked, the question, the five buttons."""
    people = Mrkdwn(", ").join(mention(u) for u in asked)
    said = md(
        language._("{people}: {question}"),
        people=people,
        question=question(survey, language),
    )
    blocks: Blocks = [
        section(said),
        {
            "type": "actions",
            "block_id": RATING_ACTIONS,
            "elements": [
                button(str(n), action, f"{survey.ref}:{n}")
                for n, action in zip(RATINGS, RATING_BUTTONS, strict=True)
            ],
        },
        context(md(language._(SCALE), day=until)),
    ]
    return said, blocks


def thanks(
    survey: Survey, rating: int, before: int | None, language: Language
) -> tuple[str, Blocks]:
    """The presser's ephemeral thanks, with the button that opens the comment form."""
    if before is None:
        said = md(
            language._("Thank you: your rating of {rating} for {ref} is on record."),
            rating=rating,
            ref=survey.case_ref or survey.ref,
        )
    else:
        said = md(
            language._("Thank you: your rating for {ref} is now {rating} (it was {before})."),
            rating=rating,
            before=before,
            ref=survey.case_ref or survey.ref,
        )
    note = language._("A comment is only read by our team: it is not posted here.")
    blocks: Blocks = [
        section(said),
        {
            "type": "actions",
            "block_id": "survey_case_more",
            "elements": [button(language._("Add a comment"), COMMENT_BUTTON, survey.ref)],
        },
        context(note),
    ]
    return said, blocks


def comment_modal(
    survey: Survey, private_metadata: str, current: str | None, language: Language
) -> dict[str, Any]:
    """The comment form: one field, pre-filled with the person's comment so far."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": COMMENT_INPUT,
        "multiline": True,
        "max_length": COMMENT_LIMIT,
    }
    if current:
        element["initial_value"] = current
    return {
        "type": "modal",
        "callback_id": COMMENT_MODAL,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": language._("Your comment")[:24]},
        "submit": {"type": "plain_text", "text": language._("Save")},
        "close": {"type": "plain_text", "text": language._("Cancel")},
        "blocks": [
            section(md("*{}*", question(survey, language))),
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "label": {"type": "plain_text", "text": language._("Comment")},
                "element": element,
            },
            context(language._("Only our team reads it; it is not posted in the channel.")),
        ],
    }
