"""Delivering what audits owe Slack: the owner's one reminder of a scheduled draft, by DM.

The deliverer reads the scorecard as it is now: one rated or published meanwhile is still
named (the reminder says where it is), one that is gone is not sent."""

from __future__ import annotations

from bot.commands import outgoing, render_audits
from bot.commands.readers import user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.notices import AuditDraftReady
from bot.workflows import audits as workflow

DELIVERERS = Deliverers()


@DELIVERERS.of(AuditDraftReady)
async def draft_ready(send: Sender, notice: AuditDraftReady) -> None:
    """The owner told by DM, in their language, that the scheduled draft is ready to rate."""
    deps = send.deps
    card = await workflow.draft_of(deps.store, scorecard_id=notice.scorecard_id)
    if card is None:
        raise NothingToSend("the scorecard is gone")
    language = await user_language(deps, notice.owner_id)
    text, blocks = render_audits.draft_ready(card, tz=deps.calendar.tz, language=language)
    channel = await send.dm(notice.owner_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))
