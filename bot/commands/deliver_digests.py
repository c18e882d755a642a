"""Posting digests the scheduler, `/digest now` or `parley digest send` owed.

Digests are composed by the digests workflow from what Parley recorded, as things are when
they are delivered; here they get the audience of the channel they go to, permalinks for the
lines shown (cached), and go out through the door (`outgoing.post`), which checks them
against the channel's parties.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.commands import outgoing, render_digests
from bot.commands.deps import Deps
from bot.commands.readers import channel_language, user_language
from bot.commands.sending import Deliverers, NothingToSend, Sender
from bot.commands.words.language import Language
from bot.domain.digests import DigestKind
from bot.domain.notices import DigestDue
from bot.domain.parties import Audience
from bot.workflows import digests, digests_content
from bot.workflows.contracts import overview
from bot.workflows.parties import known_parties

LATE_AFTER = timedelta(minutes=10)  # later than this after its time, a digest says why

DELIVERERS = Deliverers()


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
            contracts=tuple(deps.config.support_contracts.values()),
            shortfalls=tuple(overview(deps.config).shortfalls),
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


async def _reader_language(
    deps: Deps, kind: DigestKind, target: str, workspace_id: str
) -> Language:
    """Who reads it decides: a channel's digest in the channel's language, a person's digest
    (by DM) in theirs."""
    if kind is DigestKind.CHANNEL:
        return await channel_language(deps, target, workspace_id)
    return await user_language(deps, target)


@DELIVERERS.of(DigestDue)
async def deliver(send: Sender, notice: DigestDue) -> None:
    """A digest the scheduler (or `/digest now`) owed: composed as things are now, posted
    in its channel or the person's DM, unless it turned out empty."""
    deps = send.deps
    moment = deps.clock.now()
    sub = (
        await digests.subscription_by_id(deps.store, subscription_id=notice.subscription_id)
        if notice.subscription_id is not None
        else None
    )
    if notice.on_request:
        kind, target = DigestKind.CHANNEL, notice.target
        tz = sub.tz if sub is not None else deps.config.calendar.zone
        late_since = None
    elif sub is None:
        raise NothingToSend("the subscription is gone")
    else:
        kind, target, tz = sub.kind, sub.target, sub.tz
        late_since = notice.due_at if moment - notice.due_at > LATE_AFTER else None
    digest, audience = await compose(
        deps,
        workspace_id=notice.workspace_id,
        kind=kind,
        target=target,
        now=moment,
        since=notice.since,
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
        day=notice.due_at.astimezone(tz).date(),
        late_since=late_since,
        language=await _reader_language(deps, kind, target, notice.workspace_id),
    )
    channel = await send.dm(target) if kind is DigestKind.PERSON else target
    await send.post(
        channel=channel, text=text, blocks=blocks, about=outgoing.About(disputes=digest.disputes)
    )
    if notice.on_request and sub is not None:
        await digests.mark_posted(deps.store, subscription=sub, now=moment)
