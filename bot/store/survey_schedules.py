"""Periodic surveys' schedules: a party's recurring survey and when it is next sent.

Sending is claimed by moving `next_at` on with a conditional update (`advance`) in the same
transaction that opens the survey, so two ticks or two instances never send one occurrence
twice: the second finds `next_at` moved already and sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.surveys import SurveySchedule
from bot.store import parties as parties_repo
from bot.store.schema_surveys import survey_schedules


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int,
    title: str | None,
    recurrence: str,
    next_at: datetime,
    created_by: str,
    now: datetime,
) -> int:
    result = await conn.execute(
        sa.insert(survey_schedules)
        .values(
            workspace_id=workspace_id,
            party_id=party_id,
            title=title,
            recurrence=recurrence,
            next_at=next_at,
            created_by=created_by,
            created_at=now,
            active=True,
        )
        .returning(survey_schedules.c.id)
    )
    return int(result.scalar_one())


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[SurveySchedule]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows])
    return [
        SurveySchedule(
            id=r.id,
            workspace_id=r.workspace_id,
            party=known[r.party_id],
            title=r.title,
            recurrence=r.recurrence,
            next_at=r.next_at,
            created_by=r.created_by,
            created_at=r.created_at,
            active=bool(r.active),
        )
        for r in rows
    ]


async def active(
    conn: AsyncConnection, *, workspace_id: str, party_id: int | None = None
) -> list[SurveySchedule]:
    """A workspace's active schedules (of one party), oldest first."""
    where = [survey_schedules.c.workspace_id == workspace_id, survey_schedules.c.active.is_(True)]
    if party_id is not None:
        where.append(survey_schedules.c.party_id == party_id)
    return await _load(
        conn, sa.select(survey_schedules).where(*where).order_by(survey_schedules.c.id)
    )


async def due(conn: AsyncConnection, *, now: datetime, limit: int = 100) -> list[SurveySchedule]:
    """Active schedules whose next send is due."""
    return await _load(
        conn,
        sa.select(survey_schedules)
        .where(survey_schedules.c.active.is_(True), survey_schedules.c.next_at <= now)
        .order_by(survey_schedules.c.next_at, survey_schedules.c.id)
        .limit(limit),
    )


async def advance(conn: AsyncConnection, *, schedule_id: int, was: datetime, to: datetime) -> bool:
    """Move an active schedule's `next_at` from `was` to `to`; False if another tick or
    instance moved it first (or it was stopped): the occurrence is theirs."""
    result = await conn.execute(
        sa.update(survey_schedules)
        .where(
            survey_schedules.c.id == schedule_id,
            survey_schedules.c.active.is_(True),
            survey_schedules.c.next_at == was,
        )
        .values(next_at=to)
    )
    return result.rowcount == 1


async def stop(conn: AsyncConnection, *, schedule_id: int) -> bool:
    result = await conn.execute(
        sa.update(survey_schedules)
        .where(survey_schedules.c.id == schedule_id, survey_schedules.c.active.is_(True))
        .values(active=False)
    )
    return result.rowcount == 1
