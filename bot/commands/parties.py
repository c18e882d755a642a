"""`/party`: parse, call the party_admin workflow, render the answer (always ephemeral)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import outgoing, render, render_parties
from bot.commands.common import Ack, answer, workspace_of
from bot.commands.identity import SLACK_TROUBLE, SlackTrouble, caller_of
from bot.commands.parsing import names_text, split_subcommand
from bot.deps import Deps
from bot.workflows import party_admin
from bot.workflows.errors import DomainError
from bot.workflows.models import Audience, Party, Person


@dataclass(frozen=True)
class Invocation:
    deps: Deps
    ack: Ack
    client: AsyncWebClient
    workspace_id: str
    actor: Person
    audience: Audience
    args: str
    channel_id: str


Subcommand = Callable[[Invocation], Awaitable[None]]


def register(app: AsyncApp) -> None:
    app.command("/party")(party_command)


async def party_command(
    ack: Ack,
    command: dict[str, Any],
    context: AsyncBoltContext,
    deps: Deps,
    client: AsyncWebClient,
) -> None:
    sub, args = split_subcommand(command.get("text") or "")
    run = SUBCOMMANDS.get(sub)
    if run is None:
        problem = (
            None if sub in ("", "help") else f"`{names_text(sub[:40])}` is not a /party subcommand."
        )
        await answer(ack, *render_parties.usage(problem))
        return
    workspace_id = workspace_of(context)
    try:
        internal = (await caller_of(context)).internal
    except SlackTrouble:
        await answer(ack, *render.error(SLACK_TROUBLE))
        return
    if not internal:
        await answer(
            ack,
            *render.error(
                "Only members of the workspace that runs Parley can use /party. "
                "Ask your contact there if your organisation's details need a change."
            ),
        )
        return
    try:
        call = Invocation(
            deps=deps,
            ack=ack,
            client=client,
            workspace_id=workspace_id,
            actor=await deps.directory.person(command["user_id"]),
            audience=await deps.directory.audience(command["channel_id"], workspace_id),
            args=names_text(args),
            channel_id=command["channel_id"],
        )
        await run(call)
    except DomainError as exc:
        # Messages quote what was typed; Slack's control characters must not act in mrkdwn.
        await answer(ack, *render.error(exc.message))


async def list_(call: Invocation) -> None:
    entries = await party_admin.list_parties(
        call.deps.store,
        workspace_id=call.workspace_id,
        actor=call.actor,
        audience=call.audience,
        config=call.deps.config,
        now=call.deps.clock.now(),
    )
    await _answer(
        call,
        *render_parties.party_list(entries, audience=call.audience),
        parties=[e.party for e in entries],
    )


async def show(call: Invocation) -> None:
    details = await party_admin.party_details(
        call.deps.store,
        workspace_id=call.workspace_id,
        name=call.args,
        actor=call.actor,
        audience=call.audience,
        config=call.deps.config,
        now=call.deps.clock.now(),
    )
    await _answer(call, *render_parties.party_record(details), parties=[details.party])


async def set_(call: Invocation) -> None:
    change = await party_admin.set_kind(
        call.deps.store,
        workspace_id=call.workspace_id,
        request=party_admin.parse_set(call.args),
        actor=call.actor,
        audience=call.audience,
        config=call.deps.config,
        now=call.deps.clock.now(),
    )
    await _changed(call, change)


async def rename(call: Invocation) -> None:
    change = await party_admin.rename_party(
        call.deps.store,
        workspace_id=call.workspace_id,
        request=party_admin.parse_rename(call.args),
        actor=call.actor,
        audience=call.audience,
        config=call.deps.config,
        now=call.deps.clock.now(),
    )
    await _changed(call, change)


async def _changed(call: Invocation, change: party_admin.PartyChange) -> None:
    """Confirm; the cards that show the party were owed an edit by the change itself."""
    await _answer(call, *render_parties.party_changed(change), parties=[change.after])


SUBCOMMANDS: dict[str, Subcommand] = {
    "list": list_,
    "show": show,
    "set": set_,
    "rename": rename,
}


async def _answer(
    call: Invocation, text: str, blocks: render.Blocks, *, parties: list[Party]
) -> None:
    """Through the door: in a shared channel only that channel's own parties may be named."""
    await outgoing.answer(
        call.deps,
        call.ack,
        channel=call.channel_id,
        workspace_id=call.workspace_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(parties=parties),
    )
