"""Events Slack sends that this version acts on, or acknowledges so Slack does not retry them.

Bolt answers 404 to an event no listener takes, and Slack retries it and, after enough
failures, turns the app's event subscription off: every subscribed event gets a listener.

A `message` event over HTTP never reaches Bolt: `take_message` does at the edge what Bolt
did with one (its self-event filter, then Parley's message captures in the middleware's
order, then the ack of `message_seen`), without the dozen listener matchers and keyword
builds Bolt runs for every request: measured, most of the CPU of a recorded thread reply.
Socket Mode still hands them to Bolt, whose middleware (`MIDDLEWARE`) runs the same captures.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.commands import audits, home
from bot.commands.bolt_internals import bolt_user_of
from bot.commands.deps import Deps
from bot.commands.messages import MessageEvent
from bot.commands.reviews import record_review_minutes
from bot.commands.threads import record_thread_message
from bot.domain.parties import Person

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


async def take_message(body: dict[str, Any], deps: Deps, me: Person) -> int:
    """A `message` event as Bolt answered it (see the module): the HTTP status, 200 once it is
    stored (or is nothing Parley keeps), 500 when storing failed, for Slack to deliver it
    again (its event id keeps the second delivery from recording anything twice). `me` is
    Parley's bot user: its workspace is the one the captures record for."""
    if bolt_user_of(body) == me.user_id:
        return 200  # Bolt's own filter acknowledges Parley's own events unseen
    event = MessageEvent.of(body)
    if event is None:
        return 200
    try:
        await record_thread_message(event, deps, me.team_id, me.user_id)
    except Exception:
        log.exception("recording a thread message failed; Slack will deliver it again")
        return 500
    try:
        await record_review_minutes(event, deps, me.team_id, me.user_id)
    except Exception:
        log.exception("recording minutes from a thread failed; Slack will deliver it again")
        return 500
    log.debug("message event in %s acknowledged", event.channel_id)
    return 200
