"""Message events in dispute threads: parsed here, recorded by the capture workflow.

This runs as a middleware, before Bolt acknowledges the event, so what Slack was told we
received is already stored; if storing fails Slack gets a 500 and delivers the event again
(the event id makes the second delivery record nothing twice).

Nothing here waits on Slack before the ack: a reply is stored from what the event carries,
its author placed by the directory's cache or else by the team Slack sent with the event
(`user_team`, `source_team`). After the ack the author is looked up (`users.info`) and the
reply placed again by Slack's record (`capture.place_reply`): Slack's record wins, and the
event's team stands when Slack cannot say.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.commands.common import workspace_of
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.parsing import plain_text
from bot.domain.parties import Person
from bot.workflows import capture

log = logging.getLogger(__name__)

HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def register(app: AsyncApp) -> None:
    app.middleware(capture_thread_messages)


async def capture_thread_messages(
    body: dict[str, Any],
    context: AsyncBoltContext,
    next: Callable[[], Awaitable[BoltResponse | None]],
) -> BoltResponse | None:
    event = body.get("event") if body.get("type") == "event_callback" else None
    if not isinstance(event, dict) or event.get("type") != "message":
        return await next()
    deps: Deps = context["deps"]
    try:
        await _capture(event, body, deps, workspace_of(context), context.bot_user_id)
    except Exception:
        log.exception("recording a thread message failed; Slack will deliver it again")
        return BoltResponse(status=500, body="")
    return await next()


def _is_bot(message: dict[str, Any], bot_user_id: str | None) -> bool:
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or (bot_user_id and message.get("user") == bot_user_id)
    )


async def _capture(
    event: dict[str, Any],
    body: dict[str, Any],
    deps: Deps,
    workspace_id: str,
    bot_user_id: str | None,
) -> None:
    subtype = event.get("subtype")
    channel = str(event.get("channel") or "")
    if subtype == "message_changed":
        current = event.get("message") or {}
        before = event.get("previous_message") or {}
        if _is_bot(current, bot_user_id) or current.get("text") == before.get("text"):
            return  # unfurls and attachment changes also arrive as edits
        found = _message(body, channel, current, event)
        if found is None or not await _ours(deps, found):
            return
        await capture.record_edit(
            deps.store,
            message=found,
            previous_text=plain_text(str(before.get("text") or "")),
            author=deps.directory.known(found.author_id) or event_author(found.author_id, current),
            now=deps.clock.now(),
        )
    elif subtype == "message_deleted":
        before = event.get("previous_message") or {}
        if _is_bot(before, bot_user_id):
            return
        found = _message(body, channel, before, event)
        if found is None or not await _ours(deps, found):
            return
        await capture.record_deletion(
            deps.store,
            message=found,
            author=deps.directory.known(found.author_id) or event_author(found.author_id, before),
            now=deps.clock.now(),
        )
    elif subtype in HUMAN_SUBTYPES and not _is_bot(event, bot_user_id):
        found = _message(body, channel, event, event)
        if found is None or not await _ours(deps, found):
            return
        known = deps.directory.known(found.author_id)
        recorded = await capture.record_reply(
            deps.store,
            deps.runtime.known_threads,
            workspace_id=workspace_id,
            message=found,
            author=known or event_author(found.author_id, event),
            config=deps.config,
            calendar=deps.calendar,
            now=deps.clock.now(),
        )
        if recorded and known is None:
            deps.runtime.handlers.after_ack(_place_by_slack(deps, workspace_id, found))


def _message(
    body: dict[str, Any], channel: str, message: dict[str, Any], event: dict[str, Any]
) -> capture.Message | None:
    """The domain's view of a message in a thread; None for anything that is not one."""
    ts = str(message.get("ts") or event.get("deleted_ts") or "")
    thread_ts = str(message.get("thread_ts") or "")
    user = str(message.get("user") or "")
    if not (channel and ts and thread_ts and user) or thread_ts == ts:
        return None  # top-level messages are not replies to anything Parley keeps
    try:
        float(ts)
    except ValueError:
        return None
    event_id = str(body.get("event_id") or f"{channel}:{ts}:{event.get('subtype') or 'reply'}")
    return capture.Message(
        event_id=event_id[:64],
        channel_id=channel,
        thread_ts=thread_ts,
        ts=ts,
        author_id=user,
        text=plain_text(str(message.get("text") or "")),
    )


async def _ours(deps: Deps, message: capture.Message) -> bool:
    return await capture.is_dispute_thread(
        deps.store,
        deps.runtime.known_threads,
        channel_id=message.channel_id,
        thread_ts=message.thread_ts,
    )


def event_author(user_id: str, message: dict[str, Any]) -> Person | None:
    """The author as the event itself places them: the team Slack sent with the message
    (`user_team`, else `source_team`), or None when it sent none. No Web API call."""
    for key in ("user_team", "source_team"):
        team = message.get(key)
        if isinstance(team, str) and 0 < len(team) <= 32:
            return Person(user_id=user_id, team_id=team, name=user_id)
    return None


async def _place_by_slack(deps: Deps, workspace_id: str, message: capture.Message) -> None:
    """After the ack: Slack's record of the author places the reply (see the module)."""
    try:
        author = await deps.directory.person(message.author_id)
    except UnknownUser:
        log.warning(
            "users.info does not know %s; the reply keeps the event's team", message.author_id
        )
        return
    except SlackApiError as exc:
        log.warning(
            "users.info failed for %s (%s); the reply keeps the event's team",
            message.author_id,
            exc.response.get("error"),
        )
        return
    await capture.place_reply(
        deps.store,
        deps.runtime.known_threads,
        workspace_id=workspace_id,
        message=message,
        author=author,
        config=deps.config,
        calendar=deps.calendar,
        now=deps.clock.now(),
    )
