"""What the record holds of contracts: the parties' first replies marked late against their
support contract's response time (timeline events of kind `first_reply_late`, appended through
`bot/store/disputes_timeline.py: add_event` like every other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.timeline import TimelineKind
from bot.store.schema import disputes, parties, timeline

__all__ = ["LateReply", "late_replies"]


@dataclass(frozen=True)
class LateReply:
    """One first reply marked late: on which dispute, by which party, when, and the mark's
    text (the contract's reference and response term)."""

    dispute_number: int
    party: str
    at: datetime
    text: str


async def late_replies(
    conn: AsyncConnection, *, workspace_id: str | None = None, dispute_id: int | None = None
) -> list[LateReply]:
    """The first replies marked late (in one workspace, or on one dispute; None: all of
    them), oldest first. One row per mark: marks are few, a party's first reply at most."""
    query = (
        sa.select(disputes.c.number, parties.c.name, timeline.c.at, timeline.c.text)
        .select_from(
            timeline.join(disputes, disputes.c.id == timeline.c.dispute_id).join(
                parties, parties.c.id == timeline.c.party_id
            )
        )
        .where(timeline.c.kind == TimelineKind.FIRST_REPLY_LATE.value)
        .order_by(timeline.c.at, timeline.c.id)
    )
    if workspace_id is not None:
        query = query.where(disputes.c.workspace_id == workspace_id)
    if dispute_id is not None:
        query = query.where(timeline.c.dispute_id == dispute_id)
    rows = (await conn.execute(query)).all()
    return [
        LateReply(dispute_number=int(r[0]), party=str(r[1]), at=r[2], text=str(r[3] or ""))
        for r in rows
    ]
