"""What a dispute's meeting (`/dispute meet`) reads of the dispute: its people, each with the
party they speak for. The meeting itself is a review (`bot/store/reviews.py`, `dispute_id`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import dispute_members


async def members(conn: AsyncConnection, *, dispute_id: int) -> list[tuple[str, int | None]]:
    """(user id, party id or None for one of ours) of everyone brought into the dispute, in
    the order they joined."""
    rows = await conn.execute(
        sa.select(dispute_members.c.user_id, dispute_members.c.party_id)
        .where(dispute_members.c.dispute_id == dispute_id)
        .order_by(dispute_members.c.added_at, dispute_members.c.user_id)
    )
    return [(r.user_id, r.party_id) for r in rows]
