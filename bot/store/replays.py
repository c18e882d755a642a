"""Signed requests already taken: the first instance to insert a signature serves the
request, a replay of it (to this instance or another on the same database) is refused."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.prepared import Prepared
from bot.store.schema import seen_requests

_SIGNATURE = sa.bindparam("signature", type_=sa.String)
_SIGNED_AT = sa.bindparam("signed_at", type_=sa.BigInteger)

# PostgreSQL: the insert also turns off waiting for the WAL flush at this transaction's
# commit (set_config(..., is_local => true)), in the one statement. That wait was half the
# guard's time; what it protects is at most the last fraction of a second of signatures if
# the server crashes, and a signature is only worth keeping for five minutes anyway.
_NO_FLUSH_WAIT = sa.select(
    sa.func.set_config(sa.literal("synchronous_commit"), sa.literal("off"), sa.true())
).subquery()

# One statement per request on the hot path: the insert that takes the key, or finds it
# taken. Per dialect (each spells ON CONFLICT with its own insert), built once.
_TAKE = {
    "postgresql": Prepared(
        postgresql.insert(seen_requests)
        .from_select(
            [seen_requests.c.signature, seen_requests.c.signed_at],
            sa.select(_SIGNATURE, _SIGNED_AT).select_from(_NO_FLUSH_WAIT),
        )
        .on_conflict_do_nothing(index_elements=[seen_requests.c.signature])
        .returning(seen_requests.c.signature)
    ),
    "sqlite": Prepared(
        sqlite.insert(seen_requests)
        .values(signature=_SIGNATURE, signed_at=_SIGNED_AT)
        .on_conflict_do_nothing(index_elements=[seen_requests.c.signature])
        .returning(seen_requests.c.signature)
    ),
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
