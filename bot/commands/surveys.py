"""`/survey` (periodic satisfaction surveys), the post's Answer button and the questionnaire
form; and the ticker's look at surveys over time (scheduled sends, the one reminder, closing).

Every `/survey` subcommand is for insiders (the router refuses outsiders, also in a DM).
Outsiders pass the identity gate for the Answer button and the form only
(`identity.OUTSIDER_ACTIONS`, `OUTSIDER_VIEWS`); the workflow checks, by Slack's record of
the presser, that they are of the survey's party.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing
from bot.commands import render_surveys as render
from bot.commands.agreements import shared_channel_of
from bot.commands.blocks import section
from bot.commands.deps import Deps
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import names_text, plain_text
from bot.commands.readers import person_language
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.domain import surveys as rules
from bot.domain.errors import InvalidInput
from bot.workflows import surveys as workflow
from bot.workflows.surveys import Sending

log = logging.getLogger(__name__)


def sending_of(deps: Deps) -> Sending:
    return Sending(config=deps.config.surveys, calendar=deps.calendar)


class AnswerForm(BaseModel):
    """What the questionnaire carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1, lt=10**9)


FORM = Form(
    name="the survey questionnaire",
    metadata=AnswerForm,
    main_block="q0",
    stale=N_("This form is out of date. Close it and press the survey's Answer button again."),
    blocks={**{f"q{i}": f"q{i}" for i in range(20)}, "comment": render.COMMENT_BLOCK},
)


def register(app: AsyncApp) -> None:
    app.command("/survey")(slash_command(SURVEY))
    app.action(render.ANSWER_BUTTON)(pressed("a survey's Answer button", answer_pressed))
    app.view(render.FORM_MODAL)(submitted(FORM, form_submitted))


async def _internal(call: Invocation, text: str, blocks: list[dict[str, object]]) -> None:
    await outgoing.answer(
        call.deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(internal=True),
    )


async def send(call: Invocation) -> None:
    """`/survey send <party> [title]`: posted in the party's own shared channel."""
    deps = call.deps
    actor = await deps.directory.person(call.user_id)
    party, title = await workflow.to_send(
        deps.store, workspace_id=call.workspace_id, actor=actor, text=plain_text(call.args)
    )
    assert party.slack_team is not None
    channel = await shared_channel_of(
        deps, call.client, team=party.slack_team, workspace_id=call.workspace_id
    )
    if channel is None:
        raise InvalidInput("survey.no_channel", name=party.name)
    survey = await workflow.send(
        deps.store,
        workspace_id=call.workspace_id,
        actor=actor,
        party=party,
        title=title,
        channel_id=channel,
        sending=sending_of(deps),
        now=deps.clock.now(),
    )
    await _internal(
        call, *render.sent(survey, zone=deps.config.calendar.zone, language=call.language)
    )


