"""What every Slack adapter shares: the workspace, who is asking, and answering them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.commands import render

Ack = Callable[..., Awaitable[None]]


def workspace_of(context: AsyncBoltContext) -> str:
    """The installing workspace (single-workspace mode: the bot token's team)."""
    result = context.authorize_result
    team = (result.team_id if result is not None else None) or context.team_id
    return str(team or "")


def actor_team(payload: dict[str, Any], context: AsyncBoltContext) -> str:
    """The team the acting user belongs to; differs from the workspace for Slack Connect users."""
    user = payload.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(payload.get("user_team") or context.actor_team_id or payload.get("team_id") or "")


async def answer(ack: Ack, text: str, blocks: render.Blocks) -> None:
    """Acknowledge with an ephemeral answer, seen only by the person who asked."""
    await ack(text=text, blocks=blocks, response_type="ephemeral")
