"""The one door every message to Slack goes through, with the isolation rule at the door.

A message for a shared (Slack Connect) channel may only carry what concerns the parties of
that channel: no internal material, no dispute that is not theirs, and not the name of any
other party of the disputes it shows. Renderers already show each audience only its own
share; this check is the backstop that refuses to send what would leak, whatever the caller.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import render
from bot.commands.common import Ack
from bot.deps import Deps
from bot.workflows.models import Audience, Dispute, Party

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class About:
    """Whose business a message carries."""

    disputes: Sequence[Dispute] = ()
    parties: Sequence[Party] = ()
    internal: bool = False


NOTHING = About()
REFUSED_HERE = (
    "I can't show that in this channel: it concerns others. Ask me in an internal channel."
)


class Leak(Exception):
    """A message that must not reach the channel it was meant for."""


def check(audience: Audience, text: str, blocks: render.Blocks, about: About) -> None:
    """Raise Leak if the message would tell this audience what is not theirs."""
    if audience.internal:
        return
    if about.internal:
        raise Leak("internal material")
    foreign: set[str] = set()
    for party in about.parties:
        if party.slack_team not in audience.team_ids:
            raise Leak(f"party {party.id} is not in this channel")
    for dispute in about.disputes:
        if not dispute.concerns(audience):
            raise Leak(f"{dispute.ref} concerns none of this channel's parties")
        foreign |= {p.name for p in dispute.parties if p.slack_team not in audience.team_ids}
    if foreign:
        content = text + "\n" + json.dumps(blocks, ensure_ascii=False)
        for name in foreign:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", content, flags=re.IGNORECASE):
                raise Leak("the name of another party")


async def _allowed(
    deps: Deps, channel: str, workspace_id: str, text: str, blocks: render.Blocks, about: About
) -> bool:
    audience = await deps.directory.audience(channel, workspace_id)
    try:
        check(audience, text, blocks, about)
    except Leak as exc:
        log.error("isolation: refused a message for %s (%s)", channel, exc)
        return False
    return True


async def post(
    deps: Deps,
    client: AsyncWebClient,
    *,
    channel: str,
    workspace_id: str,
    text: str,
    blocks: render.Blocks,
    about: About,
    thread_ts: str | None = None,
) -> str | None:
    """chat.postMessage through the door; the new message's ts, or None if refused."""
    if not await _allowed(deps, channel, workspace_id, text, blocks, about):
        return None
    extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
    posted = await client.chat_postMessage(
        channel=channel, text=text, blocks=blocks, unfurl_links=False, **extra
    )
    return str(posted["ts"])


async def update(
    deps: Deps,
    client: AsyncWebClient,
    *,
    channel: str,
    ts: str,
    workspace_id: str,
    text: str,
    blocks: render.Blocks,
    about: About,
) -> bool:
    """chat.update through the door; False if refused."""
    if not await _allowed(deps, channel, workspace_id, text, blocks, about):
        return False
    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    return True


async def answer(
    deps: Deps,
    ack: Ack,
    *,
    channel: str,
    workspace_id: str,
    text: str,
    blocks: render.Blocks,
    about: About = NOTHING,
) -> None:
    """The ephemeral answer to a command, through the door (a refusal answers that instead)."""
    if not await _allowed(deps, channel, workspace_id, text, blocks, about):
        text, blocks = render.error(REFUSED_HERE)
    await ack(text=text, blocks=blocks, response_type="ephemeral")
