"""A complaint's clocks, watched by the ticker: each clock run out is told once (its owner
by DM, and on the card), and a resolution its party left unanswered for `confirm_within`
working days closes the complaint, said once in its thread.

Each claim and everything it owes are one transaction, claimed by a conditional update, so
with several instances or a restart nothing is told twice and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import ParleyConfig
from bot.domain import complaints as rules
from bot.domain.calendar import WorkCalendar
from bot.domain.complaints import Clock, ClosedBy, Complaint, EventKind
from bot.domain.notices import ComplaintOverdueDm, ComplaintRefresh
from bot.store import Store
from bot.store import complaints as repo
from bot.workflows import notices
from bot.workflows.complaints import close_owed
from bot.workflows.survey_cases import Asking

BATCH = 100


@dataclass(frozen=True)
class Ran:
    """A clock that ran out, or a complaint closed by silence."""

    complaint: Complaint
    clock: Clock | None  # None: closed by silence


async def claim_overdue(store: Store, *, now: datetime, limit: int = BATCH) -> list[Ran]:
    """Every clock that ran out since the last look, each told once."""
    async with store.read() as conn:
        candidates = await repo.overdue(conn, now=now, limit=limit)
    claimed: list[Ran] = []
    for complaint in candidates:
        for clock in (Clock.ANSWER, Clock.RESOLUTION):
            if not complaint.overdue(clock, now):
                continue
            async with store.write() as conn:
                if not await repo.claim_overdue(
                    conn, complaint_id=complaint.id, answer=clock is Clock.ANSWER
                ):
                    continue
                await repo.add_event(
                    conn,
                    complaint_id=complaint.id,
                    kind=EventKind.OVERDUE,
                    at=now,
                    actor_id=None,
                    text=clock.value,
                )
                await notices.owe(
                    conn,
                    ComplaintOverdueDm(
                        workspace_id=complaint.workspace_id,
                        complaint_id=complaint.id,
                        clock=clock,
                    ),
                    now=now,
                    dedupe=f"complaint-overdue:{complaint.id}:{clock.value}",
                )
                await notices.owe(conn, ComplaintRefresh.of(complaint), now=now)
            claimed.append(Ran(complaint=complaint, clock=clock))
    return claimed


async def close_silent(
    store: Store,
    *,
    now: datetime,
    config: ParleyConfig,
    calendar: WorkCalendar,
    limit: int = BATCH,
    asking: Asking | None = None,
) -> list[Ran]:
    """Close every resolved complaint whose party did not answer within the window, with its
    working days to close counted by `calendar`."""
    async with store.read() as conn:
        candidates = await repo.silent(conn, now=now, limit=limit)
    closed: list[Ran] = []
    for complaint in candidates:
        async with store.write() as conn:
            if not await repo.answer(
                conn,
                complaint_id=complaint.id,
                round_=complaint.round,
                resolved=True,
                now=now,
                closed_by=ClosedBy.SILENCE,
                close_days=rules.close_days(calendar, complaint.opened_at, now),
            ):
                continue
            await repo.add_event(
                conn, complaint_id=complaint.id, kind=EventKind.CLOSED, at=now, actor_id=None
            )
            await close_owed(
                conn,
                complaint,
                ClosedBy.SILENCE,
                now,
                working_days=config.complaints.confirm_within,
                asking=asking,
            )
        closed.append(Ran(complaint=complaint, clock=None))
    return closed


async def watch(
    store: Store,
    *,
    now: datetime,
    config: ParleyConfig,
    calendar: WorkCalendar,
    asking: Asking | None = None,
) -> list[Ran]:
    """One look at every complaint's clocks (the ticker's job); the due times were counted
    in working days when each clock started."""
    return [
        *await claim_overdue(store, now=now),
        *await close_silent(store, now=now, config=config, calendar=calendar, asking=asking),
    ]
