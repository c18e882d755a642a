"""A dispute's record and threads: the timeline events, the Slack events already taken, the
threads that belong to a dispute, and the statements a thread reply runs.

The dispute rows themselves (open, move, find, load) are `bot/store/disputes.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import chain
from bot.domain.disputes import TimelineEvent
from bot.domain.ladder import Stage
from bot.domain.parties import Party
from bot.domain.timeline import TimelineKind
from bot.store import parties as parties_repo
from bot.store.prepared import Prepared, column_params
from bot.store.schema import dispute_threads, disputes, seen_events, timeline

# The statements a thread reply runs, built once: building a Core statement and its cache
# key costs more than running it (measured ~150 µs against ~50 µs on the development machine),
# and a busy thread runs these hundreds of times a second. Prepared (bot/store/prepared.py),
# SQLite runs them without SQLAlchemy's execution too.
_ADD_EVENT = Prepared(
    sa.insert(timeline).values(
        column_params(
            timeline,
            "dispute_id",
            "kind",
            "at",
            "actor_id",
            "party_id",
            "text",
            "stage",
            "channel_id",
            "message_ts",
            "previous_text",
            "response_wall_seconds",
            "response_working_seconds",
            "hash",
            "prev_hash",
        )
    )
)
# The chain's head, taken under the dispute row's lock: two Parleys on one PostgreSQL that
# append to one dispute at once take turns here, so each chains to the other's event and the
# chain never forks. (SQLite's writer holds the whole database from BEGIN IMMEDIATE; it
# renders no FOR UPDATE.)
_TAKE_HEAD = Prepared(
    sa.select(disputes.c.workspace_id, disputes.c.number, disputes.c.chain_head)
    .where(disputes.c.id == sa.bindparam("dispute_id"))
    .with_for_update()
)
_SET_HEAD = Prepared(
    sa.update(disputes)
    .where(disputes.c.id == sa.bindparam("b_id"))
    .values(chain_head=sa.bindparam("b_head", type_=disputes.c.chain_head.type))
)
# On PostgreSQL the insert and the head's update go in one statement (one round trip, not
# two): a data-modifying WITH runs once, to completion, whatever the UPDATE reads of it.
_ADD_EVENT_AND_HEAD = Prepared(_SET_HEAD.statement.add_cte(_ADD_EVENT.statement.cte("added_event")))
_SEE_EVENT = {
    name: Prepared(
        insert(seen_events)
        .values(column_params(seen_events, "event_id", "seen_at"))
        .on_conflict_do_nothing(index_elements=[seen_events.c.event_id])
        .returning(seen_events.c.event_id)
    )
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_THREAD_DISPUTE = Prepared(
    sa.select(dispute_threads.c.dispute_id).where(
        dispute_threads.c.channel_id == sa.bindparam("channel_id"),
        dispute_threads.c.ts == sa.bindparam("ts"),
    )
)
# A message's events (its reply, placements, edits, deletion: a handful), by the message's
# own index; the dispute and kind are picked from them here. With them in the WHERE clause
# SQLite's planner took the index of the dispute's events or of every event of the kind
# instead, and read each reply the thread or the whole database ever had: the cost of a
# reply grew with its thread (a 4,000-reply thread: ~470 µs against ~10 µs).
_MESSAGE_EVENTS = Prepared(
    sa.select(timeline.c.dispute_id, timeline.c.kind).where(
        timeline.c.channel_id == sa.bindparam("channel_id"),
        timeline.c.message_ts == sa.bindparam("ts"),
    )
)


async def add_event(
    conn: AsyncConnection,
    *,
    dispute_id: int,
    kind: TimelineKind,
    at: datetime,
    actor_id: str | None,
    party_id: int | None = None,
    text: str | None = None,
    stage: Stage | None = None,
    message: tuple[str, str] | None = None,
    previous_text: str | None = None,
    response: tuple[int, int] | None = None,
) -> str:
    """One event on the record, sealed on its dispute's chain; its hash. `message` is
    (channel, ts) of the Slack message it is about; `response` is (wall, working) seconds of
    a party's first reply.

    The one way onto the timeline: rows are appended here and never updated, so the chain
    (bot/domain/chain.py) holds. One locked read of the dispute's head and one update of it
    beside the insert."""
    head = await _TAKE_HEAD.first(conn, {"dispute_id": dispute_id})
    if head is None:
        raise LookupError(f"no dispute {dispute_id} to record an event on")
    workspace_id, number, prev = head
    prev = prev or chain.GENESIS
    row: dict[str, Any] = {
        "dispute_id": dispute_id,
        "kind": kind.value,
        "at": at,
        "actor_id": actor_id,
        "party_id": party_id,
        "text": text,
        "stage": stage.value if stage else None,
        "channel_id": message[0] if message else None,
        "message_ts": message[1] if message else None,
        "previous_text": previous_text,
        "response_wall_seconds": response[0] if response else None,
        "response_working_seconds": response[1] if response else None,
    }
    sealed = sealed_row(row, workspace_id=workspace_id, number=number)
    row["hash"] = chain.seal(sealed, prev)
    row["prev_hash"] = prev
    if conn.dialect.name == "postgresql":
        await _ADD_EVENT_AND_HEAD.execute(conn, {**row, "b_id": dispute_id, "b_head": row["hash"]})
    else:
        await _ADD_EVENT.execute(conn, row)
        await _SET_HEAD.execute(conn, {"b_id": dispute_id, "b_head": row["hash"]})
    return str(row["hash"])


def sealed_row(row: Mapping[Any, Any], *, workspace_id: str, number: int) -> chain.Sealed:
    """What a timeline row's hash is made of: its stored columns, and its dispute's
    workspace and number. The migration that sealed the rows before it and `parley verify`
    read rows through this too."""
    return chain.Sealed(
        workspace=workspace_id,
        dispute=number,
        kind=row["kind"],
        at=row["at"],
        actor=row["actor_id"],
        party=row["party_id"],
        text=row["text"],
        stage=row["stage"],
        channel=row["channel_id"],
        message_ts=row["message_ts"],
        previous_text=row["previous_text"],
        response_wall_seconds=row["response_wall_seconds"],
        response_working_seconds=row["response_working_seconds"],
    )


async def see_event(conn: AsyncConnection, *, event_id: str, now: datetime) -> bool:
    """Take a Slack event id; False if it was taken before (a retry or a repeat)."""
    row = await _SEE_EVENT[conn.dialect.name].first(conn, {"event_id": event_id, "seen_at": now})
    return row is not None


async def thread_dispute(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> int | None:
    """The id of the dispute whose home or linked thread this is: one indexed lookup."""
    found = await _THREAD_DISPUTE.scalar(conn, {"channel_id": channel_id, "ts": thread_ts})
    return int(found) if found is not None else None


async def is_thread(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> bool:
    """Whether this is one of Parley's dispute threads: one indexed lookup."""
    return await thread_dispute(conn, channel_id=channel_id, thread_ts=thread_ts) is not None


