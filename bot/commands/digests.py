"""`/digest`, and posting digests: on request, when the scheduler finds them due, or from
`parley digest send`.

Digests are composed by the digests workflow from what Parley recorded; here they get the
audience of the channel they go to, permalinks for the lines shown (cached), and go out
through the door (`outgoing.post`), which checks them against the channel's parties.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import outgoing, render, render_digests
from bot.commands.common import answer
from bot.commands.deps import Deps
from bot.commands.router import Invocation, SlashCommand, slash_command
from bot.commands.sending import NothingToSend, Sender
from bot.domain.digests import DigestKind, Subscription
from bot.domain.errors import InvalidInput
from bot.domain.parties import Audience
from bot.workflows import digests, digests_content
from bot.workflows.parties import known_parties

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=10)  # later than this after its time, a digest says why
ME_EXAMPLE = "`/digest me at 09:00`"


def register(app: AsyncApp) -> None:
    app.command("/digest")(slash_command(DIGEST))


async def _usage_with_status(call: Invocation, problem: str | None) -> tuple[str, render.Blocks]:
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
        render_digests.subscription_status(here, DigestKind.CHANNEL),
        render_digests.subscription_status(mine, DigestKind.PERSON),
    ]
    return render_digests.usage(problem, status=status)


async def _postable_channel(call: Invocation) -> None:
    """Refuse, before anything is stored, a conversation where no digest could be posted;
    join a public channel Parley is not in yet."""
    channel = await call.deps.directory.channel(call.channel_id)
    if channel is not None and channel.is_im:
        raise InvalidInput(
            f"A channel's digest is posted in a channel. For your own digest by DM: {ME_EXAMPLE}."
        )
    if channel is None or (channel.is_private and not channel.is_member):
        raise InvalidInput(
            "I can't post in this conversation. Invite me first with `/invite @Parley`."
        )
    if not channel.is_member:
        try:
            await call.client.conversations_join(channel=call.channel_id)
        except SlackApiError as exc:
            raise InvalidInput(
                f"I couldn't join this channel ({exc.response.get('error')}). "
                "Invite me with `/invite @Parley`."
            ) from None
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
    text = render_digests.subscribed(sub, before, _first_due(sub, call.deps))
    await answer(call.ack, *render.notice(text))


async def unsubscribe(call: Invocation) -> None:
    if call.args.strip():
        raise InvalidInput("`/digest unsubscribe` takes nothing after it.")
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
        *render.notice("This channel's digest is stopped. `/digest subscribe` starts it again."),
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
            raise InvalidInput("`/digest me off` takes nothing after it.")
        await digests.unsubscribe(
            call.deps.store,
            workspace_id=call.workspace_id,
            kind=DigestKind.PERSON,
            target=call.user_id,
            actor=actor,
        )
        await answer(
            call.ack, *render.notice(f"Your digest by DM is stopped. {ME_EXAMPLE} starts it again.")
        )
        return
    at = digests.parse_at(call.args, example=ME_EXAMPLE)
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
    text = render_digests.subscribed(sub, before, _first_due(sub, call.deps))
    await answer(call.ack, *render.notice(text))


async def now(call: Invocation) -> None:
    if call.args.strip():
        raise InvalidInput("`/digest now` takes nothing after it.")
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
            *render.notice(
                "Nothing needs attention here right now: the digest is empty, so I posted nothing."
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


# ----------------------------------------------------------------------------- posting


async def compose(
    deps: Deps,
    *,
    workspace_id: str,
    kind: DigestKind,
    target: str,
    now: datetime,
    since: datetime,
) -> tuple[digests_content.Digest, Audience]:
    """The digest for a channel (as its audience may see it) or a person, and that audience."""
    if kind is DigestKind.CHANNEL:
        audience = await deps.directory.audience(target, workspace_id)
        member = None
    else:
        audience, member = Audience(), target
    digest = await digests_content.build_digest(
        deps.store,
        digests_content.DigestRequest(
            workspace_id=workspace_id,
            audience=audience,
            member=member,
            now=now,
            since=since,
            calendar=deps.calendar,
        ),
    )
    return await _without_foreign_names(deps, digest, audience, workspace_id), audience


async def _without_foreign_names(
    deps: Deps, digest: digests_content.Digest, audience: Audience, workspace_id: str
) -> digests_content.Digest:
    """In a shared channel, leave out a line whose title names another party: the door would
    refuse the whole digest for it."""
    if audience.internal:
        return digest
    known = await known_parties(deps.store, workspace_id=workspace_id)
    sections = []
    for section in digest.sections:
        kept = []
        for entry in section.entries:
            try:
                outgoing.check_names(audience, entry.title, [], known)
            except outgoing.Leak:
                continue
            kept.append(entry)
        dropped = len(section.entries) - len(kept)
        sections.append(replace(section, entries=tuple(kept), total=section.total - dropped))
    return digests_content.Digest(sections=tuple(sections))


async def permalinks(deps: Deps, digest: digests_content.Digest) -> dict[tuple[str, str], str]:
    """Permalinks of the threads of the lines shown (and only those), from the cache."""
    found: dict[tuple[str, str], str] = {}
    for section in digest.sections:
        for entry in section.entries:
            if entry.link is not None and entry.link not in found:
                url = await deps.directory.permalink(*entry.link)
                if url is not None:
                    found[entry.link] = url
    return found


async def deliver(send: Sender) -> None:
    """A digest the scheduler (or `/digest now`) owed: composed as things are now, posted
    in its channel or the person's DM, unless it turned out empty."""
    deps = send.deps
    moment = deps.clock.now()
    since = datetime.fromisoformat(send.payload["since"])
    due_at = datetime.fromisoformat(send.payload["due_at"])
    sub_id = send.payload.get("subscription_id")
    sub = (
        await digests.subscription_by_id(deps.store, subscription_id=int(sub_id))
        if sub_id is not None
        else None
    )
    if send.payload.get("on_request"):
        kind, target = DigestKind.CHANNEL, str(send.payload["channel_id"])
        tz = sub.tz if sub is not None else deps.config.calendar.zone
        late_since = None
    elif sub is None:
        raise NothingToSend("the subscription is gone")
    else:
        kind, target, tz = sub.kind, sub.target, sub.tz
        late_since = due_at if moment - due_at > LATE_AFTER else None
    workspace_id = send.item.workspace_id
    digest, audience = await compose(
        deps, workspace_id=workspace_id, kind=kind, target=target, now=moment, since=since
    )
    if digest.empty:
        raise NothingToSend("the digest is empty")
    links = await permalinks(deps, digest)
    text, blocks = render_digests.digest_message(
        digest,
        personal=kind is DigestKind.PERSON,
        tz=tz,
        audience=audience,
        links=links,
        day=due_at.astimezone(tz).date(),
        late_since=late_since,
    )
    channel = await send.dm(target) if kind is DigestKind.PERSON else target
    await send.post(
        channel=channel, text=text, blocks=blocks, about=outgoing.About(disputes=digest.disputes)
    )
    if send.payload.get("on_request") and sub is not None:
        await digests.mark_posted(deps.store, subscription=sub, now=moment)


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
    outsiders=(
        "Only members of the workspace that runs Parley can use /digest. "
        "To answer a dispute, reply in its thread."
    ),
    mention_example=None,
)
