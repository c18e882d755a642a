"""`/contract list | show <supplier or service> | check`: the suppliers' support contracts
and the customer SLAs they underpin, from the config file, answered only to the asker; and
the background job that owes the renewal DMs."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import outgoing, render_contracts
from bot.commands.deps import Deps
from bot.commands.parsing import names_text
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.domain import agreement_terms
from bot.domain.errors import InvalidInput
from bot.workflows import contracts as workflow


def register(app: AsyncApp) -> None:
    app.command("/contract")(slash_command(CONTRACT))


async def _answer(call: Invocation, text: str, blocks: list[dict[str, object]]) -> None:
    """Contracts are internal: never shown in a shared channel (the door refuses there)."""
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
        raise InvalidInput("contract.shared_channel")


async def list_(call: Invocation) -> None:
    await _not_shared(call)
    found = workflow.overview(call.deps.config)
    await _answer(call, *render_contracts.contract_list(found, language=call.language))


async def show(call: Invocation) -> None:
    await _not_shared(call)
    config = call.deps.config
    chosen = workflow.look_up(config, names_text(call.args))
    found = workflow.overview(config)
    await _answer(call, *render_contracts.show(found, chosen, language=call.language))


async def check(call: Invocation) -> None:
    await _not_shared(call)
    found = workflow.overview(call.deps.config)
    await _answer(call, *render_contracts.check(found, language=call.language))


SUBCOMMANDS: dict[str, Subcommand] = {"list": list_, "show": show, "check": check}

CONTRACT = SlashCommand(
    name="/contract",
    subcommands=SUBCOMMANDS,
    usage=render_contracts.usage,
    outsiders=N_("Only members of the workspace that runs Parley can use /contract."),
    mention_example=None,
)


async def owe_renewals(deps: Deps, workspace_id: str) -> None:
    """The background job: each contract's renewal DM due today (in the company's zone), owed
    once each; the outbox delivers them."""
    now = deps.clock.now()
    today = agreement_terms.today_in(now, deps.config.calendar.zone)
    await workflow.owe_renewals(
        deps.store, workspace_id=workspace_id, config=deps.config, today=today, now=now
    )
