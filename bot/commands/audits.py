"""`/audit open|rate|list|show|schedule|unschedule`: supplier scorecards S-n, answered only to
the asker (scorecards are internal until published); the rating form; the background job that
makes the scheduled drafts; and the membership events of the shared channels."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import audit_publish, outgoing, render_audits
from bot.commands.blocks import section
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.interactions import Form, Submission, submitted
from bot.commands.parsing import names_text
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.domain.errors import InvalidInput
from bot.workflows import audits as workflow

log = logging.getLogger(__name__)


class RateForm(BaseModel):
    """What the rating form carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1, lt=10**9)
    version: int = Field(ge=1, lt=10**6)


FORM = Form(
    name="the scorecard's rating form",
    metadata=RateForm,
    main_block=render_audits.RATING_BLOCK,
    stale=N_("This form is out of date. Close it and use /audit rate again."),
    blocks={"cooperation": render_audits.RATING_BLOCK, "notes": render_audits.NOTES_BLOCK},
)


def register(app: AsyncApp) -> None:
    app.command("/audit")(slash_command(AUDIT))
    app.view(render_audits.RATE_MODAL)(submitted(FORM, rate_submitted))


async def _answer(call: Invocation, text: str, blocks: list[dict[str, object]]) -> None:
    """Scorecards are internal: never shown in a shared channel (the door refuses there)."""
    await outgoing.answer(
        call.deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(internal=True),
    )


async def _not_shared(call: Invocation) -> None:
    """Refused up front in a shared channel, with words that say why."""
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    if not audience.internal:
        raise InvalidInput("audit.shared_channel")


def parse_number(text: str) -> int:
    """`S-3`, `s3`, `S 3` or `3` → 3; anything else is refused with how to write it."""
    raw = text.strip().upper().removeprefix("S").strip().removeprefix("-").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise InvalidInput("audit.bad_id", text=text.strip()[:40])
    return int(raw)


