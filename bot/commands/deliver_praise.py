"""Delivering what praise owes Slack: its post in the internal praise channel, and the DM
that thanks each praised person with the words.

Both are internal material: the post declares it at the isolation door, so a praise channel
that turns out to be shared is refused (and the recorder told), never posted in.
"""

from __future__ import annotations

from bot.commands import outgoing, render_praise
from bot.commands.readers import channel_language, user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.domain.notices import PraiseNotice, PraisePost, PraiseThanks
from bot.domain.praise import Praise
from bot.workflows import praise as workflow

DELIVERERS = Deliverers()


async def _praise(send: Sender, notice: PraiseNotice) -> Praise:
    found = await workflow.praise_by_number(
        send.deps.store, workspace_id=notice.workspace_id, number=notice.praise_number
    )
    if found is None:
        raise NothingToSend("the praise is gone")
    return found


@DELIVERERS.of(PraisePost)
async def post(send: Sender, notice: PraisePost) -> None:
    """The praise in `[channels] praise`, in that channel's language."""
    praise = await _praise(send, notice)
    if praise.posted_ts is not None:
        raise NothingToSend("the praise is posted already")
    language = await channel_language(send.deps, notice.channel_id, notice.workspace_id)
    text, blocks = render_praise.post(praise, language=language)
    ts = await send.post(
        channel=notice.channel_id,
        text=text,
        blocks=blocks,
        about=outgoing.About(internal=True),
    )
    await workflow.record_post(send.deps.store, praise=praise, channel_id=notice.channel_id, ts=ts)


@DELIVERERS.of(PraiseThanks)
async def thanks(send: Sender, notice: PraiseThanks) -> None:
    """One praised person thanked by DM, in their own language."""
    praise = await _praise(send, notice)
    text, blocks = render_praise.thanks(
        praise, language=await user_language(send.deps, notice.user_id)
    )
    channel = await send.dm(notice.user_id)
    await send.post(channel=channel, text=text, blocks=blocks, about=outgoing.About(internal=True))
