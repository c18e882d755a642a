"""Who joined and who left the channels shared with a party (`member_joined_channel`,
`member_left_channel`), as events: staff stability is counted from them
(`bot/store/audit_figures.py`). A replayed event (the same event id) is recorded once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema_audits import channel_memberships


class MembershipEvent(StrEnum):
    JOINED = "joined"
    LEFT = "left"


_RECORD = {
    name: dialect_insert(channel_memberships).on_conflict_do_nothing(
        index_elements=[channel_memberships.c.event_id]
    )
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def record(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    team_id: str | None,
    party_id: int | None,
    event: MembershipEvent,
    at: datetime,
    event_id: str,
) -> bool:
    """Record one membership event; False if this event was recorded already (a replay)."""
    result = await conn.execute(
        _RECORD[conn.dialect.name].values(
            workspace_id=workspace_id,
            channel_id=channel_id,
            user_id=user_id,
            team_id=team_id,
            party_id=party_id,
            event=event.value,
            at=at,
            event_id=event_id,
        )
    )
    return result.rowcount == 1


async def place(conn: AsyncConnection, *, event_id: str, party_id: int, team_id: str) -> None:
    """Place a recorded event on the party Slack's record says the person speaks for."""
    await conn.execute(
        sa.update(channel_memberships)
        .where(channel_memberships.c.event_id == event_id)
        .values(party_id=party_id, team_id=team_id)
    )


async def forget(conn: AsyncConnection, *, event_id: str) -> None:
    """Drop a recorded event that is no party's person in a channel shared with their party."""
    await conn.execute(
        sa.delete(channel_memberships).where(channel_memberships.c.event_id == event_id)
    )
