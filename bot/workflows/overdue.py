"""Overdue stages: found, claimed once per stage, and recorded on the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store import Store
from bot.store import disputes as repo
from bot.workflows.calendar import WorkCalendar
from bot.workflows.models import Dispute

BATCH = 100


@dataclass(frozen=True)
class Overdue:
    dispute: Dispute
    working_days: int


async def claim_overdue(
    store: Store, *, now: datetime, calendar: WorkCalendar, limit: int = BATCH
) -> list[Overdue]:
    """Every open dispute whose stage ran out and whose notice for that stage is not out yet.

    Each is claimed in its own transaction with its `overdue` event, so with several
    instances (or a restart) a stage's notice is claimed exactly once.
    """
    async with store.read() as conn:
        candidates = await repo.overdue(conn, now=now, limit=limit)
    claimed: list[Overdue] = []
    for dispute in candidates:
        assert dispute.stage_due_at is not None
        days = max(1, -calendar.working_days_between(now, dispute.stage_due_at))
        async with store.write() as conn:
            if not await repo.claim_overdue(conn, dispute_id=dispute.id, stage=dispute.stage):
                continue
            text = f"{dispute.stage.label} overdue by {days} working day{'s' if days != 1 else ''}"
            await repo.add_event(
                conn,
                dispute_id=dispute.id,
                kind="overdue",
                at=now,
                actor_id=None,
                text=text,
                stage=dispute.stage,
            )
        claimed.append(Overdue(dispute=dispute, working_days=days))
    return claimed
