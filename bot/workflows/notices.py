"""What Parley owes Slack: notices written in the same transaction as the change behind them.

A workflow that changes something people must hear of enqueues a notice on the connection of
its own transaction: if the change commits, the notice is owed; if it rolls back, it never
was. The outbox worker (bot/commands/delivery.py) renders each notice from the records as
they are when it is delivered, and sends it once.

A notice's lane orders it: the notices of one dispute (its card, then the lines in its thread,
the card's edits, the owner's DMs about it) are delivered in the order they were owed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.agreements import Agreement
from bot.domain.disputes import Dispute
from bot.store import outbox as repo

# Kinds. Each has one deliverer in bot/commands/delivery.py.
DISPUTE_CARD = "dispute.card"
DISPUTE_LINE = "dispute.line"
DISPUTE_REFRESH = "dispute.refresh"
DISPUTE_TELL = "dispute.tell"
DISPUTE_OVERDUE_LINE = "dispute.overdue_line"
DISPUTE_OVERDUE_DM = "dispute.overdue_dm"
REVIEW_REMINDER = "review.reminder"
REVIEW_PROMPT = "review.prompt"
ACTION_POSTED = "review.action_posted"
ACTION_REFRESH = "review.action_refresh"
ACTION_DUE = "review.action_due"
REPORT_DUE = "review.report_due"
AGREEMENT_CARD = "agreement.card"
AGREEMENT_REFRESH = "agreement.refresh"
AGREEMENT_VERSION_LINE = "agreement.version_line"
AGREEMENT_EXPIRED_DM = "agreement.expired_dm"
DIGEST = "digest"
DELIVERY_FAILED = "delivery.failed"

# Edits that show the current state: one delivery answers every such notice queued before it.
COALESCED = frozenset({DISPUTE_REFRESH, AGREEMENT_REFRESH})


def dispute_lane(dispute_id: int) -> str:
    return f"dispute:{dispute_id}"


async def owe_card_edit(conn: AsyncConnection, dispute: Dispute, *, now: datetime) -> None:
    """The dispute's card (and its linked roots) edited to show it as it is now."""
    await owe_dispute(
        conn,
        DISPUTE_REFRESH,
        workspace_id=dispute.workspace_id,
        dispute_id=dispute.id,
        now=now,
    )


async def owe_agreement_edit(conn: AsyncConnection, agreement: Agreement, *, now: datetime) -> None:
    """The agreement's card edited to show it as it is now."""
    await owe_agreement(
        conn,
        AGREEMENT_REFRESH,
        workspace_id=agreement.workspace_id,
        agreement_id=agreement.id,
        number=agreement.number,
        now=now,
    )


def review_lane(review_id: int) -> str:
    return f"review:{review_id}"


async def owe_agreement(
    conn: AsyncConnection,
    kind: str,
    *,
    workspace_id: str,
    agreement_id: int,
    number: int,
    now: datetime,
    dedupe: str | None = None,
    **payload: Any,
) -> None:
    """A notice about one agreement (A-`number`), in that agreement's lane."""
    await owe(
        conn,
        kind=kind,
        workspace_id=workspace_id,
        lane=f"agreement:{agreement_id}",
        now=now,
        dedupe=dedupe,
        agreement_number=number,
        **payload,
    )


async def owe(
    conn: AsyncConnection,
    *,
    kind: str,
    workspace_id: str,
    lane: str,
    now: datetime,
    dedupe: str | None = None,
    **payload: Any,
) -> bool:
    """Owe Slack a message, in the caller's transaction; False if `dedupe` is owed already."""
    return await repo.enqueue(
        conn,
        workspace_id=workspace_id,
        kind=kind,
        lane=lane,
        payload=payload,
        now=now,
        dedupe=dedupe,
    )


async def owe_dispute(
    conn: AsyncConnection,
    kind: str,
    *,
    workspace_id: str,
    dispute_id: int,
    now: datetime,
    **payload: Any,
) -> None:
    """A notice about one dispute, in that dispute's lane."""
    await owe(
        conn,
        kind=kind,
        workspace_id=workspace_id,
        lane=dispute_lane(dispute_id),
        now=now,
        dispute_id=dispute_id,
        **payload,
    )
