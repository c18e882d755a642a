"""What Parley owes Slack: notices written in the same transaction as the change behind them.

A workflow that changes something people must hear of owes a notice (a model of
bot/domain/notices.py) on the connection of its own transaction: if the change commits, the
notice is owed; if it rolls back, it never was. The outbox worker (bot/commands/delivery.py)
reads each row back as its model, renders it from the records as they are when it is
delivered, and sends it once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.notices import Notice, parse_notice
from bot.store import outbox as repo
from bot.store.outbox import OutboxRow


async def owe(
    conn: AsyncConnection, notice: Notice, *, now: datetime, dedupe: str | None = None
) -> bool:
    """Owe Slack a notice, in the caller's transaction; False if `dedupe` is owed already."""
    return await repo.enqueue(
        conn,
        workspace_id=notice.workspace_id,
        kind=notice.kind,
        lane=notice.lane,
        payload=notice.model_dump(mode="json"),
        now=now,
        dedupe=dedupe,
    )


def notice_of(row: OutboxRow) -> Notice:
    """The notice an outbox row holds (UnreadableNotice if it holds none Parley knows)."""
    return parse_notice(row.kind, workspace_id=row.workspace_id, payload=row.payload)
