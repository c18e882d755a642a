"""Thread capture: every human message in a dispute's or a complaint's thread goes on its
record, once.

A thread belongs to one record, a dispute or a complaint (`RecordKind`): the same capture
looks it up, takes the event id and records the message on that record. Replies, edits
(keeping what was there before) and deletions (keeping what was deleted) are events; nothing
is ever erased. A party's first reply to a dispute is timed from when it was brought in; the
first reply of ours in a complaint's thread stops its first-answer clock.
Slack event ids are taken in the same transaction as the event they record, so a retry, even
one that arrives while the first delivery is still being handled, records nothing new.
What differs between the two records (kinds, event writer, party, clocks) is each one's
`Ledger` in `capture_records.py`; the capture itself is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.parties import Person
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import complaints as complaints_repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows import contracts
from bot.workflows.capture_records import (
    COMPLAINT_LEDGER,
    DISPUTE_LEDGER,
    Change,
    Entry,
    K,
    Ledger,
    Reply,
    complaint_changed,
    dispute_changed,
    first_response,
    place_complaint_reply,
    speaks_for,
)

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
    what it times (a party's first reply to a dispute, our first answer to a complaint) are
    committed together.
    """
    found = await record_of_thread(
        store, threads, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    if found is None:
        return False
    reply = Reply(found.id, message, author, workspace_id, config, calendar, now)
    async with store.write() as conn:
        if not await timeline_repo.see_event(conn, event_id=message.event_id, now=now):
            return False
        if found.kind is RecordKind.COMPLAINT:
            return await _capture_reply(conn, COMPLAINT_LEDGER, reply)
        return await _capture_reply(conn, DISPUTE_LEDGER, reply)


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
            return await place_complaint_reply(
                conn, found.id, author, workspace_id, config, message, now
            )
        recorded = await timeline_repo.recorded_reply(
            conn, dispute_id=dispute_id, channel_id=message.channel_id, ts=message.ts
        )
        if recorded is None:
            return False
        _, placed = recorded
        party, joined = await speaks_for(
            conn, dispute_id, author, workspace_id, config, message, now
        )
        if (party.id if party else None) == placed:
            return False
        response = None
        if party is not None and joined is not None:
            response = await first_response(conn, dispute_id, party, joined, message.at, calendar)
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
        store, change=Change.EDITED, message=message, previous=previous_text, author=author, now=now
    )


async def record_deletion(
    store: Store, *, message: Message, author: Person | None, now: datetime
) -> bool:
    """A deleted reply: what was deleted stays on the record."""
    return await _record_change(
        store, change=Change.DELETED, message=message, previous=None, author=author, now=now
    )


async def _record_change(
    store: Store,
    *,
    change: Change,
    message: Message,
    previous: str | None,
    author: Person | None,
    now: datetime,
) -> bool:
    async with store.write() as conn:
        dispute = await dispute_changed(conn, message, author)
        if dispute is not None:
            return await _write_change(
                conn, DISPUTE_LEDGER, dispute, change, message, previous, now
            )
        complaint = await complaint_changed(conn, message)
        if complaint is None:
            return False
        return await _write_change(
            conn, COMPLAINT_LEDGER, complaint, change, message, previous, now
        )


async def _capture_reply(conn: AsyncConnection, ledger: Ledger[K], reply: Reply) -> bool:
    """A reply on its record once, on its author's party; False if it was already there."""
    message = reply.message
    if await ledger.recorded(conn, reply.record_id, message, ledger.reply):
        return False
    spoken = await ledger.speaker(conn, reply)
    party, response = spoken.party, spoken.response
    entry = Entry(
        kind=ledger.reply,
        at=message.at,
        actor_id=message.author_id,
        party_id=party.id if party else None,
        text=message.text[:TEXT_LIMIT],
        message=(message.channel_id, message.ts),
        response=response,
    )
    await ledger.write(conn, reply.record_id, entry)
    if ledger.answered is not None:
        await ledger.answered(conn, reply, spoken)
    return True


async def _write_change(
    conn: AsyncConnection,
    ledger: Ledger[K],
    found: tuple[int, int | None],
    change: Change,
    message: Message,
    previous: str | None,
    now: datetime,
) -> bool:
    """An edit or a deletion on the record `found` (its id, and the author's party on it)."""
    if not await timeline_repo.see_event(conn, event_id=message.event_id, now=now):
        return False
    record_id, party_id = found
    entry = Entry(
        kind=ledger.kind_of(change),
        at=now,
        actor_id=message.author_id,
        party_id=party_id,
        text=message.text[:TEXT_LIMIT],
        message=(message.channel_id, message.ts),
        previous_text=previous,
    )
    await ledger.write(conn, record_id, entry)
    return True
