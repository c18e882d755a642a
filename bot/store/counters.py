"""Per-workspace sequences: D-n, R-n, A-n and T-n are numbered from 1 and never reused."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import counters


async def next_number(conn: AsyncConnection, *, workspace_id: str, kind: str) -> int:
    """Take the next number atomically (one upsert, safe under concurrent writers)."""
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(counters)
        .values(workspace_id=workspace_id, kind=kind, value=1)
        .on_conflict_do_update(
            index_elements=[counters.c.workspace_id, counters.c.kind],
            set_={"value": counters.c.value + 1},
        )
        .returning(counters.c.value)
    )
    value = (await conn.execute(stmt)).scalar_one()
    return int(value)


async def peek(conn: AsyncConnection, *, workspace_id: str, kind: str) -> int:
    """The last number handed out (0 if none)."""
    stmt = sa.select(counters.c.value).where(
        counters.c.workspace_id == workspace_id, counters.c.kind == kind
    )
    return int((await conn.execute(stmt)).scalar_one_or_none() or 0)
