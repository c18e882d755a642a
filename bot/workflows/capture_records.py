"""The two records a thread's messages go on, a dispute's and a complaint's, and what differs
between them for thread capture (`capture.py`): the kinds of a reply and of its changes, the
event writer, who a reply speaks for (a party brought into a dispute by replying, with the time
to its first reply) and what an insider's reply stops (a complaint's first-answer clock).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.clocks import working_seconds
from bot.domain.complaints import EventKind
from bot.domain.notices import ComplaintRefresh
from bot.domain.parties import Party, Person, is_external
from bot.domain.timeline import TimelineKind
from bot.store import complaints as complaints_repo
from bot.store import disputes as repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows import contracts, notices
from bot.workflows.parties import party_for_team

if TYPE_CHECKING:
    from bot.workflows.capture import Message

Response = tuple[int, int] | None  # (wall, working) seconds to a party's first reply


K = TypeVar("K", TimelineKind, EventKind)


@dataclass(frozen=True)
class Spoken:
    """Whom a reply speaks for: the author's party (None for one of ours), and for a dispute
    when that party was brought in and the time to its first reply (None if not its first)."""

    party: Party | None
    response: Response = None
    brought_in: datetime | None = None


class Change(StrEnum):
    """What became of a recorded reply."""

    EDITED = "edited"
    DELETED = "deleted"


@dataclass(frozen=True)
class Reply:
    """A reply being put on its record, with what placing and timing it needs."""

    record_id: int
    message: Message
    author: Person | None
    workspace_id: str
    config: ParleyConfig
    calendar: WorkCalendar
    now: datetime


@dataclass(frozen=True)
class Entry(Generic[K]):
    """A message's event as it goes on a record (a complaint's keeps no previous text and
    no response time)."""

    kind: K
    at: datetime
    actor_id: str
    party_id: int | None
    text: str
    message: tuple[str, str]
    previous_text: str | None = None
    response: tuple[int, int] | None = None


@dataclass(frozen=True)
class Ledger(Generic[K]):
    """What differs between a dispute's record and a complaint's for its thread's messages:
    the kinds of a reply and its changes, the event writer, who a reply speaks for (with a
    dispute's first-reply time), and what an insider's reply stops (a complaint's clock)."""

    reply: K
    edited: K
    deleted: K
    recorded: Callable[[AsyncConnection, int, Message, K], Awaitable[bool]]
    write: Callable[[AsyncConnection, int, Entry[K]], Awaitable[None]]
    speaker: Callable[[AsyncConnection, Reply], Awaitable[Spoken]]
    #: What a reply on the record sets going: a complaint's first answer, a dispute's
    #: contracted response time.
    answered: Callable[[AsyncConnection, Reply, Spoken], Awaitable[bool]] | None = None

    def kind_of(self, change: Change) -> K:
        return self.edited if change is Change.EDITED else self.deleted


# --- a dispute's thread ---------------------------------------------------------------------


async def _dispute_recorded(
    conn: AsyncConnection, dispute_id: int, message: Message, kind: TimelineKind
) -> bool:
    return await timeline_repo.message_recorded(
        conn, dispute_id=dispute_id, channel_id=message.channel_id, ts=message.ts, kind=kind
    )


async def _write_dispute_event(
    conn: AsyncConnection, dispute_id: int, entry: Entry[TimelineKind]
) -> None:
    await timeline_repo.add_event(
        conn,
        dispute_id=dispute_id,
        kind=entry.kind,
        at=entry.at,
        actor_id=entry.actor_id,
        party_id=entry.party_id,
        text=entry.text,
        message=entry.message,
        previous_text=entry.previous_text,
        response=entry.response,
    )


async def _dispute_speaker(conn: AsyncConnection, reply: Reply) -> Spoken:
    """The author's party, brought in if new, and the time to its first reply."""
    party, joined = await speaks_for(
        conn,
        reply.record_id,
        reply.author,
        reply.workspace_id,
        reply.config,
        reply.message,
        reply.now,
    )
    if party is None or joined is None:
        return Spoken(party)
    at = reply.message.at
    response = await first_response(conn, reply.record_id, party, joined, at, reply.calendar)
    return Spoken(party, response, joined[0])


async def _dispute_answered(conn: AsyncConnection, reply: Reply, spoken: Spoken) -> bool:
    """A party's first reply later than its contract allows is marked late on the record."""
    joined = (spoken.brought_in, None) if spoken.brought_in is not None else None
    return await contracts.after_first_reply(
        conn,
        reply.record_id,
        spoken.party,
        joined,
        spoken.response,
        reply.message.at,
        reply.config,
        reply.calendar,
    )


async def dispute_changed(
    conn: AsyncConnection, message: Message, author: Person | None
) -> tuple[int, int | None] | None:
    """The dispute whose thread an edit or deletion is in, and its author's party on it."""
    dispute = await repo.for_thread(
        conn, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    if dispute is None:
        return None
    party = None
    if author is not None and is_external(author, dispute.workspace_id):
        party = next((p for p in dispute.parties if p.slack_team == author.team_id), None)
    return dispute.id, party.id if party else None


async def speaks_for(
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


async def first_response(
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


async def _complaint_recorded(
    conn: AsyncConnection, complaint_id: int, message: Message, kind: EventKind
) -> bool:
    return await complaints_repo.message_recorded(
        conn, complaint_id=complaint_id, channel_id=message.channel_id, ts=message.ts, kind=kind
    )


async def _write_complaint_event(
    conn: AsyncConnection, complaint_id: int, entry: Entry[EventKind]
) -> None:
    await complaints_repo.add_event(
        conn,
        complaint_id=complaint_id,
        kind=entry.kind,
        at=entry.at,
        actor_id=entry.actor_id,
        party_id=entry.party_id,
        text=entry.text,
        message=entry.message,
    )


async def _complaint_speaker(conn: AsyncConnection, reply: Reply) -> Spoken:
    party = await _complaint_party(conn, reply.author, reply.workspace_id, reply.config, reply.now)
    return Spoken(party)


async def _complaint_answered(conn: AsyncConnection, reply: Reply, spoken: Spoken) -> bool:
    return await _first_answer(
        conn, reply.record_id, reply.author, reply.workspace_id, reply.message, reply.now
    )


async def complaint_changed(conn: AsyncConnection, message: Message) -> tuple[int, None] | None:
    """The complaint whose thread an edit or deletion is in (changes go on no party)."""
    complaint_id = await complaints_repo.thread_complaint(
        conn, channel_id=message.channel_id, thread_ts=message.thread_ts
    )
    return None if complaint_id is None else (complaint_id, None)


async def place_complaint_reply(
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


DISPUTE_LEDGER: Ledger[TimelineKind] = Ledger(
    reply=TimelineKind.REPLY,
    edited=TimelineKind.EDITED,
    deleted=TimelineKind.DELETED,
    recorded=_dispute_recorded,
    write=_write_dispute_event,
    speaker=_dispute_speaker,
    answered=_dispute_answered,
)
COMPLAINT_LEDGER: Ledger[EventKind] = Ledger(
    reply=EventKind.REPLY,
    edited=EventKind.EDITED,
    deleted=EventKind.DELETED,
    recorded=_complaint_recorded,
    write=_write_complaint_event,
    speaker=_complaint_speaker,
    answered=_complaint_answered,
)
