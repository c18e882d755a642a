"""Thread capture: every human message in a dispute's or a complaint's thread goes on its
record, once.

A thread belongs to one record, a dispute or a complaint (`RecordKind`): the same capture
looks it up, takes the event id and records the message on that record. Replies, edits
(keeping what was there before) and deletions (keeping what was deleted) are events; nothing
is ever erased. A party's first reply to a dispute is timed from when it was brought in; the
first reply of ours in a complaint's thread stops its first-answer clock.
Slack event ids are taken in the same transaction as the event they record, so a retry, even
one that arrives while the first delivery is still being handled, records nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.clocks import working_seconds
from bot.domain.complaints import EventKind
from bot.domain.notices import ComplaintRefresh
from bot.domain.parties import Party, Person, is_external
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import complaints as complaints_repo
from bot.store import disputes as repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows import contracts, notices
from bot.workflows.parties import party_for_team

TEXT_LIMIT = 40_000  # Slack's own limit for a message's text
KNOWN_THREADS = 20_000  # recorded threads remembered per Parley


class RecordKind(StrEnum):
    """What a recorded thread belongs to."""

    DISPUTE = "dispute"
    COMPLAINT = "complaint"


@dataclass(frozen=True)
class ThreadOf:
    """The record a thread belongs to: its kind and its id."""

    kind: RecordKind
    id: int


class KnownThreads:
    """Recorded threads already looked up in one Parley: (channel, thread ts) -> its record.

    A thread never stops being its record's (threads, disputes and complaints are never
    deleted), so a hit is always right; a thread not found is asked again next time, as it
    may be new. At most `limit` are kept, the oldest forgotten first."""

    def __init__(self, limit: int = KNOWN_THREADS) -> None:
        self.limit = limit
        self._known: dict[tuple[str, str], ThreadOf] = {}

    def get(self, channel_id: str, thread_ts: str) -> ThreadOf | None:
        return self._known.get((channel_id, thread_ts))

    def remember(self, channel_id: str, thread_ts: str, record: ThreadOf) -> None:
        if len(self._known) >= self.limit:
            self._known.pop(next(iter(self._known)))
        self._known[(channel_id, thread_ts)] = record


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


async def is_recorded_thread(
    store: Store, threads: KnownThreads, *, channel_id: str, thread_ts: str
) -> bool:
    """Whether a thread is a dispute's or a complaint's: messages elsewhere are not Parley's
    business."""
    found = await record_of_thread(store, threads, channel_id=channel_id, thread_ts=thread_ts)
    return found is not None


async def record_of_thread(
    store: Store, threads: KnownThreads, *, channel_id: str, thread_ts: str
) -> ThreadOf | None:
    """The record whose thread this is, remembered in `threads` once found."""
    found = threads.get(channel_id, thread_ts)
    if found is not None:
        return found
    async with store.read() as conn:
        found = await _thread_record(conn, channel_id=channel_id, thread_ts=thread_ts)
    if found is not None:
        threads.remember(channel_id, thread_ts, found)
    return found


async def _thread_record(
    conn: AsyncConnection, *, channel_id: str, thread_ts: str
) -> ThreadOf | None:
    dispute_id = await timeline_repo.thread_dispute(
        conn, channel_id=channel_id, thread_ts=thread_ts
    )
    if dispute_id is not None:
        return ThreadOf(RecordKind.DISPUTE, dispute_id)
    complaint_id = await complaints_repo.thread_complaint(
        conn, channel_id=channel_id, thread_ts=thread_ts
    )
    if complaint_id is not None:
        return ThreadOf(RecordKind.COMPLAINT, complaint_id)
    return None


async def record_reply(
    store: Store,
    threads: KnownThreads,
    *,
    workspace_id: str,
    message: Message,
    author: Person | None,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> bool:
    """Put a reply on its record; False if it was already there or is not ours.

    `author` is None when Slack could not say who wrote it: the reply is kept all the same,
    with its author's id and no party. One short transaction: the event id, the reply and
    (for a party's first reply) its response time are committed together.
    """
    found = await record_of_thread(
        store, threads, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    if found is None:
        return False
    dispute_id = found.id
    async with store.write() as conn:
        if not await timeline_repo.see_event(conn, event_id=message.event_id, now=now):
            return False
        if found.kind is RecordKind.COMPLAINT:
            return await _complaint_reply(
                conn, found.id, author, workspace_id, config, message, now
            )
        if await timeline_repo.message_recorded(
            conn,
            dispute_id=dispute_id,
            channel_id=message.channel_id,
            ts=message.ts,
            kind=TimelineKind.REPLY,
        ):
            return False
        party, joined = await _speaks_for(
            conn, dispute_id, author, workspace_id, config, message, now
        )
        response = None
        if party is not None and joined is not None:
            response = await _first_response(conn, dispute_id, party, joined, message.at, calendar)
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute_id,
            kind=TimelineKind.REPLY,
            at=message.at,
            actor_id=message.author_id,
            party_id=party.id if party else None,
            text=message.text[:TEXT_LIMIT],
            message=(message.channel_id, message.ts),
            response=response,
        )
        await contracts.after_first_reply(
            conn, dispute_id, party, joined, response, message.at, config, calendar
        )
    return True


async def place_reply(
    store: Store,
    threads: KnownThreads,
    *,
    workspace_id: str,
    message: Message,
    author: Person,
    config: ParleyConfig,
    calendar: WorkCalendar,
    now: datetime,
) -> bool:
    """After the ack: a recorded reply placed by Slack's record of its author.

    A reply is stored before its event is acknowledged, from what the event carries (the
    author's team as Slack sent it, or nobody's party when it sent none). Once `users.info`
    has answered, Slack's record wins: the reply goes on its author's party (brought in and
    timed like any first reply), or on none for one of ours. False if nothing changed."""
    found = await record_of_thread(
        store, threads, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    if found is None:
        return False
    dispute_id = found.id
    async with store.write() as conn:
        if found.kind is RecordKind.COMPLAINT:
            return await _place_complaint_reply(
                conn, found.id, author, workspace_id, config, message, now
            )
        recorded = await timeline_repo.recorded_reply(
            conn, dispute_id=dispute_id, channel_id=message.channel_id, ts=message.ts
        )
        if recorded is None:
            return False
        _, placed = recorded
        party, joined = await _speaks_for(
            conn, dispute_id, author, workspace_id, config, message, now
        )
        if (party.id if party else None) == placed:
            return False
        response = None
        if party is not None and joined is not None:
            response = await _first_response(conn, dispute_id, party, joined, message.at, calendar)
        # Appended, never an update of the reply: the record chain keeps what was stored
        # before the ack, and this placement beside it (readers take the latest).
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute_id,
            kind=TimelineKind.PLACED,
            at=message.at,
            actor_id=message.author_id,
            party_id=party.id if party else None,
            message=(message.channel_id, message.ts),
            response=response,
        )
        await contracts.after_first_reply(
            conn, dispute_id, party, joined, response, message.at, config, calendar
        )
    return True


async def record_edit(
    store: Store, *, message: Message, previous_text: str, author: Person | None, now: datetime
) -> bool:
    """An edited reply: the new text on the record beside the one it replaced."""
    return await _record_change(
        store,
        kind=TimelineKind.EDITED,
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
        kind=TimelineKind.DELETED,
        message=message,
        text=message.text,
        previous=None,
        author=author,
        now=now,
    )


async def _record_change(
    store: Store,
    *,
    kind: TimelineKind,
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
        if dispute is None:
            return await _complaint_change(conn, kind, message, text, now)
        if not await timeline_repo.see_event(conn, event_id=message.event_id, now=now):
            return False
        party = None
        if author is not None and is_external(author, dispute.workspace_id):
            party = next((p for p in dispute.parties if p.slack_team == author.team_id), None)
        await timeline_repo.add_event(
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
    dispute_id: int,
    author: Person | None,
    workspace_id: str,
    config: ParleyConfig,
    message: Message,
    now: datetime,
) -> tuple[Party | None, tuple[datetime, datetime | None] | None]:
    """The author's party, with when it was brought in and first replied; a party that joins
    the conversation by replying is brought in."""
    if author is None or not is_external(author, workspace_id):
        return None, None
    party = await party_for_team(
        conn,
        workspace_id=workspace_id,
        team_id=author.team_id,
        team_name=author.team_name,
        config=config,
        now=now,
    )
    joined = await repo.party_joined_at(conn, dispute_id=dispute_id, party_id=party.id)
    if joined is None:
        await repo.add_party(conn, dispute_id=dispute_id, party_id=party.id, now=message.at)
        await timeline_repo.add_event(
            conn,
            dispute_id=dispute_id,
            kind=TimelineKind.PARTY_ADDED,
            at=message.at,
            actor_id=message.author_id,
            party_id=party.id,
        )
        joined = (message.at, None)
    return party, joined


async def _first_response(
    conn: AsyncConnection,
    dispute_id: int,
    party: Party,
    joined: tuple[datetime, datetime | None],
    at: datetime,
    calendar: WorkCalendar,
) -> tuple[int, int] | None:
    """(wall, working) seconds from the party being brought in to its first reply."""
    added_at, first_reply_at = joined
    if first_reply_at is not None:
        return None
    if not await repo.set_first_reply(conn, dispute_id=dispute_id, party_id=party.id, at=at):
        return None
    wall = max(0, int((at - added_at).total_seconds()))
    return wall, working_seconds(added_at, at, calendar)


# --- a complaint's thread -------------------------------------------------------------------

COMPLAINT_KINDS = {TimelineKind.EDITED: EventKind.EDITED, TimelineKind.DELETED: EventKind.DELETED}


async def _complaint_reply(
    conn: AsyncConnection,
    complaint_id: int,
    author: Person | None,
    workspace_id: str,
    config: ParleyConfig,
    message: Message,
    now: datetime,
) -> bool:
    """A reply on the complaint's record, on its author's party; the first of ours stops
    the first-answer clock."""
    if await complaints_repo.message_recorded(
        conn,
        complaint_id=complaint_id,
        channel_id=message.channel_id,
        ts=message.ts,
        kind=EventKind.REPLY,
    ):
        return False
    party = await _complaint_party(conn, author, workspace_id, config, now)
    await complaints_repo.add_event(
        conn,
        complaint_id=complaint_id,
        kind=EventKind.REPLY,
        at=message.at,
        actor_id=message.author_id,
        party_id=party.id if party else None,
        text=message.text[:TEXT_LIMIT],
        message=(message.channel_id, message.ts),
    )
    await _first_answer(conn, complaint_id, author, workspace_id, message, now)
    return True


async def _place_complaint_reply(
    conn: AsyncConnection,
    complaint_id: int,
    author: Person,
    workspace_id: str,
    config: ParleyConfig,
    message: Message,
    now: datetime,
) -> bool:
    """After the ack: the reply on its author's party by Slack's record, and the first answer
    of ours if it is one."""
    party = await _complaint_party(conn, author, workspace_id, config, now)
    placed = await complaints_repo.place_reply(
        conn,
        complaint_id=complaint_id,
        channel_id=message.channel_id,
        ts=message.ts,
        party_id=party.id if party else None,
    )
    answered = await _first_answer(conn, complaint_id, author, workspace_id, message, now)
    return placed or answered


async def _complaint_party(
    conn: AsyncConnection,
    author: Person | None,
    workspace_id: str,
    config: ParleyConfig,
    now: datetime,
) -> Party | None:
    if author is None or not is_external(author, workspace_id):
        return None
    return await party_for_team(
        conn,
        workspace_id=workspace_id,
        team_id=author.team_id,
        team_name=author.team_name,
        config=config,
        now=now,
    )


async def _first_answer(
    conn: AsyncConnection,
    complaint_id: int,
    author: Person | None,
    workspace_id: str,
    message: Message,
    now: datetime,
) -> bool:
    """Stop the first-answer clock at an insider's first reply; False if it is not one."""
    if author is None or is_external(author, workspace_id) or author.is_bot:
        return False
    if not await complaints_repo.set_first_answer(conn, complaint_id=complaint_id, at=message.at):
        return False
    await complaints_repo.add_event(
        conn,
        complaint_id=complaint_id,
        kind=EventKind.ANSWERED,
        at=message.at,
        actor_id=message.author_id,
    )
    complaint = await complaints_repo.get_by_id(conn, complaint_id=complaint_id)
    if complaint is not None:
        await notices.owe(conn, ComplaintRefresh.of(complaint), now=now)
    return True


async def _complaint_change(
    conn: AsyncConnection, kind: TimelineKind, message: Message, text: str, now: datetime
) -> bool:
    """An edit or a deletion in a complaint's thread, on its record."""
    complaint_id = await complaints_repo.thread_complaint(
        conn, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    if complaint_id is None or not await timeline_repo.see_event(
        conn, event_id=message.event_id, now=now
    ):
        return False
    await complaints_repo.add_event(
        conn,
        complaint_id=complaint_id,
        kind=COMPLAINT_KINDS[kind],
        at=now,
        actor_id=message.author_id,
        text=text[:TEXT_LIMIT],
        message=(message.channel_id, message.ts),
    )
    return True
