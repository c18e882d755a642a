"""The card's buttons, the message shortcut and their modals: the same workflows and checks
as `/dispute`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp

from bot.commands import render_disputes
from bot.commands.blocks import md, mention
from bot.commands.disputes import OpenForm, check_channel, open_form
from bot.commands.interactions import Form, Press, Submission, pressed, submitted
from bot.commands.parsing import plain_text
from bot.commands.render_dispute_forms import (
    OPEN_MODAL,
    PEOPLE_BLOCK,
    PEOPLE_INPUT,
    REASON_BLOCK,
    REASON_INPUT,
    REASON_MODAL,
    TITLE_BLOCK,
    reason_modal,
)
from bot.commands.survey_cases import case_asking
from bot.commands.words.base import N_
from bot.domain.errors import InvalidInput
from bot.domain.ladder import Action
from bot.domain.parties import Audience
from bot.workflows import disputes

BUTTON_KINDS = {
    render_disputes.ESCALATE_BUTTON: "escalate",
    render_disputes.RESOLVE_BUTTON: "resolve",
    render_disputes.NOTE_BUTTON: "note",
}


class ReasonForm(BaseModel):
    """What the modal carries in private_metadata; anything else is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1, le=999_999_999)
    kind: Literal["escalate", "resolve", "withdraw", "note"]


SHORTCUT = "open_dispute_from_message"


def register(app: AsyncApp) -> None:
    for action_id in BUTTON_KINDS:
        app.action(action_id)(pressed("the dispute card's button", card_button))
    app.view(REASON_MODAL)(submitted(REASON_FORM, reason_submitted))
    app.view(OPEN_MODAL)(submitted(OPEN_FORM, open_submitted))
    app.shortcut(SHORTCUT)(pressed("open dispute from message", open_from_message))


STALE = N_("This form is out of date. Close it and use /dispute.")
OPEN_FORM = Form(
    name="the open-dispute form",
    metadata=OpenForm,
    main_block=TITLE_BLOCK,
    stale=STALE,
    blocks={"people": PEOPLE_BLOCK},
    people_block=PEOPLE_BLOCK,
)
REASON_FORM = Form(
    name="the dispute's reason form",
    metadata=ReasonForm,
    main_block=REASON_BLOCK,
    stale=STALE,
)


async def open_from_message(press: Press) -> None:
    """ "Open dispute from message": the modal, its title and people taken from the message."""
    message = press.body.get("message") or {}
    channel_id = str((press.body.get("channel") or {}).get("id") or "")
    author = str(message.get("user") or "")
    actor = await press.actor()
    first_line = plain_text(str(message.get("text") or "")).strip().split("\n")[0]
    people = [author] if author and author != actor.user_id else []
    await open_form(
        press.deps,
        press.client,
        trigger_id=press.trigger_id,
        channel_id=channel_id,
        language=press.language,
        title=first_line,
        people=people,
        source=md(press.language._("From {author}'s message"), author=mention(author))
        if author
        else None,
    )


async def open_submitted(form: Submission[OpenForm]) -> None:
    """Open the dispute; a refusal is shown on the field it concerns."""
    title = str(form.value(TITLE_BLOCK, REASON_INPUT) or "")
    chosen = form.value(PEOPLE_BLOCK, PEOPLE_INPUT, "selected_users") or []
    owner = await form.actor()
    people = [await form.deps.directory.person(str(u)) for u in chosen]
    await check_channel(form.deps, form.form.channel)
    await disputes.open_dispute(
        form.deps.store,
        workspace_id=form.workspace_id,
        channel_id=form.form.channel,
        owner=owner,
        title=title,
        people=people,
        config=form.deps.config,
        calendar=form.deps.calendar,
        now=form.deps.clock.now(),
    )


async def card_button(press: Press) -> None:
    """Escalate, Resolve or Note on the card: the reason modal for an open dispute."""
    action_id = str((press.body.get("actions") or [{}])[0].get("action_id") or "")
    kind = BUTTON_KINDS[action_id]
    number = disputes.parse_number(press.value)
    dispute = await disputes.get_dispute(
        press.deps.store, workspace_id=press.workspace_id, number=number, audience=Audience()
    )
    if not dispute.is_open:
        raise InvalidInput("dispute.already_closed", ref=dispute.ref, status=dispute.status)
    form = ReasonForm.model_validate({"number": number, "kind": kind})
    view = reason_modal(kind, dispute, form.model_dump_json(), press.language)
    await press.client.views_open(trigger_id=press.trigger_id, view=view)


async def reason_submitted(form: Submission[ReasonForm]) -> None:
    """Run the action; a refusal is shown on the field, so the form is never lost."""
    text = str(form.value(REASON_BLOCK, REASON_INPUT) or "")
    actor = await form.actor()
    now = form.deps.clock.now()
    if form.form.kind == "note":
        await disputes.add_note(
            form.deps.store,
            workspace_id=form.workspace_id,
            number=form.form.number,
            actor=actor,
            text=text,
            now=now,
        )
        return
    await disputes.act(
        form.deps.store,
        workspace_id=form.workspace_id,
        number=form.form.number,
        action=Action(form.form.kind),
        actor=actor,
        text=text,
        config=form.deps.config,
        calendar=form.deps.calendar,
        now=now,
        asking=case_asking(form.deps),
    )
