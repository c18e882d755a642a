"""The card's buttons, the message shortcut and their modals: the same workflows and checks
as `/dispute`."""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import render_disputes
from bot.commands.blocks import md, mention
from bot.commands.common import Ack, form_value, tell, workspace_of
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.disputes import OpenForm, check_channel, open_form
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
from bot.domain.errors import DomainError
from bot.domain.ladder import Action
from bot.domain.parties import Audience
from bot.workflows import disputes

log = logging.getLogger(__name__)

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
        app.action(action_id)(card_button)
    app.view(REASON_MODAL)(reason_submitted)
    app.view(OPEN_MODAL)(open_submitted)
    app.shortcut(SHORTCUT)(open_from_message)


async def open_from_message(
    ack: Ack,
    body: dict[str, Any],
    context: AsyncBoltContext,
    deps: Deps,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """ "Open dispute from message": the modal, its title and people taken from the message."""
    await ack()
    message = body.get("message") or {}
    channel_id = str((body.get("channel") or {}).get("id") or "")
    author = str(message.get("user") or "")
    try:
        # Outsiders never reach here: the identity gate refuses them (bot/commands/identity.py).
        actor = await deps.directory.person(body["user"]["id"])
        first_line = plain_text(str(message.get("text") or "")).strip().split("\n")[0]
        people = [author] if author and author != actor.user_id else []
        await open_form(
            deps,
            client,
            trigger_id=str(body.get("trigger_id") or ""),
            channel_id=channel_id,
            title=first_line,
            people=people,
            source=md("From {}'s message", mention(author)) if author else None,
        )
    except DomainError as exc:
        await tell(respond, exc.message)
    except SlackApiError as exc:
        log.warning("opening the dispute modal failed: %s", exc.response.get("error"))


async def open_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    deps: Deps,
    client: AsyncWebClient,
) -> None:
    """Open the dispute; a refusal is shown on the field it concerns."""
    try:
        form = OpenForm.model_validate_json(view.get("private_metadata") or "")
    except ValidationError:
        await ack(
            response_action="errors",
            errors={TITLE_BLOCK: "This form is out of date. Close it and use /dispute."},
        )
        return
    title = str(form_value(view, TITLE_BLOCK, REASON_INPUT) or "")
    chosen = (
        form_value(
            view,
            PEOPLE_BLOCK,
            PEOPLE_INPUT,
            "selected_users",
        )
        or []
    )
    workspace_id = workspace_of(context)
    try:
        owner = await deps.directory.person(body["user"]["id"])
        people = [await deps.directory.person(str(u)) for u in chosen]
    except UnknownUser as exc:
        await ack(
            response_action="errors",
            errors={PEOPLE_BLOCK: f"I can't find {exc.ref}."},
        )
        return
    try:
        await check_channel(deps, form.channel)
        await disputes.open_dispute(
            deps.store,
            workspace_id=workspace_id,
            channel_id=form.channel,
            owner=owner,
            title=title,
            people=people,
            config=deps.config,
            calendar=deps.calendar,
            now=deps.clock.now(),
        )
    except DomainError as exc:
        block = PEOPLE_BLOCK if "bot" in exc.message else TITLE_BLOCK
        await ack(response_action="errors", errors={block: exc.message[:150]})
        return
    await ack()  # the card is owed with the dispute: the outbox posts it


async def card_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    deps: Deps,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    workspace_id = workspace_of(context)
    kind = BUTTON_KINDS[action["action_id"]]
    try:  # outsiders never reach here: the identity gate refuses them
        number = disputes.parse_number(str(action.get("value") or ""))
        dispute = await disputes.get_dispute(
            deps.store, workspace_id=workspace_id, number=number, audience=Audience()
        )
        if not dispute.is_open:
            await tell(respond, f"{dispute.ref} is already {dispute.status.value}.")
            return
    except DomainError as exc:
        await tell(respond, exc.message)
        return
    form = ReasonForm.model_validate({"number": number, "kind": kind})
    view = reason_modal(kind, dispute, form.model_dump_json())
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        log.warning("opening the %s modal failed: %s", kind, exc.response.get("error"))


async def reason_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    deps: Deps,
    client: AsyncWebClient,
) -> None:
    """Run the action; a refusal is shown on the field, so the form is never lost."""
    try:
        form = ReasonForm.model_validate_json(view.get("private_metadata") or "")
    except ValidationError:
        await ack(
            response_action="errors",
            errors={REASON_BLOCK: "This form is out of date. Close it and use /dispute."},
        )
        return
    text = str(form_value(view, REASON_BLOCK, REASON_INPUT) or "")
    workspace_id = workspace_of(context)
    try:
        actor = await deps.directory.person(body["user"]["id"])
        now = deps.clock.now()
        if form.kind == "note":
            await disputes.add_note(
                deps.store,
                workspace_id=workspace_id,
                number=form.number,
                actor=actor,
                text=text,
                now=now,
            )
        else:
            await disputes.act(
                deps.store,
                workspace_id=workspace_id,
                number=form.number,
                action=Action(form.kind),
                actor=actor,
                text=text,
                config=deps.config,
                calendar=deps.calendar,
                now=now,
            )
    except DomainError as exc:
        await ack(response_action="errors", errors={REASON_BLOCK: exc.message[:150]})
        return
    await ack()  # what the change owes the thread and the card was owed with it