async def message_recorded(
    conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str, kind: TimelineKind
) -> bool:
    """Whether the message already has an event of `kind` on the dispute's record."""
    rows = await _MESSAGE_EVENTS.rows(conn, {"channel_id": channel_id, "ts": ts})
    return any(row[0] == dispute_id and row[1] == kind.value for row in rows)


def current_replies(table: sa.Table = timeline) -> sa.ColumnElement[bool]:
    """The rows that say which party a reply is on now: a reply, or the placement of one
    (`placed`, appended when Slack's record placed it after the ack), that no later
    placement of the same message follows. A placement keeps its reply's time, so reads by
    time count the reply once, on its party as it is now."""
    later = timeline.alias("later_placement")
    return sa.and_(
        table.c.kind.in_((TimelineKind.REPLY.value, TimelineKind.PLACED.value)),
        ~sa.exists().where(
            later.c.kind == TimelineKind.PLACED.value,
            later.c.channel_id == table.c.channel_id,
            later.c.message_ts == table.c.message_ts,
            later.c.dispute_id == table.c.dispute_id,
            later.c.id > table.c.id,
        ),
    )


async def recorded_reply(
    conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str
) -> tuple[int, int | None] | None:
    """(event id, party id) of the reply recorded for a message, placed as it is now (by its
    latest placement, if any), or None."""
    row = (
        await conn.execute(
            sa.select(timeline.c.id, timeline.c.party_id)
            .where(
                timeline.c.channel_id == channel_id,
                timeline.c.message_ts == ts,
                timeline.c.dispute_id == dispute_id,
                timeline.c.kind.in_((TimelineKind.REPLY.value, TimelineKind.PLACED.value)),
            )
            .order_by(timeline.c.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (int(row[0]), row[1])


_SET_ROOT = Prepared(
    sa.update(disputes)
    .where(disputes.c.id == sa.bindparam("b_id"))
    .values(root_ts=sa.bindparam("b_ts", type_=disputes.c.root_ts.type))
)
_ADD_THREAD = Prepared(
    sa.insert(dispute_threads).values(
        column_params(dispute_threads, "channel_id", "ts", "dispute_id", "kind")
    )
)


async def set_root(conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str) -> None:
    """Remember the card's message: it is the dispute's home thread."""
    await _SET_ROOT.execute(conn, {"b_id": dispute_id, "b_ts": ts})
    await add_thread(conn, dispute_id=dispute_id, channel_id=channel_id, ts=ts, kind="home")


async def add_thread(
    conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str, kind: str
) -> None:
    params = {"channel_id": channel_id, "ts": ts, "dispute_id": dispute_id, "kind": kind}
    await _ADD_THREAD.execute(conn, params)


async def threads(conn: AsyncConnection, *, dispute_id: int) -> list[tuple[str, str, str]]:
    """The dispute's threads as (channel, ts, kind), home first."""
    rows = await conn.execute(
        sa.select(dispute_threads.c.channel_id, dispute_threads.c.ts, dispute_threads.c.kind)
        .where(dispute_threads.c.dispute_id == dispute_id)
        .order_by(dispute_threads.c.kind.desc(), dispute_threads.c.ts)
    )
    return [(r.channel_id, r.ts, r.kind) for r in rows]


def _timeline_event(row: sa.Row[tuple[object, ...]], names: dict[int, Party]) -> TimelineEvent:
    m = row._mapping
    return TimelineEvent(
        kind=m["kind"],
        at=m["at"],
        actor_id=m["actor_id"],
        party=names[m["party_id"]].name if m["party_id"] else None,
        text=m["text"],
        stage=Stage(m["stage"]) if m["stage"] else None,
        channel_id=m["channel_id"],
        message_ts=m["message_ts"],
        previous_text=m["previous_text"],
        response_wall_seconds=m["response_wall_seconds"],
        response_working_seconds=m["response_working_seconds"],
        hash=m["hash"],
        prev_hash=m["prev_hash"],
    )


def _placed(events: list[tuple[int, TimelineEvent]]) -> list[tuple[int, TimelineEvent]]:
    """Each reply on its party as it is now: a placement (appended, never an update of the
    reply's row) puts its reply on its party, with the response time it carries."""
    replies: dict[tuple[int, str | None, str | None], int] = {}
    out = list(events)
    for i, (dispute_id, event) in enumerate(out):
        key = (dispute_id, event.channel_id, event.message_ts)
        if event.kind is TimelineKind.REPLY:
            replies[key] = i
        elif event.kind is TimelineKind.PLACED and key in replies:
            j = replies[key]
            reply = out[j][1]
            update: dict[str, Any] = {"party": event.party}
            if event.response_wall_seconds is not None:
                update["response_wall_seconds"] = event.response_wall_seconds
                update["response_working_seconds"] = event.response_working_seconds
            out[j] = (dispute_id, reply.model_copy(update=update))
    return out


async def events_where(
    conn: AsyncConnection, where: sa.ColumnElement[bool] | None = None
) -> list[tuple[int, TimelineEvent]]:
    stmt = sa.select(timeline).order_by(timeline.c.dispute_id, timeline.c.id)
    if where is not None:
        stmt = stmt.where(where)
    rows = (await conn.execute(stmt)).all()
    names = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows if r.party_id])
    return _placed([(r.dispute_id, _timeline_event(r, names)) for r in rows])


async def events(conn: AsyncConnection, *, dispute_id: int) -> list[TimelineEvent]:
    """The dispute's timeline, oldest first (each reply on its party as it is now)."""
    return [e for _, e in await events_where(conn, timeline.c.dispute_id == dispute_id)]
