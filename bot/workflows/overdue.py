"""Overdue stages: found, claimed once per stage, recorded on the timeline, and announced.

The claim, its `overdue` event, the notices owed (a line in the thread, the card edited, a DM
to the owner) and, with `auto_escalate`, the escalation itself are one transaction: with
several instances or a restart, a stage's notice is owed exactly once, and never lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.config import ParleyConfig
from bot.domain.calendar import WorkCalendar
from bot.domain.disputes import Dispute
from bot.domain.errors import DomainError
from bot.domain.ladder import NEXT_STAGE, Action, automatic_escalation_text, overdue_text
from bot.domain.notices import DisputeOverdueDm, DisputeOverdueLine, DisputeRefresh
from bot.domain.parties import Person
from bot.domain.timeline import TimelineKind
from bot.store import Store
from bot.store import disputes as repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows import notices
from bot.workflows.disputes import Change, apply_action

log = logging.getLogger(__name__)

BATCH = 100


@dataclass(frozen=True)
class Overdue:
    dispute: Dispute
    working_days: int
    escalation: Change | None = None


async def claim_overdue(
    store: Store,
    *,
    now: datetime,
    calendar: WorkCalendar,
    config: ParleyConfig,
    parley: Person,
    limit: int = BATCH,
) -> list[Overdue]:
    """Every open dispute whose stage ran out and whose notice for that stage is not out yet,
    each claimed in its own transaction with everything that follows from it."""
    async with store.read() as conn:
        candidates = await repo.overdue(conn, now=now, limit=limit)
    claimed: list[Overdue] = []
    for dispute in candidates:
        assert dispute.stage_due_at is not None
        days = max(1, -calendar.working_days_between(now, dispute.stage_due_at))
        async with store.write() as conn:
            if not await repo.claim_overdue(conn, dispute_id=dispute.id, stage=dispute.stage):
                continue
            text = overdue_text(dispute.stage, days)
            await timeline_repo.add_event(
                conn,
                dispute_id=dispute.id,
                kind=TimelineKind.OVERDUE,
                at=now,
                actor_id=None,
                text=text,
                stage=dispute.stage,
            )
            await notices.owe(
                conn,
                DisputeOverdueLine(
                    workspace_id=dispute.workspace_id,
                    dispute_id=dispute.id,
                    working_days=days,
                    stage=dispute.stage,
                ),
                now=now,
            )
            escalation = None
            if config.ladder.auto_escalate and NEXT_STAGE.get(dispute.stage) is not None:
                try:
                    escalation = await apply_action(
                        conn,
                        dispute=dispute,
                        action=Action.ESCALATE,
                        actor=parley,
                        text=automatic_escalation_text(text),
                        config=config,
                        calendar=calendar,
                        now=now,
                    )
                except DomainError as exc:  # refused before anything was written
                    log.info("%s not escalated automatically: %s", dispute.ref, exc)
            if escalation is None:
                await notices.owe(conn, DisputeRefresh.of(dispute), now=now)
            await notices.owe(
                conn,
                DisputeOverdueDm(
                    workspace_id=dispute.workspace_id,
                    dispute_id=dispute.id,
                    working_days=days,
                    stage=dispute.stage,
                    escalated=escalation is not None,
                ),
                now=now,
            )
        claimed.append(Overdue(dispute=dispute, working_days=days, escalation=escalation))
    return claimed
