"""Thread capture: every human message in a dispute's threads goes on its record, once.

Replies, edits (keeping what was there before) and deletions (keeping what was deleted) are
events; nothing is ever erased. A party's first reply is timed from when it was brought in.
Slack event ids are taken in the same transaction as the event they record, so a retry, even
one that arrives while the first delivery is still being handled, records nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.store import Store
from bot.store import disputes as repo
from bot.workflows.calendar import WorkCalendar
from bot.workflows.clocks import working_seconds
from bot.workflows.models import Dispute, Party, Person
from bot.workflows.parties import is_external, party_for_team

TEXT_LIMIT = 40_000  # Slack's own limit for a message's text


@dataclass(frozen=True)
class Message:
    """A human message in a thread, as Slack reported it."""

    event_id: str
    channel_id: str
    thread_ts: str
    ts: str
    author_id: str
    text: str

    @property
    def at(self) -> datetime:
        return message_time(self.ts)


def message_time(ts: str) -> datetime:
    """Slack's `ts` is the message's time in epoch seconds."""
    return datetime.fromtimestamp(float(ts), UTC)


async def is_dispute_thread(store: Store, *, channel_id: str, thread_ts: str) -> bool:
    """Whether a thread is a dispute's: messages elsewhere are not Parley's business."""
    async with store.read() as conn:
        return await repo.is_thread(conn, channel_id=channel_id, thread_ts=thread_ts)


async def record_reply(
    store: Store,
    *,
    workspace_id: str,
    message: Message,
    author: Person | None,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> bool:
    """Put a reply on its dispute's record; False if it was already there or is not ours.

    `author` is None when Slack could not say who wrote it: the reply is kept all the same,
    with its author's id and no party.
    """
    async with store.write() as conn:
        dispute = await repo.for_thread(
            conn, channel_id=message.channel_id, thread_ts=message.thread_ts
        )
        if dispute is None or not await repo.see_event(conn, event_id=message.event_id, now=now):
            return False
        if await repo.message_recorded(
            conn,
            dispute_id=dispute.id,
            channel_id=message.channel_id,
            ts=message.ts,
            kind="reply",
        ):
            return False
        party = await _speaks_for(conn, dispute, author, workspace_id, config, message, now)
        response = None
        if party is not None:
            response = await _first_response(conn, dispute, party, message.at, calendar)
        await repo.add_event(
            conn,
            dispute_id=dispute.id,
            kind="reply",
            at=message.at,
            actor_id=message.author_id,
            party_id=party.id if party else None,
            text=message.text[:TEXT_LIMIT],
            message=(message.channel_id, message.ts),
            response=response,
        )
    return True


async def record_edit(
    store: Store, *, message: Message, previous_text: str, author: Person | None, now: datetime
) -> bool:
    """An edited reply: the new text on the record beside the one it replaced."""
    return await _record_change(
        store,
        kind="edited",
        message=message,
        text=message.text,
        previous=previous_text,
        author=author,
        now=now,
    )


async def record_deletion(
    store: Store, *, message: Message, author: Person | None, now: datetime
) -> bool:
    """A deleted reply: what was deleted stays on the record."""
    return await _record_change(
        store,
        kind="deleted",
        message=message,
        text=message.text,
        previous=None,
        author=author,
        now=now,
    )


async def _record_change(
    store: Store,
    *,
    kind: str,
    message: Message,
    text: str,
    previous: str | None,
    author: Person | None,
    now: datetime,
) -> bool:
    async with store.write() as conn:
        dispute = await repo.for_thread(
            conn, channel_id=message.channel_id, thread_ts=message.thread_ts
        )
        if dispute is None or not await repo.see_event(conn, event_id=message.event_id, now=now):
            return False
        party = None
        if author is not None and is_external(author, dispute.workspace_id):
            party = next((p for p in dispute.parties if p.slack_team == author.team_id), None)
        await repo.add_event(
            conn,
            dispute_id=dispute.id,
            kind=kind,
            at=now,
            actor_id=message.author_id,
            party_id=party.id if party else None,
            text=text[:TEXT_LIMIT],
            message=(message.channel_id, message.ts),
            previous_text=previous,
        )
    return True


async def _speaks_for(
    conn: AsyncConnection,
    dispute: Dispute,
    author: Person | None,
    workspace_id: str,
    config: ParleyConfig,
    message: Message,
    now: datetime,
) -> Party | None:
    """The author's party; a party that joins the conversation by replying is brought in."""
    if author is None or not is_external(author, workspace_id):
        return None
    party = await party_for_team(
        conn,
        workspace_id=workspace_id,
        team_id=author.team_id,
        team_name=author.team_name,
        config=config,
        now=now,
    )
    if await repo.add_party(conn, dispute_id=dispute.id, party_id=party.id, now=message.at):
        await repo.add_event(
            conn,
            dispute_id=dispute.id,
            kind="party_added",
            at=message.at,
            actor_id=message.author_id,
            party_id=party.id,
        )
    return party


async def _first_response(
    conn: AsyncConnection, dispute: Dispute, party: Party, at: datetime, calendar: WorkCalendar
) -> tuple[int, int] | None:
    """(wall, working) seconds from the party being brought in to its first reply."""
    joined = await repo.party_joined_at(conn, dispute_id=dispute.id, party_id=party.id)
    if joined is None or joined[1] is not None:
        return None
    if not await repo.set_first_reply(conn, dispute_id=dispute.id, party_id=party.id, at=at):
        return None
    added_at = joined[0]
    wall = max(0, int((at - added_at).total_seconds()))
    return wall, working_seconds(added_at, at, calendar)
