"""Per-workspace sequences: D-n, R-n, A-n and T-n are numbered from 1 and never reused."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.prepared import Prepared
from bot.store.schema import counters

# Per dialect (the upsert is spelled by each dialect's insert), built once.
_NEXT_NUMBER = {
    name: Prepared(
        insert(counters)
        .values(workspace_id=sa.bindparam("workspace_id"), kind=sa.bindparam("kind"), value=1)
        .on_conflict_do_update(
            index_elements=[counters.c.workspace_id, counters.c.kind],
            set_={"value": counters.c.value + 1},
        )
        .returning(counters.c.value)
    )
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def next_number(conn: AsyncConnection, *, workspace_id: str, kind: str) -> int:
    """Take the next number atomically (one upsert, safe under concurrent writers)."""
    params = {"workspace_id": workspace_id, "kind": kind}
    value = await _NEXT_NUMBER[conn.dialect.name].scalar(conn, params)
    return int(value)


async def peek(conn: AsyncConnection, *, workspace_id: str, kind: str) -> int:
    """The last number handed out (0 if none)."""
    stmt = sa.select(counters.c.value).where(
        counters.c.workspace_id == workspace_id, counters.c.kind == kind
    )
    return int((await conn.execute(stmt)).scalar_one_or_none() or 0)
