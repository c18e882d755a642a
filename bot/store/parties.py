"""Parties: the organisations Parley knows, with the Slack team each speaks from."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema import parties
from bot.workflows.models import Party, PartyKind


def _party(row: sa.Row[tuple[object, ...]]) -> Party:
    m = row._mapping
    return Party(id=m["id"], name=m["name"], kind=PartyKind(m["kind"]), slack_team=m["slack_team"])


async def by_team(conn: AsyncConnection, *, workspace_id: str, slack_team: str) -> Party | None:
    row = (
        await conn.execute(
            sa.select(parties).where(
                parties.c.workspace_id == workspace_id, parties.c.slack_team == slack_team
            )
        )
    ).first()
    return _party(row) if row else None


async def by_name(conn: AsyncConnection, *, workspace_id: str, name: str) -> Party | None:
    row = (
        await conn.execute(
            sa.select(parties).where(
                parties.c.workspace_id == workspace_id,
                sa.func.lower(parties.c.name) == name.lower(),
            )
        )
    ).first()
    return _party(row) if row else None


async def by_ids(conn: AsyncConnection, *, ids: Iterable[int]) -> dict[int, Party]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await conn.execute(sa.select(parties).where(parties.c.id.in_(wanted)))
    return {p.id: p for p in map(_party, rows)}


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    name: str,
    kind: PartyKind,
    slack_team: str | None,
    now: datetime,
) -> Party:
    result = await conn.execute(
        sa.insert(parties)
        .values(
            workspace_id=workspace_id,
            name=name,
            kind=kind.value,
            slack_team=slack_team,
            created_at=now,
        )
        .returning(parties.c.id)
    )
    return Party(id=result.scalar_one(), name=name, kind=kind, slack_team=slack_team)


async def update(
    conn: AsyncConnection, *, party_id: int, name: str, kind: PartyKind, slack_team: str | None
) -> None:
    await conn.execute(
        sa.update(parties)
        .where(parties.c.id == party_id)
        .values(name=name, kind=kind.value, slack_team=slack_team)
    )
