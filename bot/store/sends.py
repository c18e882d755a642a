"""Claims on messages owed once: the first to insert the key sends it, nobody else does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import sends


async def claim(conn: AsyncConnection, *, key: str, now: datetime) -> bool:
    """Take the key; False if it was taken before (by this or another instance)."""
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    result = await conn.execute(
        insert(sends)
        .values(key=key[:200], claimed_at=now)
        .on_conflict_do_nothing(index_elements=[sends.c.key])
        .returning(sends.c.key)
    )
    return result.first() is not None


async def claimed(conn: AsyncConnection, *, key: str) -> bool:
    row = (await conn.execute(sa.select(sends.c.key).where(sends.c.key == key[:200]))).first()
    return row is not None
