"""Delivering what value-adds owe Slack: the DM that tells whoever saved the form what was
saved (a form closes without an answer of its own). Value-adds are internal: nothing of
them is posted in a channel."""

from __future__ import annotations

from bot.commands import outgoing, render_valueadds
from bot.commands.readers import user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.notices import ValueAddSaved
from bot.workflows import valueadds as workflow

DELIVERERS = Deliverers()


@DELIVERERS.of(ValueAddSaved)
async def saved(send: Sender, notice: ValueAddSaved) -> None:
    """V-n as it is now, with its four checks, to the one who saved it."""
    found = await workflow.valueadd_by_number(
        send.deps.store, workspace_id=notice.workspace_id, number=notice.valueadd_number
    )
    if found is None:
        raise NothingToSend("the value-add is gone")
    text, blocks = render_valueadds.saved(
        found, language=await user_language(send.deps, notice.user_id)
    )
    channel = await send.dm(notice.user_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))
