"""`/party`: parse, call the party_admin workflow, render the answer (always ephemeral)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp

from bot.commands import outgoing, render_parties
from bot.commands.blocks import Blocks
from bot.commands.common import Ack
from bot.commands.deps import Deps
from bot.commands.parsing import names_text
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.commands.words.language import Language
from bot.domain.parties import Audience, Party, Person
from bot.workflows import party_admin


@dataclass(frozen=True)
class PartyCall:
    """A /party subcommand's input: the router's invocation, with the actor and audience."""

    deps: Deps
    ack: Ack
    workspace_id: str
    actor: Person
    audience: Audience
    args: str
    channel_id: str
    language: Language  # the caller's: every answer of /party is theirs alone


def register(app: AsyncApp) -> None:
    app.command("/party")(slash_command(PARTY))


def _placed(run: Callable[[PartyCall], Awaitable[None]]) -> Subcommand:
    """The subcommand with who acts and the channel's audience placed, the text as typed."""

    async def subcommand(call: Invocation) -> None:
        await run(
            PartyCall(
                deps=call.deps,
                ack=call.ack,
                workspace_id=call.workspace_id,
                actor=await call.deps.directory.person(call.user_id),
                audience=await call.deps.directory.audience(call.channel_id, call.workspace_id),
                args=names_text(call.args),
                channel_id=call.channel_id,
                language=call.language,
            )
        )

    return subcommand


async def list_(call: PartyCall) -> None:
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
        *render_parties.party_list(entries, audience=call.audience, language=call.language),
        parties=[e.party for e in entries],
    )


async def show(call: PartyCall) -> None:
    details = await party_admin.party_details(
        call.deps.store,
        workspace_id=call.workspace_id,
        name=call.args,
        actor=call.actor,
        audience=call.audience,
        config=call.deps.config,
        now=call.deps.clock.now(),
    )
    await _answer(
        call, *render_parties.party_record(details, call.language), parties=[details.party]
    )


async def set_(call: PartyCall) -> None:
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


async def rename(call: PartyCall) -> None:
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


async def _changed(call: PartyCall, change: party_admin.PartyChange) -> None:
    """Confirm; the cards that show the party were owed an edit by the change itself."""
    await _answer(
        call, *render_parties.party_changed(change, call.language), parties=[change.after]
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "list": _placed(list_),
    "show": _placed(show),
    "set": _placed(set_),
    "rename": _placed(rename),
}

PARTY = SlashCommand(
    name="/party",
    subcommands=SUBCOMMANDS,
    usage=render_parties.usage,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /party. "
        "Ask your contact there if your organisation's details need a change."
    ),
    mention_example=None,
)


async def _answer(call: PartyCall, text: str, blocks: Blocks, *, parties: list[Party]) -> None:
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
