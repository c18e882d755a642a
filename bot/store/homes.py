"""Who has opened the App Home (so whose Home is worth republishing after a change)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import home_viewers


async def opened(conn: AsyncConnection, *, workspace_id: str, user_id: str, now: datetime) -> None:
    """Remember that this person has opened their Home (the first time counts)."""
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    await conn.execute(
        insert(home_viewers)
        .values(workspace_id=workspace_id, user_id=user_id, first_opened_at=now)
        .on_conflict_do_nothing(
            index_elements=[home_viewers.c.workspace_id, home_viewers.c.user_id]
        )
    )


async def viewers(conn: AsyncConnection, *, workspace_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` who have opened their Home."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    rows = await conn.execute(
        sa.select(home_viewers.c.user_id).where(
            home_viewers.c.workspace_id == workspace_id, home_viewers.c.user_id.in_(wanted)
        )
    )
    return {row.user_id for row in rows}
