"""A dispute's record and threads: the timeline events, the Slack events already taken, the
threads that belong to a dispute, and the statements a thread reply runs.

The dispute rows themselves (open, move, find, load) are `bot/store/disputes.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

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
        )
    )
)
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
_MESSAGE_RECORDED = Prepared(
    sa.select(sa.literal(1)).where(
        timeline.c.dispute_id == sa.bindparam("dispute_id"),
        timeline.c.channel_id == sa.bindparam("channel_id"),
        timeline.c.message_ts == sa.bindparam("ts"),
        timeline.c.kind == sa.bindparam("kind"),
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
) -> None:
    """One event on the record. `message` is (channel, ts) of the Slack message it is about;
    `response` is (wall, working) seconds of a party's first reply."""
    await _ADD_EVENT.execute(
        conn,
        {
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
        },
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
    params = {"dispute_id": dispute_id, "channel_id": channel_id, "ts": ts, "kind": kind.value}
    return await _MESSAGE_RECORDED.first(conn, params) is not None


async def recorded_reply(
    conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str
) -> tuple[int, int | None] | None:
    """(event id, party id) of the reply recorded for a message, or None."""
    row = (
        await conn.execute(
            sa.select(timeline.c.id, timeline.c.party_id)
            .where(
                timeline.c.channel_id == channel_id,
                timeline.c.message_ts == ts,
                timeline.c.dispute_id == dispute_id,
                timeline.c.kind == TimelineKind.REPLY.value,
            )
            .limit(1)
        )
    ).first()
    return None if row is None else (int(row[0]), row[1])


async def place_event(
    conn: AsyncConnection,
    *,
    event_id: int,
    party_id: int | None,
    response: tuple[int, int] | None = None,
) -> None:
    """Put a recorded reply on the party Slack's record says its author speaks for."""
    values: dict[str, Any] = {"party_id": party_id}
    if response is not None:
        values["response_wall_seconds"], values["response_working_seconds"] = response
    await conn.execute(sa.update(timeline).where(timeline.c.id == event_id).values(**values))


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
    )


async def events_where(
    conn: AsyncConnection, where: sa.ColumnElement[bool] | None = None
) -> list[tuple[int, TimelineEvent]]:
    stmt = sa.select(timeline).order_by(timeline.c.dispute_id, timeline.c.id)
    if where is not None:
        stmt = stmt.where(where)
    rows = (await conn.execute(stmt)).all()
    names = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows if r.party_id])
    return [(r.dispute_id, _timeline_event(r, names)) for r in rows]


async def events(conn: AsyncConnection, *, dispute_id: int) -> list[TimelineEvent]:
    """The dispute's timeline, oldest first."""
    return [e for _, e in await events_where(conn, timeline.c.dispute_id == dispute_id)]
