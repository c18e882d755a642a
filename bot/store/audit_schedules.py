"""Audit schedules: a supplier audited "every quarter". At each `next_at` one instance makes
the draft of the period that has just ended and reminds its owner once.

Exactly once across instances: `advance` moves a schedule's `next_at` only from the value the
caller read (a second instance finds it moved and does nothing); the unique key of a scheduled
draft's schedule and period is the backstop, and the reminder is claimed by its flag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audits import AuditSchedule, Scorecard
from bot.store import parties as parties_repo
from bot.store.audits import load
from bot.store.schema_audits import audit_schedules, scorecards


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int,
    recurrence: str,
    next_at: datetime,
    owner_id: str,
    now: datetime,
) -> int:
    """A new active schedule; its id."""
    result = await conn.execute(
        sa.insert(audit_schedules)
        .values(
            workspace_id=workspace_id,
            party_id=party_id,
            recurrence=recurrence,
            next_at=next_at,
            owner_id=owner_id,
            created_by=owner_id,
            created_at=now,
        )
        .returning(audit_schedules.c.id)
    )
    return int(result.scalar_one())


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[AuditSchedule]:
    rows = (await conn.execute(stmt)).all()
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows])
    return [
        AuditSchedule(
            id=r.id,
            workspace_id=r.workspace_id,
            party=known[r.party_id],
            recurrence=r.recurrence,
            next_at=r.next_at,
            owner_id=r.owner_id,
            created_at=r.created_at,
            active=bool(r.active),
        )
        for r in rows
    ]


async def active(
    conn: AsyncConnection, *, workspace_id: str, party_id: int | None = None
) -> list[AuditSchedule]:
    """The workspace's (or one supplier's) active schedules, soonest first."""
    where = [audit_schedules.c.workspace_id == workspace_id, audit_schedules.c.active.is_(True)]
    if party_id is not None:
        where.append(audit_schedules.c.party_id == party_id)
    return await _load(
        conn,
        sa.select(audit_schedules)
        .where(*where)
        .order_by(audit_schedules.c.next_at, audit_schedules.c.id),
    )


async def due(conn: AsyncConnection, *, now: datetime, limit: int = 100) -> list[AuditSchedule]:
    """Active schedules whose period has ended."""
    return await _load(
        conn,
        sa.select(audit_schedules)
        .where(audit_schedules.c.active.is_(True), audit_schedules.c.next_at <= now)
        .order_by(audit_schedules.c.next_at, audit_schedules.c.id)
        .limit(limit),
    )


async def advance(conn: AsyncConnection, *, schedule_id: int, was: datetime, to: datetime) -> bool:
    """Move the schedule on from `was` to `to`; False if another instance moved it first."""
    result = await conn.execute(
        sa.update(audit_schedules)
        .where(
            audit_schedules.c.id == schedule_id,
            audit_schedules.c.active.is_(True),
            audit_schedules.c.next_at == was,
        )
        .values(next_at=to)
    )
    return result.rowcount == 1


async def deactivate(conn: AsyncConnection, *, workspace_id: str, party_id: int) -> int:
    """Stop a supplier's schedules; how many were active."""
    result = await conn.execute(
        sa.update(audit_schedules)
        .where(
            audit_schedules.c.workspace_id == workspace_id,
            audit_schedules.c.party_id == party_id,
            audit_schedules.c.active.is_(True),
        )
        .values(active=False)
    )
    return int(result.rowcount)


async def for_schedule(
    conn: AsyncConnection, *, schedule_id: int, period_start: datetime
) -> Scorecard | None:
    """The scheduled draft of one period, if made already."""
    found = await load(
        conn,
        sa.select(scorecards).where(
            scorecards.c.schedule_id == schedule_id, scorecards.c.period_start == period_start
        ),
    )
    return found[0] if found else None


async def claim_reminder(conn: AsyncConnection, *, scorecard_id: int) -> bool:
    """Take a scheduled draft's one reminder to its owner; False if it was taken already."""
    result = await conn.execute(
        sa.update(scorecards)
        .where(scorecards.c.id == scorecard_id, scorecards.c.reminded.is_(False))
        .values(reminded=True)
    )
    return result.rowcount == 1
