"""`/digest`: subscriptions, `/digest now`, and owing the digests the scheduler finds due.

The outbox posts what is owed (bot/commands/deliver_digests.py), composed as things are then.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import render_digests
from bot.commands.blocks import Blocks, notice
from bot.commands.common import answer
from bot.commands.deliver_digests import compose
from bot.commands.deps import Deps
from bot.commands.router import Invocation, SlashCommand, slash_command
from bot.commands.words.base import N_
from bot.domain.digests import DigestKind, Subscription
from bot.domain.errors import InvalidInput
from bot.workflows import digests

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.command("/digest")(slash_command(DIGEST))


async def _usage_with_status(call: Invocation, problem: str | None) -> tuple[str, Blocks]:
    """The usage for an insider: with what this channel and this person are subscribed to."""
    here = await digests.find_subscription(
        call.deps.store,
        workspace_id=call.workspace_id,
        kind=DigestKind.CHANNEL,
        target=call.channel_id,
    )
    mine = await digests.find_subscription(
        call.deps.store,
        workspace_id=call.workspace_id,
        kind=DigestKind.PERSON,
        target=call.user_id,
    )
    status = [
        render_digests.subscription_status(here, DigestKind.CHANNEL, call.language),
        render_digests.subscription_status(mine, DigestKind.PERSON, call.language),
    ]
    return render_digests.usage(call.language, problem, status=status)


async def _postable_channel(call: Invocation) -> None:
    """Refuse, before anything is stored, a conversation where no digest could be posted;
    join a public channel Parley is not in yet."""
    channel = await call.deps.directory.channel(call.channel_id)
    if channel is not None and channel.is_im:
        raise InvalidInput("digest.dm_channel")
    if channel is None or (channel.is_private and not channel.is_member):
        raise InvalidInput("digest.cannot_post")
    if not channel.is_member:
        try:
            await call.client.conversations_join(channel=call.channel_id)
        except SlackApiError as exc:
            raise InvalidInput("digest.cannot_join", error=str(exc.response.get("error"))) from None
        call.deps.directory.forget_channel(call.channel_id)


def _first_due(sub: Subscription, deps: Deps) -> datetime:
    """When the next digest will actually go out (a day already handled is skipped)."""
    after = deps.clock.now()
    first = digests.next_due(sub.at, sub.tz, deps.calendar, after=after)
    if sub.last_due_at is not None and digests.send_key(
        sub.kind, sub.target, first, sub.tz
    ) == digests.send_key(sub.kind, sub.target, sub.last_due_at, sub.tz):
        first = digests.next_due(sub.at, sub.tz, deps.calendar, after=first)
    return first


async def subscribe(call: Invocation) -> None:
    at = digests.parse_at(call.args)
    await _postable_channel(call)
    actor = await call.deps.directory.person(call.user_id)
    sub, before = await digests.subscribe(
        call.deps.store,
        workspace_id=call.workspace_id,
        kind=DigestKind.CHANNEL,
        target=call.channel_id,
        at=at,
        zone=call.deps.config.calendar.timezone,
        actor=actor,
        now=call.deps.clock.now(),
    )
    text = render_digests.subscribed(sub, before, _first_due(sub, call.deps), call.language)
    await answer(call.ack, *notice(text))


async def unsubscribe(call: Invocation) -> None:
    if call.args.strip():
        raise InvalidInput("digest.unsubscribe_extra")
    actor = await call.deps.directory.person(call.user_id)
    await digests.unsubscribe(
        call.deps.store,
        workspace_id=call.workspace_id,
        kind=DigestKind.CHANNEL,
        target=call.channel_id,
        actor=actor,
    )
    await answer(
        call.ack,
        *notice(
            call.language._(
                "This channel's digest is stopped. `/digest subscribe` starts it again."
            )
        ),
    )


def _zone_of(tz: str | None, default: str) -> str:
    if not tz:
        return default
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return default
    return tz


async def me(call: Invocation) -> None:
    words = call.args.split()
    actor = await call.deps.directory.person(call.user_id)
    if words and words[0].lower() == "off":
        if len(words) > 1:
            raise InvalidInput("digest.me_off_extra")
        await digests.unsubscribe(
            call.deps.store,
            workspace_id=call.workspace_id,
            kind=DigestKind.PERSON,
            target=call.user_id,
            actor=actor,
        )
        await answer(
            call.ack,
            *notice(
                call.language._(
                    "Your digest by DM is stopped. `/digest me at 09:00` starts it again."
                )
            ),
        )
        return
    at = digests.parse_at(call.args, kind=DigestKind.PERSON)
    sub, before = await digests.subscribe(
        call.deps.store,
        workspace_id=call.workspace_id,
        kind=DigestKind.PERSON,
        target=call.user_id,
        at=at,
        zone=_zone_of(actor.tz, call.deps.config.calendar.timezone),
        actor=actor,
        now=call.deps.clock.now(),
    )
    text = render_digests.subscribed(sub, before, _first_due(sub, call.deps), call.language)
    await answer(call.ack, *notice(text))


async def now(call: Invocation) -> None:
    if call.args.strip():
        raise InvalidInput("digest.now_extra")
    await _postable_channel(call)
    deps = call.deps
    moment = deps.clock.now()
    sub = await digests.find_subscription(
        deps.store, workspace_id=call.workspace_id, kind=DigestKind.CHANNEL, target=call.channel_id
    )
    since = (
        sub.last_sent_at
        if sub is not None and sub.last_sent_at is not None
        else deps.calendar.add_working_days(moment, -1)
    )
    digest, audience = await compose(
        deps,
        workspace_id=call.workspace_id,
        kind=DigestKind.CHANNEL,
        target=call.channel_id,
        now=moment,
        since=since,
    )
    if digest.empty:
        await answer(
            call.ack,
            *notice(
                call.language._(
                    "Nothing needs attention here right now: "
                    "the digest is empty, so I posted nothing."
                )
            ),
        )
        return
    # Owed, then posted by the outbox right after this answer (recomposed as it is then).
    await digests.owe_digest_now(
        deps.store,
        subscription=sub,
        workspace_id=call.workspace_id,
        channel_id=call.channel_id,
        since=since,
        actor_id=call.user_id,
        now=moment,
    )
    await call.ack()


async def send_due_digests(deps: Deps) -> int:
    """Owe every digest that is due now, each claimed first so it is owed once; the outbox
    posts them. How many were owed."""
    moment = deps.clock.now()
    owed = 0
    for due in await digests.due_digests(deps.store, now=moment, calendar=deps.calendar):
        if await digests.owe_digest(deps.store, due, now=moment):
            owed += 1
    return owed


SUBCOMMANDS = {
    "subscribe": subscribe,
    "unsubscribe": unsubscribe,
    "now": now,
    "me": me,
}

DIGEST = SlashCommand(
    name="/digest",
    subcommands=SUBCOMMANDS,
    usage=render_digests.usage,
    internal_usage=_usage_with_status,
    outsiders=N_(
        "Only members of the workspace that runs Parley can use /digest. "
        "To answer a dispute, reply in its thread."
    ),
    mention_example=None,
)
