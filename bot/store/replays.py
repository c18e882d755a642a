"""Signed requests already taken: the first instance to insert a signature serves the
request, a replay of it (to this instance or another on the same database) is refused."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.prepared import Prepared
from bot.store.schema import seen_requests

# One statement per request on the hot path: the insert that takes the key, or finds it
# taken. Per dialect (each spells ON CONFLICT with its own insert), built once.
_TAKE = {
    name: Prepared(
        insert(seen_requests)
        .values(
            signature=sa.bindparam("signature", type_=sa.String),
            signed_at=sa.bindparam("signed_at", type_=sa.BigInteger),
        )
        .on_conflict_do_nothing(index_elements=[seen_requests.c.signature])
        .returning(seen_requests.c.signature)
    )
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def take(conn: AsyncConnection, *, signature: str, signed_at: int) -> bool:
    """Remember a request by its signature; False if it was taken before (a replay)."""
    params = {"signature": signature, "signed_at": signed_at}
    return await _TAKE[conn.dialect.name].first(conn, params) is not None


async def forget_before(conn: AsyncConnection, *, signed_before: int) -> int:
    """Drop what no valid signature can repeat any more; how many were dropped."""
    result = await conn.execute(
        sa.delete(seen_requests).where(seen_requests.c.signed_at < signed_before)
    )
    return int(result.rowcount)
