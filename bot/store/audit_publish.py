"""What publishing a scorecard stores beyond `bot/store/audits.py`: a band-D dimension's
improvement action (an action item `T-n` of the scorecard, not of a review)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import action_items

#: The counter kind that numbers action items (shared with reviews: one T-n sequence).
ACTION_COUNTER = "action"


async def improvement_of(
    conn: AsyncConnection, *, workspace_id: str, scorecard_id: int, text: str
) -> tuple[int, datetime] | None:
    """The number and due time of a scorecard's improvement action with these words, if any
    (the words name the dimension and the version: one such item per dimension and version)."""
    row = (
        await conn.execute(
            sa.select(action_items.c.number, action_items.c.due_at).where(
                action_items.c.workspace_id == workspace_id,
                action_items.c.scorecard_id == scorecard_id,
                action_items.c.text == text,
            )
        )
    ).first()
    return None if row is None else (int(row.number), row.due_at)


async def improvement_due(
    conn: AsyncConnection, *, workspace_id: str, scorecard_id: int, number: int
) -> datetime | None:
    """The due time of T-n if it is this scorecard's improvement action."""
    row = (
        await conn.execute(
            sa.select(action_items.c.due_at).where(
                action_items.c.workspace_id == workspace_id,
                action_items.c.scorecard_id == scorecard_id,
                action_items.c.number == number,
            )
        )
    ).first()
    return None if row is None else row.due_at
