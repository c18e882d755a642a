"""`/report`: the satisfaction report, asked for in any channel and sent to the asker by DM
(the figures, then their chart); the channel only hears that it was sent."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import render_reports
from bot.commands.common import answer
from bot.commands.parsing import plain_text
from bot.commands.router import Invocation, SlashCommand, Subcommand, slash_command
from bot.commands.words.base import N_
from bot.workflows import reports as workflow


def register(app: AsyncApp) -> None:
    app.command("/report")(slash_command(REPORT))


async def satisfaction(call: Invocation) -> None:
    """`/report satisfaction [party] [period]`: checked now, figured and sent to the
    asker's DM by the outbox."""
    deps = call.deps
    asker = await deps.directory.person(call.user_id)
    await workflow.ask_satisfaction(
        deps.store,
        workspace_id=call.workspace_id,
        asker=asker,
        text=plain_text(call.args),
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
    await answer(call.ack, *render_reports.sent(call.language))


SUBCOMMANDS: dict[str, Subcommand] = {"satisfaction": satisfaction}

REPORT = SlashCommand(
    name="/report",
    subcommands=SUBCOMMANDS,
    usage=render_reports.usage,
    outsiders=N_("Only members of the workspace that runs Parley can ask for reports."),
    mention_example=None,
)
