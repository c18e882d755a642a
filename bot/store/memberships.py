"""Who joined and who left the channels shared with a party (`member_joined_channel`,
`member_left_channel`), as events: staff stability is counted from them
(`bot/store/audit_figures.py`). A replayed event (the same event id) is recorded once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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
