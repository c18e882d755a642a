"""`/audit publish S-n [to supplier]` (a subcommand of `/audit`, `bot/commands/audits.py`),
and the buttons of a published scorecard: the supplier's **Comment** and **Appeal** (and their
forms), and the internal copy's **Create improvement action** under a band-D dimension.

Where it is posted: the internal copy in the channel where `/audit publish` ran (an internal
channel: publishing from a shared one is refused, so the copy with the auditor's notes never
reaches a supplier); with `to supplier`, also in the channel Slack says is shared with that
supplier's organisation and no other, found among the channels Parley is in.

Outsiders pass the identity gate for Comment and Appeal and their two forms only
(`identity.OUTSIDER_ACTIONS`, `OUTSIDER_VIEWS`); whether they may is the workflow's, by Slack's
record of the presser: a person of the scorecard's own party, whatever channel they pressed in.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import render_audit_publish as render
from bot.commands.agreements import shared_channel_of
from bot.commands.blocks import md, notice, section
from bot.commands.common import answer
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import plain_text
from bot.commands.readers import person_language
from bot.commands.router import Invocation
from bot.commands.words.base import N_
from bot.domain import audit_publish as rules
from bot.domain.audit_publish import RemarkKind
from bot.domain.errors import InvalidInput
from bot.domain.names import name_key
from bot.workflows import audit_publish as workflow

# "to supplier", as people write it (compared by `name_key`: any case, width or spacing).
TO_SUPPLIER = frozenset(name_key(w) for w in ("to supplier", "to the supplier", "给供应商"))


class RemarkForm(BaseModel):
    """What a Comment or Appeal form carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1, lt=rules.MAX_NUMBER)
    version: int = Field(ge=1, lt=rules.MAX_NUMBER)


def _form(kind: RemarkKind) -> Form[RemarkForm]:
    return Form(
        name=f"a scorecard's {kind.value} form",
        metadata=RemarkForm,
        main_block=render.REMARK_BLOCK,
        stale=N_("This form is out of date. Close it and press the scorecard's button again."),
        blocks={"text": render.REMARK_BLOCK},
    )


def register(app: AsyncApp) -> None:
    app.action(render.COMMENT_BUTTON)(pressed("a scorecard's Comment", comment_pressed))
    app.action(render.APPEAL_BUTTON)(pressed("a scorecard's Appeal", appeal_pressed))
    app.action(render.ACTION_BUTTON)(pressed("a scorecard's improvement action", improve))
    app.view(render.COMMENT_MODAL)(submitted(_form(RemarkKind.COMMENT), comment_submitted))
    app.view(render.APPEAL_MODAL)(submitted(_form(RemarkKind.APPEAL), appeal_submitted))


def _parse(args: str) -> tuple[int, bool]:
    """`S-3` or `S-3 to supplier` → (3, whether the supplier gets its copy)."""
    ref, _, rest = plain_text(args).strip().partition(" ")
    if not ref:
        raise InvalidInput("audit.publish_usage")
    number = rules.parse_number(ref)
    rest = rest.strip()
    if not rest:
        return number, False
    if name_key(rest) in TO_SUPPLIER:
        return number, True
    raise InvalidInput("audit.publish_usage")


async def publish(call: Invocation) -> None:
    """`/audit publish S-n [to supplier]`: published now, posted by the outbox."""
    deps = call.deps
    number, to_supplier = _parse(call.args)
    actor = await deps.directory.person(call.user_id)
    here = await deps.directory.audience(call.channel_id, call.workspace_id)
    if not here.internal:
        raise InvalidInput("audit.publish_shared_channel")
    scorecard = await workflow.scorecard(deps.store, workspace_id=call.workspace_id, number=number)
    rules.check_publishable(scorecard)  # before asking Slack for the supplier's channel
    party_channel = None
    if to_supplier:
        team = scorecard.party.slack_team
        if team is not None:
            party_channel = await shared_channel_of(
                deps, call.client, team=team, workspace_id=call.workspace_id
            )
        if party_channel is None:
            raise InvalidInput(
                "audit.publish_no_shared_channel", ref=scorecard.ref, party=scorecard.party.name
            )
    done = await workflow.publish(
        deps.store,
        workspace_id=call.workspace_id,
        actor=actor,
        number=number,
        channel_id=call.channel_id,
        party_channel=party_channel,
        now=deps.clock.now(),
    )
    await answer(call.ack, *render.published(done, party_channel, call.language))


async def _open_remark(press: Press, kind: RemarkKind) -> None:
    actor = await press.actor()
    scorecard, version = await workflow.may_remark(
        press.deps.store, workspace_id=press.workspace_id, value=press.value, actor=actor
    )
    language = person_language(press.deps, actor)
    metadata = RemarkForm(number=scorecard.number, version=version).model_dump_json()
    view = render.remark_modal(scorecard, kind, metadata, language)
    try:
        await press.client.views_open(trigger_id=press.trigger_id, view=view)
    except SlackApiError as exc:
        message = language._("I couldn't open the form ({error}). Try again.").format(
            error=exc.response.get("error")
        )
        await press.respond(
            text=message,
            blocks=[section(message)],
            response_type="ephemeral",
            replace_original=False,
        )


async def comment_pressed(press: Press) -> None:
    """Comment: the form, for a person of the scorecard's own party."""
    await _open_remark(press, RemarkKind.COMMENT)


async def appeal_pressed(press: Press) -> None:
    """Appeal: the form, for a person of the scorecard's own party."""
    await _open_remark(press, RemarkKind.APPEAL)


async def _remark(form: Submission[RemarkForm], kind: RemarkKind) -> None:
    await workflow.remark(
        form.deps.store,
        workspace_id=form.workspace_id,
        kind=kind,
        number=form.form.number,
        version=form.form.version,
        actor=await form.actor(),
        text=form.value(render.REMARK_BLOCK, render.REMARK_INPUT),
        now=form.deps.clock.now(),
    )


async def comment_submitted(form: Submission[RemarkForm]) -> None:
    """A comment recorded against the version its button showed."""
    await _remark(form, RemarkKind.COMMENT)


async def appeal_submitted(form: Submission[RemarkForm]) -> None:
    """An appeal recorded; the scorecard's owner is told by DM (owed with it)."""
    await _remark(form, RemarkKind.APPEAL)


async def improve(press: Press) -> None:
    """Create improvement action: T-n for the owner, due in ten working days, once."""
    deps = press.deps
    done = await workflow.improve(
        deps.store,
        workspace_id=press.workspace_id,
        value=press.value,
        actor=await press.actor(),
        bands=deps.config.audits.bands.by_band,
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    ref = f"T-{done.number}"
    if done.created:
        said = render.action_created(
            ref, done.scorecard, press.language.day_year(done.due_at), press.language
        )
    else:
        said = md("{}", render.action_exists(ref, done.scorecard, press.language))
    text, blocks = notice(said)
    await press.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
