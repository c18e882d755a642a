"""The outbox table: messages owed to Slack, claimed by compare-and-set, finished once.

Rows are written by the transaction that caused them (`enqueue`). A worker takes the head of
each lane (the oldest unfinished row of a dispute's thread, a person's DM, …) with one
conditional UPDATE, so two workers — or two instances on one PostgreSQL — never both send a row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.db import ENQUEUED_FLAG
from bot.store.prepared import Prepared, Row
from bot.store.schema import outbox

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
FAILED = "failed"
SKIPPED = "skipped"
UNFINISHED = (PENDING, SENDING)
ERROR_LIMIT = 300


@dataclass(frozen=True)
class OutboxRow:
    id: int
    workspace_id: str
    kind: str
    lane: str
    payload: dict[str, Any]
    status: str
    attempts: int
    in_doubt: bool
    created_at: datetime
    first_attempt_at: datetime | None


# The columns an OutboxRow is read from, in the order `_row` unpacks them.
_ROW_COLUMNS = (
    outbox.c.id,
    outbox.c.workspace_id,
    outbox.c.kind,
    outbox.c.lane,
    outbox.c.payload,
    outbox.c.status,
    outbox.c.attempts,
    outbox.c.in_doubt,
    outbox.c.created_at,
    outbox.c.first_attempt_at,
)


def _row(row: Row) -> OutboxRow:
    (
        row_id,
        workspace_id,
        kind,
        lane,
        payload,
        status,
        attempts,
        in_doubt,
        created_at,
        first_attempt_at,
    ) = row
    return OutboxRow(
        id=row_id,
        workspace_id=workspace_id,
        kind=kind,
        lane=lane,
        payload=dict(payload or {}),
        status=status,
        attempts=attempts,
        in_doubt=bool(in_doubt),
        created_at=created_at,
        first_attempt_at=first_attempt_at,
    )


# Built once: every change people hear of owes a row (bot/store/prepared.py).
_ENQUEUED = {
    name: sa.bindparam(name, type_=outbox.c[name].type)
    for name in (
        "workspace_id",
        "kind",
        "lane",
        "payload",
        "dedupe",
        "status",
        "attempts",
        "in_doubt",
        "created_at",
        "next_attempt_at",
    )
}
_ENQUEUE = Prepared(sa.insert(outbox).values(_ENQUEUED))
_ENQUEUE_ONCE = {
    dialect: Prepared(
        insert(outbox)
        .values(_ENQUEUED)
        .on_conflict_do_nothing(index_elements=[outbox.c.dedupe])
        .returning(outbox.c.id)
    )
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def enqueue(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    kind: str,
    lane: str,
    payload: dict[str, Any],
    now: datetime,
    dedupe: str | None = None,
) -> bool:
    """Owe a message; False if one with the same `dedupe` key is owed (or sent) already."""
    values = {
        "workspace_id": workspace_id,
        "kind": kind,
        "lane": lane[:120],
        "payload": payload,
        "dedupe": dedupe[:200] if dedupe else None,
        "status": PENDING,
        "attempts": 0,
        "in_doubt": False,
        "created_at": now,
        "next_attempt_at": now,
    }
    if dedupe is None:
        await _ENQUEUE.execute(conn, values)
    elif await _ENQUEUE_ONCE[conn.dialect.name].first(conn, values) is None:
        return False
    conn.info[ENQUEUED_FLAG] = True
    return True


def _due(now: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    """Waiting and due, or taken by a worker whose lease ran out (it died, or hung)."""
    return sa.or_(
        sa.and_(outbox.c.status == PENDING, outbox.c.next_attempt_at <= now),
        sa.and_(outbox.c.status == SENDING, outbox.c.lease_until < now),
    )


def _head_of_lane() -> sa.ColumnElement[bool]:
    """No older row of the same lane is still unfinished."""
    earlier = outbox.alias("earlier")
    return ~(
        sa.select(earlier.c.id)
        .where(
            earlier.c.lane == outbox.c.lane,
            earlier.c.id < outbox.c.id,
            earlier.c.status.in_(UNFINISHED),
        )
        .exists()
    )


# The worker's statements, built once (bot/store/prepared.py): each notice runs them.
_NOW = sa.bindparam("b_now", type_=outbox.c.next_attempt_at.type)
_HEADS = Prepared(
    sa.select(*_ROW_COLUMNS)
    .where(_due(_NOW), _head_of_lane())
    .order_by(outbox.c.id)
    .limit(sa.bindparam("b_limit", type_=sa.Integer()))
)
_CLAIM = Prepared(
    sa.update(outbox)
    .where(
        outbox.c.id == sa.bindparam("b_id"),
        outbox.c.attempts == sa.bindparam("b_attempts"),
        _due(_NOW),
    )
    .values(
        status=SENDING,
        attempts=sa.bindparam("b_next_attempts", type_=outbox.c.attempts.type),
        lease_until=sa.bindparam("b_lease_until", type_=outbox.c.lease_until.type),
        first_attempt_at=sa.func.coalesce(outbox.c.first_attempt_at, _NOW),
        in_doubt=sa.or_(outbox.c.in_doubt, outbox.c.status == SENDING),
    )
)
_FINISH = Prepared(
    sa.update(outbox)
    .where(outbox.c.id == sa.bindparam("b_id"))
    .values(
        status=sa.bindparam("b_status", type_=outbox.c.status.type),
        finished_at=_NOW,
        lease_until=None,
        channel_id=sa.bindparam("b_channel_id", type_=outbox.c.channel_id.type),
        ts=sa.bindparam("b_ts", type_=outbox.c.ts.type),
        error=sa.bindparam("b_error", type_=outbox.c.error.type),
    )
)


async def heads(
    conn: AsyncConnection, *, now: datetime, limit: int, not_kinds: frozenset[str] = frozenset()
) -> list[OutboxRow]:
    """The oldest unfinished row of each lane, where that row is due now; none of
    `not_kinds` (kinds the outbox's pace holds back for a moment)."""
    if not not_kinds:
        return [_row(r) for r in await _HEADS.rows(conn, {"b_now": now, "b_limit": limit})]
    query = (
        sa.select(*_ROW_COLUMNS)
        .where(_due(now), _head_of_lane(), outbox.c.kind.not_in(sorted(not_kinds)))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [_row(r) for r in await conn.execute(query)]


async def claim(
    conn: AsyncConnection, *, row: OutboxRow, now: datetime, lease: timedelta
) -> OutboxRow | None:
    """Take the row for one try; None if another worker took it first. A row found in
    `sending` (its worker's lease ran out) comes back in doubt: it may have been sent."""
    changed = await _CLAIM.execute(
        conn,
        {
            "b_id": row.id,
            "b_attempts": row.attempts,
            "b_now": now,
            "b_next_attempts": row.attempts + 1,
            "b_lease_until": now + lease,
        },
    )
    if changed != 1:
        return None
    # Unchanged since `heads` read it (the attempts matched): its status then is its status.
    return replace(
        row,
        status=SENDING,
        attempts=row.attempts + 1,
        in_doubt=row.in_doubt or row.status == SENDING,
        first_attempt_at=row.first_attempt_at or now,
    )


async def finish(
    conn: AsyncConnection,
    *,
    row_id: int,
    status: str,
    now: datetime,
    channel_id: str | None = None,
    ts: str | None = None,
    error: str | None = None,
) -> None:
    await _FINISH.execute(
        conn,
        {
            "b_id": row_id,
            "b_status": status,
            "b_now": now,
            "b_channel_id": channel_id,
            "b_ts": ts,
            "b_error": error[:ERROR_LIMIT] if error else None,
        },
    )


async def retry_later(
    conn: AsyncConnection, *, row_id: int, at: datetime, error: str, in_doubt: bool
) -> None:
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == row_id)
        .values(
            status=PENDING,
            next_attempt_at=at,
            lease_until=None,
            error=error[:ERROR_LIMIT],
            in_doubt=sa.or_(outbox.c.in_doubt, sa.literal(in_doubt)),
        )
    )


