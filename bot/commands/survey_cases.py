"""Case-by-case surveys in Slack: the 1-5 buttons under the question in a party's thread, the
"Add a comment" button of the presser's thanks, and the comment form.

Outsiders are let through the identity gate for these buttons and this form only
(`identity.OUTSIDER_ACTIONS`, `OUTSIDER_VIEWS`); who may answer is the workflow's, by Slack's
record of the presser (never the payload's channel or team): a person of the survey's party
whom it asked.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import render_survey_cases as render
from bot.commands.blocks import section
from bot.commands.deps import Deps
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.readers import person_language
from bot.commands.words.base import N_
from bot.domain import surveys as rules
from bot.workflows import survey_cases
from bot.workflows.survey_cases import Asking


def case_asking(deps: Deps) -> Asking:
    """What a closing case needs to decide and open its surveys."""
    return Asking(config=deps.config.surveys, calendar=deps.calendar, draw=deps.draw)


class CommentForm(BaseModel):
    """What the comment form carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1, lt=10**9)


FORM = Form(
    name="the survey comment form",
    metadata=CommentForm,
    main_block=render.COMMENT_BLOCK,
    stale=N_("This form is out of date. Close it and press the survey's button again."),
    blocks={"comment": render.COMMENT_BLOCK},
)


def register(app: AsyncApp) -> None:
    app.action(re.compile(render.RATING_PATTERN))(pressed("a case survey's rating", rated))
    app.action(render.COMMENT_BUTTON)(pressed("a case survey's comment button", comment_pressed))
    app.view(render.COMMENT_MODAL)(submitted(FORM, comment_submitted))


async def rated(press: Press) -> None:
    """A rating pressed: recorded (a later one replaces it), the presser thanked privately, in
    their own language by Slack's record of them (the gate places an outsider by team only)."""
    actor = await press.actor()
    done = await survey_cases.rate(
        press.deps.store,
        workspace_id=press.workspace_id,
        value=press.value,
        actor=actor,
        now=press.deps.clock.now(),
    )
    before = done.before.ratings.get(0) if done.before is not None else None
    language = person_language(press.deps, actor)
    text, blocks = render.thanks(done.survey, done.rating, before, language)
    await press.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


async def comment_pressed(press: Press) -> None:
    """ "Add a comment": the form, for a person with an answer on record."""
    number = rules.parse_number(press.value)
    survey, answer = await survey_cases.may_comment(
        press.deps.store,
        workspace_id=press.workspace_id,
        number=number,
        actor=await press.actor(),
        now=press.deps.clock.now(),
    )
    language = person_language(press.deps, await press.actor())
    view = render.comment_modal(
        survey, CommentForm(number=number).model_dump_json(), answer.comment, language
    )
    try:
        await press.client.views_open(trigger_id=press.trigger_id, view=view)
    except SlackApiError as exc:
        message = press.language._("I couldn't open the form ({error}). Try again.").format(
            error=exc.response.get("error")
        )
        await press.respond(
            text=message,
            blocks=[section(message)],
            response_type="ephemeral",
            replace_original=False,
        )


async def comment_submitted(form: Submission[CommentForm]) -> None:
    """The comment set on the person's current answer; kept internal."""
    await survey_cases.comment(
        form.deps.store,
        workspace_id=form.workspace_id,
        number=form.form.number,
        actor=await form.actor(),
        text=str(form.value(render.COMMENT_BLOCK, render.COMMENT_INPUT) or ""),
        now=form.deps.clock.now(),
    )
