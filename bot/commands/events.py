"""Events Slack sends that this version acts on, or acknowledges so Slack does not retry them.

Bolt answers 404 to an event no listener takes, and Slack retries it and, after enough
failures, turns the app's event subscription off: every subscribed event gets a listener.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.commands import audits, home
from bot.commands.deps import Deps

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.event("channel_shared")(channel_changed)
    app.event("channel_unshared")(channel_changed)
    # Forgets the channel too; recorded for staff stability when it is shared with a party.
    app.event("member_joined_channel")(audits.membership_changed)
    app.event("member_left_channel")(audits.membership_changed)
    app.event("message")(message_seen)
    app.event("app_home_opened")(home.home_opened)
    app.event("app_uninstalled")(access_lost)
    app.event("tokens_revoked")(access_lost)


async def channel_changed(event: dict[str, Any], deps: Deps) -> None:
    """Who can read a channel changed: forget what we knew, so isolation uses the new truth."""
    channel = event.get("channel")
    if isinstance(channel, dict):
        channel = channel.get("id")
    if isinstance(channel, str):
        deps.directory.forget_channel(channel)


async def message_seen(event: dict[str, Any]) -> None:
    # Replies in Parley's threads were recorded by the capture middlewares before this
    # (bot/commands/threads.py); every other message is only acknowledged. Nothing of its
    # text is logged.
    log.debug("message event in %s acknowledged", event.get("channel"))


async def access_lost(event: dict[str, Any]) -> None:
    log.warning("Slack reports %s: Parley can no longer act in this workspace", event.get("type"))
