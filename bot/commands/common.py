"""What every Slack adapter shares: the workspace, who is asking, and answering them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.commands.blocks import Blocks, error
from bot.domain.text import strip_delimiters

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[None]]


def workspace_of(context: AsyncBoltContext) -> str:
    """The installing workspace (single-workspace mode: the bot token's team)."""
    result = context.authorize_result
    team = (result.team_id if result is not None else None) or context.team_id
    return str(team or "")


async def answer(ack: Ack, text: str, blocks: Blocks) -> None:
    """Acknowledge with an ephemeral answer, seen only by the person who asked."""
    await ack(text=text, blocks=blocks, response_type="ephemeral")


async def tell(respond: AsyncRespond, message: str) -> None:
    """An ephemeral refusal to the person who pressed a button, leaving the message as it is."""
    if respond.response_url is None:  # a button on the App Home: there is no message to answer
        log.info("a Home button was refused: %s", message)
        return
    await respond(
        text=message,
        blocks=error(message)[1],
        response_type="ephemeral",
        replace_original=False,
    )


def form_value(view: dict[str, Any], block: str, action: str, key: str = "value") -> Any:
    """One field of a submitted modal (`view.state.values[block][action][key]`), or None."""
    values = (view.get("state") or {}).get("values") or {}
    value = ((values.get(block) or {}).get(action) or {}).get(key)
    return strip_delimiters(value) if isinstance(value, str) else value  # typed: never a token