async def release(conn: AsyncConnection, *, row: OutboxRow) -> None:
    """Give a claimed row back untried (the outbox's pace put it off before it sent
    anything): due as it was, its try not counted."""
    await conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == row.id, outbox.c.status == SENDING)
        .values(status=PENDING, lease_until=None, attempts=max(0, row.attempts - 1))
    )


async def twins(conn: AsyncConnection, *, row: OutboxRow) -> list[int]:
    """Later rows of the same kind in the same lane that have not started: one delivery of
    the current state (a card's edit) answers them all."""
    rows = await conn.execute(
        sa.select(outbox.c.id).where(
            outbox.c.lane == row.lane,
            outbox.c.kind == row.kind,
            outbox.c.id > row.id,
            outbox.c.status == PENDING,
            outbox.c.attempts == 0,
        )
    )
    return [r.id for r in rows]


async def skip(conn: AsyncConnection, *, ids: list[int], now: datetime, why: str) -> None:
    if ids:
        await conn.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == PENDING, outbox.c.attempts == 0)
            .values(status=SKIPPED, finished_at=now, error=why[:ERROR_LIMIT])
        )


async def release_all(conn: AsyncConnection, *, now: datetime) -> int:
    """At start on a single-instance store: whatever this store's last process was sending
    when it died is in doubt and due now (nobody else can be sending it)."""
    result = await conn.execute(
        sa.update(outbox)
        .where(outbox.c.status == SENDING)
        .values(status=PENDING, in_doubt=True, next_attempt_at=now, lease_until=None)
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Backlog:
    undelivered: int
    due: int  # lanes whose next message may be sent now
    failed: int
    oldest_created_at: datetime | None


async def backlog(conn: AsyncConnection, *, now: datetime) -> Backlog:
    unfinished = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
                outbox.c.status.in_(UNFINISHED)
            )
        )
    ).one()
    due = (
        await conn.execute(
            sa.select(sa.func.count()).select_from(outbox).where(_due(now), _head_of_lane())
        )
    ).scalar_one()
    failed = (
        await conn.execute(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == FAILED)
        )
    ).scalar_one()
    oldest = unfinished[1]
    if oldest is not None and oldest.tzinfo is None:  # min() bypasses the column type
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(
        undelivered=int(unfinished[0]), due=int(due), failed=int(failed), oldest_created_at=oldest
    )


async def prune(conn: AsyncConnection, *, before: datetime) -> int:
    """Forget finished rows older than `before` (the sends ledger keeps what was owed once)."""
    result = await conn.execute(
        sa.delete(outbox).where(
            outbox.c.status.notin_(UNFINISHED),
            outbox.c.finished_at < before,
        )
    )
    return int(result.rowcount or 0)


async def last_id(conn: AsyncConnection) -> int:
    return int((await conn.execute(sa.select(sa.func.max(outbox.c.id)))).scalar_one() or 0)


async def statuses(conn: AsyncConnection, *, kind: str, after_id: int) -> dict[str, int]:
    """How many rows of a kind, owed after `after_id`, stand in each status."""
    rows = await conn.execute(
        sa.select(outbox.c.status, sa.func.count())
        .where(outbox.c.kind == kind, outbox.c.id > after_id)
        .group_by(outbox.c.status)
    )
    return {str(status): int(n) for status, n in rows.all()}
