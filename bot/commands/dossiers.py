"""`/dispute dossier D-n`: the dispute's whole record as a file, in the asker's DM.

A subcommand of `/dispute` (bot/commands/disputes.py lists it); the file itself is written
and sent by the outbox (bot/commands/deliver_dossiers.py), never before the answer.
"""

from __future__ import annotations

from bot.commands.blocks import notice
from bot.commands.common import answer
from bot.commands.router import Invocation
from bot.workflows import dossiers


async def dossier(call: Invocation) -> None:
    number = dossiers.parse_request(call.args)
    asker = await call.deps.directory.person(call.user_id)
    audience = await call.deps.directory.audience(call.channel_id, call.workspace_id)
    dispute = await dossiers.ask_dossier(
        call.deps.store,
        workspace_id=call.workspace_id,
        number=number,
        asker=asker,
        audience=audience,
        now=call.deps.clock.now(),
    )
    said = call.language._("I'm preparing the dossier of {ref}; it will arrive in your DM.")
    await answer(call.ack, *notice(said.format(ref=dispute.ref)))