async def schedule(call: Invocation) -> None:
    """`/survey schedule <party> every quarter`."""
    deps = call.deps
    made, rule = await workflow.schedule(
        deps.store,
        workspace_id=call.workspace_id,
        actor=await deps.directory.person(call.user_id),
        text=names_text(call.args),
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    text, blocks = render.scheduled(
        made, rule, zone=deps.config.calendar.zone, language=call.language
    )
    await _internal(call, text, blocks)


async def unschedule(call: Invocation) -> None:
    deps = call.deps
    stopped = await workflow.unschedule(
        deps.store,
        workspace_id=call.workspace_id,
        actor=await deps.directory.person(call.user_id),
        text=names_text(call.args),
    )
    await _internal(call, *render.unscheduled(stopped, call.language))


async def list_(call: Invocation) -> None:
    deps = call.deps
    found = await workflow.list_surveys(
        deps.store,
        workspace_id=call.workspace_id,
        actor=await deps.directory.person(call.user_id),
        text=names_text(call.args),
    )
    text, blocks = render.listed(
        found.surveys,
        found.total,
        found.counts,
        found.schedules,
        zone=deps.config.calendar.zone,
        language=call.language,
    )
    await _internal(call, text, blocks)


async def show(call: Invocation) -> None:
    deps = call.deps
    found = await workflow.show(
        deps.store,
        workspace_id=call.workspace_id,
        actor=await deps.directory.person(call.user_id),
        text=call.args,
    )
    await _internal(
        call, *render.shown(found, zone=deps.config.calendar.zone, language=call.language)
    )


async def close(call: Invocation) -> None:
    deps = call.deps
    closed = await workflow.close(
        deps.store,
        workspace_id=call.workspace_id,
        actor=await deps.directory.person(call.user_id),
        text=call.args,
        now=deps.clock.now(),
    )
    await _internal(call, *render.closed(closed, call.language))


SUBCOMMANDS: dict[str, Subcommand] = {
    "send": send,
    "schedule": schedule,
    "unschedule": unschedule,
    "list": list_,
    "show": show,
    "close": close,
}


async def answer_pressed(press: Press) -> None:
    """Answer: the questionnaire, for a person of the survey's party while it is open."""
    number = rules.parse_number(press.value)
    actor = await press.actor()
    survey, before = await workflow.may_answer(
        press.deps.store,
        workspace_id=press.workspace_id,
        number=number,
        actor=actor,
        now=press.deps.clock.now(),
    )
    view = render.form(
        survey,
        AnswerForm(number=number).model_dump_json(),
        dict(before.ratings) if before is not None else {},
        before.comment if before is not None else None,
        person_language(press.deps, actor),
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


async def form_submitted(form: Submission[AnswerForm]) -> None:
    """The answer recorded (replacing the person's earlier one); the post's count is owed."""
    ratings: dict[int, object] = {}
    state = (form.view.get("state") or {}).get("values") or {}
    for block in state:
        if block.startswith("q") and block[1:].isdigit():
            chosen = form.value(block, render.RATING_INPUT, "selected_option")
            value = chosen.get("value") if isinstance(chosen, dict) else None
            if value is not None:
                ratings[int(block[1:])] = value
    await workflow.answer(
        form.deps.store,
        workspace_id=form.workspace_id,
        number=form.form.number,
        actor=await form.actor(),
        ratings=ratings,
        comment=str(form.value(render.COMMENT_BLOCK, render.COMMENT_INPUT) or ""),
        now=form.deps.clock.now(),
    )


# --- over time --------------------------------------------------------------------------------


async def watch_surveys(deps: Deps, client: AsyncWebClient) -> None:
    """The ticker's look: each due scheduled send (once), each due reminder (once), and every
    survey whose time ran out closed (case surveys too)."""
    now = deps.clock.now()
    for due in await workflow.due_schedules(deps.store, now=now):
        channel = None
        if due.party.slack_team is not None:
            try:
                channel = await shared_channel_of(
                    deps, client, team=due.party.slack_team, workspace_id=due.workspace_id
                )
            except SlackApiError as exc:
                log.warning(
                    "survey schedule %d: channels not listed (%s)",
                    due.id,
                    exc.response.get("error"),
                )
                continue  # tried again next tick
        opened = await workflow.send_scheduled(
            deps.store, schedule=due, channel_id=channel, sending=sending_of(deps), now=now
        )
        if opened is not None:
            log.info("%s sent for %s by its schedule", opened.ref, due.party.name)
        elif channel is None:
            log.info(
                "survey schedule %d: %s has no shared channel; skipped", due.id, due.party.name
            )
    for survey in await workflow.remind_due(deps.store, now=now):
        log.info("%s: its reminder is owed", survey.ref)
    for survey in await workflow.close_due(deps.store, now=now):
        log.info("%s closed: its time ran out", survey.ref)


SURVEY = SlashCommand(
    name="/survey",
    subcommands=SUBCOMMANDS,
    usage=render.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /survey. "
        "To answer a survey, press its Answer button in your shared channel."
    ),
    mention_example=None,
)
