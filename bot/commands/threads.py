"""Message events in dispute and complaint threads: parsed by `messages.py`, recorded by
the capture workflow.

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

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.commands.common import workspace_of
from bot.commands.deps import Deps
from bot.commands.directory import UnknownUser
from bot.commands.messages import MessageEvent, Posted
from bot.workflows import capture

log = logging.getLogger(__name__)


async def capture_thread_messages(
    body: dict[str, Any],
    context: AsyncBoltContext,
    next: Callable[[], Awaitable[BoltResponse | None]],
) -> BoltResponse | None:
    event = MessageEvent.of(body)
    if event is None:
        return await next()
    deps: Deps = context["deps"]
    try:
        await record_thread_message(event, deps, workspace_of(context), context.bot_user_id)
    except Exception:
        log.exception("recording a thread message failed; Slack will deliver it again")
        return BoltResponse(status=500, body="")
    return await next()


async def record_thread_message(
    event: MessageEvent, deps: Deps, workspace_id: str, bot_user_id: str | None
) -> None:
    """A person's reply, edit or deletion in a dispute's or a complaint's thread on its
    record; raises when storing fails. Run by the middleware above (Socket Mode) and by the
    HTTP edge (`bot/commands/events.py`)."""
    if event.is_text_edit(bot_user_id):
        found = _message(event, event.edited)
        if found is None or not await _ours(deps, found):
            return
        await capture.record_edit(
            deps.store,
            message=found,
            previous_text=event.previous.text,
            author=deps.directory.known(found.author_id) or event.edited.author_by_event(),
            now=deps.clock.now(),
        )
    elif event.is_person_deleting(bot_user_id):
        found = _message(event, event.previous)
        if found is None or not await _ours(deps, found):
            return
        await capture.record_deletion(
            deps.store,
            message=found,
            author=deps.directory.known(found.author_id) or event.previous.author_by_event(),
            now=deps.clock.now(),
        )
    elif event.is_person_posting(bot_user_id):
        found = _message(event, event.posted)
        if found is None or not await _ours(deps, found):
            return
        known = deps.directory.known(found.author_id)
        recorded = await capture.record_reply(
            deps.store,
            deps.runtime.known_threads,
            workspace_id=workspace_id,
            message=found,
            author=known or event.posted.author_by_event(),
            config=deps.config,
            calendar=deps.calendar,
            now=deps.clock.now(),
        )
        if recorded and known is None:
            deps.runtime.handlers.after_ack(_place_by_slack(deps, workspace_id, found))


def _message(event: MessageEvent, posted: Posted) -> capture.Message | None:
    # A deletion's old message may lack its ts: the event's `deleted_ts` names it. The key
    # made when the envelope has no id names the subtype, so an edit never takes a reply's.
    return event.in_thread(posted, ts=event.deleted_ts, key=event.subtype or "reply")


async def _ours(deps: Deps, message: capture.Message) -> bool:
    return await capture.is_recorded_thread(
        deps.store,
        deps.runtime.known_threads,
        channel_id=message.channel_id,
        thread_ts=message.thread_ts,
    )


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