async def open_(call: Invocation) -> None:
    await _not_shared(call)
    deps = call.deps
    card = await workflow.open_scorecard(
        deps.store,
        workspace_id=call.workspace_id,
        auditor=await deps.directory.person(call.user_id),
        text=names_text(call.args),
        config=deps.config,
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    await _answer(call, *render_audits.opened(card, tz=deps.calendar.tz, language=call.language))


async def rate(call: Invocation) -> None:
    """`/audit rate S-n`: the auditor's form (cooperation 1-5 and notes)."""
    await _not_shared(call)
    deps = call.deps
    card = await workflow.rating_of(
        deps.store,
        workspace_id=call.workspace_id,
        rater=await deps.directory.person(call.user_id),
        number=parse_number(call.args),
    )
    await call.ack()
    view = render_audits.rate_modal(
        card,
        RateForm(number=card.number, version=card.version).model_dump_json(),
        call.language,
    )
    try:
        await call.client.views_open(trigger_id=call.trigger_id, view=view)
    except SlackApiError as exc:
        message = call.language._("I couldn't open the form ({error}). Try again.").format(
            error=exc.response.get("error")
        )
        await call.respond(text=message, blocks=[section(message)], response_type="ephemeral")


async def rate_submitted(form: Submission[RateForm]) -> None:
    """The rating saved (a published scorecard begins its next version); the form closes."""
    deps = form.deps
    picked = form.value(render_audits.RATING_BLOCK, render_audits.RATING_INPUT, "selected_option")
    cooperation = picked.get("value") if isinstance(picked, dict) else None
    await workflow.rate(
        deps.store,
        workspace_id=form.workspace_id,
        rater=await form.actor(),
        number=form.form.number,
        cooperation=cooperation,
        notes=form.value(render_audits.NOTES_BLOCK, render_audits.NOTES_INPUT),
        config=deps.config,
        now=deps.clock.now(),
        seen_version=form.form.version,
    )


async def list_(call: Invocation) -> None:
    await _not_shared(call)
    deps = call.deps
    found, count, _, planned = await workflow.list_scorecards(
        deps.store,
        workspace_id=call.workspace_id,
        asker=await deps.directory.person(call.user_id),
        supplier=names_text(call.args),
    )
    text, blocks = render_audits.scorecard_list(
        found, count, planned, tz=deps.calendar.tz, language=call.language
    )
    await _answer(call, text, blocks)


async def show(call: Invocation) -> None:
    await _not_shared(call)
    deps = call.deps
    card, versions = await workflow.show(
        deps.store,
        workspace_id=call.workspace_id,
        asker=await deps.directory.person(call.user_id),
        number=parse_number(call.args),
    )
    await _answer(
        call,
        *render_audits.scorecard(
            card, tz=deps.calendar.tz, language=call.language, versions=versions
        ),
    )


async def schedule(call: Invocation) -> None:
    await _not_shared(call)
    deps = call.deps
    plan = await workflow.schedule(
        deps.store,
        workspace_id=call.workspace_id,
        asker=await deps.directory.person(call.user_id),
        text=names_text(call.args),
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    await _answer(call, *render_audits.scheduled(plan, tz=deps.calendar.tz, language=call.language))


async def unschedule(call: Invocation) -> None:
    await _not_shared(call)
    deps = call.deps
    party = await workflow.unschedule(
        deps.store,
        workspace_id=call.workspace_id,
        asker=await deps.directory.person(call.user_id),
        text=names_text(call.args),
    )
    await _answer(call, *render_audits.unscheduled(party.name, call.language))


# `publish` is the publishing side's (posting internally and in the shared channel).
SUBCOMMANDS: dict[str, Subcommand] = {
    "open": open_,
    "rate": rate,
    "list": list_,
    "show": show,
    "schedule": schedule,
    "unschedule": unschedule,
    "publish": audit_publish.publish,
}

AUDIT = SlashCommand(
    name="/audit",
    subcommands=SUBCOMMANDS,
    usage=render_audits.usage,
    outsiders=N_("Only members of the workspace that runs Parley can use /audit."),
    mention_example=None,
)


async def make_scheduled_drafts(deps: Deps) -> None:
    """The background job: each scheduled audit whose period has ended gets its draft, and
    its owner one reminder (the outbox delivers it)."""
    await workflow.make_scheduled_drafts(
        deps.store, config=deps.config, calendar=deps.calendar, now=deps.clock.now()
    )


# --------------------------------------------------------------------------------------------
# Membership of the shared channels: `member_joined_channel` / `member_left_channel`


def _event_time(body: dict[str, Any], deps: Deps) -> datetime:
    stamp = body.get("event_time")
    if isinstance(stamp, int) and stamp > 0:
        return datetime.fromtimestamp(stamp, tz=UTC)
    return deps.clock.now()


async def membership_changed(event: dict[str, Any], body: dict[str, Any], deps: Deps) -> None:
    """Record who joined or left a channel from what the event carries (before the ack, one
    insert); after the ack Slack's record of the person and the channel places it on the
    person's party, or forgets it when it is not a party's person in a channel shared with
    that party."""
    channel, user = event.get("channel"), event.get("user")
    if isinstance(channel, dict):
        channel = channel.get("id")
    if isinstance(channel, str):  # who can read it changed: isolation uses the new truth
        deps.directory.forget_channel(channel)
    workspace_id = body.get("team_id")
    if not (isinstance(channel, str) and isinstance(user, str) and isinstance(workspace_id, str)):
        return
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        event_id = f"{event.get('type')}:{channel}:{user}:{event.get('event_ts')}"
    team = event.get("user_team") or event.get("team")
    recorded = await workflow.record_membership(
        deps.store,
        workspace_id=workspace_id,
        channel_id=channel,
        user_id=user,
        team_id=team if isinstance(team, str) else None,
        joined=event.get("type") == "member_joined_channel",
        at=_event_time(body, deps),
        event_id=event_id[:64],
    )
    if recorded:
        deps.runtime.handlers.after_ack(_place(deps, workspace_id, channel, user, event_id[:64]))


async def _place(deps: Deps, workspace_id: str, channel: str, user: str, event_id: str) -> None:
    try:
        who = await deps.directory.person(user)
        audience = await deps.directory.audience(channel, workspace_id)
    except (UnknownUser, SlackApiError) as exc:
        log.warning("membership of %s in %s not placed (%s)", user, channel, type(exc).__name__)
        return
    teams = frozenset() if audience.internal else audience.team_ids
    await workflow.place_membership(
        deps.store, workspace_id=workspace_id, event_id=event_id, person=who, channel_teams=teams
    )
