"""The record chain as `parley verify` reads it: disputes' heads and their events' stored
hashes, in batches, oldest first, so checking millions of events holds one batch at a time.

Appending (and sealing) is `disputes_timeline.add_event`; the form is `bot/domain/chain.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import chain
from bot.store.disputes_timeline import sealed_row
from bot.store.schema import disputes, timeline

DISPUTE_BATCH = 1_000
EVENT_BATCH = 5_000


async def hold_still(conn: AsyncConnection) -> None:
    """Read the whole record as of one moment, while Parley appends on: on PostgreSQL a
    REPEATABLE READ transaction (each statement would otherwise see what was committed since
    the one before, and a head read before an append would not match the events read after
    it); SQLite's read transaction is one snapshot already. Call before the first read."""
    if conn.dialect.name == "postgresql":
        await conn.execution_options(isolation_level="REPEATABLE READ")


@dataclass(frozen=True)
class Head:
    """A dispute as the chain knows it: its row id, workspace, number and stored head."""

    id: int
    workspace_id: str
    number: int
    head: str | None


async def heads(
    conn: AsyncConnection, *, number: int | None = None, size: int = DISPUTE_BATCH
) -> AsyncIterator[list[Head]]:
    """Every dispute (or every one numbered `number`, one per workspace) by row id, `size`
    at a time."""
    after = 0
    while True:
        stmt = (
            sa.select(
                disputes.c.id, disputes.c.workspace_id, disputes.c.number, disputes.c.chain_head
            )
            .where(disputes.c.id > after)
            .order_by(disputes.c.id)
            .limit(size)
        )
        if number is not None:
            stmt = stmt.where(disputes.c.number == number)
        rows = (await conn.execute(stmt)).all()
        if not rows:
            return
        yield [Head(id=r[0], workspace_id=r[1], number=r[2], head=r[3]) for r in rows]
        after = rows[-1][0]


_EVENT_COLUMNS = [c for c in timeline.c]


async def links(
    conn: AsyncConnection, *, first: int, last: int, size: int = EVENT_BATCH
) -> AsyncIterator[list[tuple[int, chain.Link]]]:
    """The events of the disputes whose row ids are in [first, last], each as (dispute id,
    link), by dispute and then in the order they went on the record (row ids), `size` at a
    time: one indexed range of `ix_timeline_dispute` each, its dispute's workspace and number
    joined by primary key."""
    after = (first, 0)
    while True:
        rows = (
            await conn.execute(
                sa.select(*_EVENT_COLUMNS, disputes.c.workspace_id, disputes.c.number)
                .join(disputes, disputes.c.id == timeline.c.dispute_id)
                .where(
                    sa.or_(
                        timeline.c.dispute_id > after[0],
                        sa.and_(timeline.c.dispute_id == after[0], timeline.c.id > after[1]),
                    ),
                    timeline.c.dispute_id <= last,
                )
                .order_by(timeline.c.dispute_id, timeline.c.id)
                .limit(size)
            )
        ).all()
        if not rows:
            return
        yield [
            (
                r.dispute_id,
                chain.Link(
                    row_id=r.id,
                    sealed=sealed_row(r._mapping, workspace_id=r.workspace_id, number=r.number),
                    hash=r.hash,
                    prev_hash=r.prev_hash,
                ),
            )
            for r in rows
        ]
        after = (rows[-1].dispute_id, rows[-1].id)
