"""Parties: the organisations Parley knows, with the Slack team each speaks from."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.ladder import Status
from bot.domain.names import name_key
from bot.domain.parties import Party, PartyKind
from bot.store.prepared import Prepared
from bot.store.schema import dispute_parties, disputes, parties


def _party(row: sa.Row[tuple[object, ...]]) -> Party:
    m = row._mapping
    return Party(id=m["id"], name=m["name"], kind=PartyKind(m["kind"]), slack_team=m["slack_team"])


# Built once: a thread reply looks its author's party up by team every time.
_BY_TEAM = Prepared(
    sa.select(parties.c.id, parties.c.name, parties.c.kind, parties.c.slack_team).where(
        parties.c.workspace_id == sa.bindparam("workspace_id"),
        parties.c.slack_team == sa.bindparam("slack_team"),
    )
)


async def by_team(conn: AsyncConnection, *, workspace_id: str, slack_team: str) -> Party | None:
    params = {"workspace_id": workspace_id, "slack_team": slack_team}
    row = await _BY_TEAM.first(conn, params)
    if row is None:
        return None
    party_id, name, kind, team = row
    return Party(id=party_id, name=name, kind=PartyKind(kind), slack_team=team)


async def by_name(conn: AsyncConnection, *, workspace_id: str, name: str) -> Party | None:
    """The party whose name reads as `name` (case, width and lookalike letters aside)."""
    row = (
        await conn.execute(
            sa.select(parties).where(
                parties.c.workspace_id == workspace_id,
                parties.c.name_key == name_key(name),
            )
        )
    ).first()
    return _party(row) if row else None


_BY_IDS = Prepared(
    sa.select(parties.c.id, parties.c.name, parties.c.kind, parties.c.slack_team).where(
        parties.c.id.in_(sa.bindparam("ids", expanding=True))
    )
)


async def by_ids(conn: AsyncConnection, *, ids: Iterable[int]) -> dict[int, Party]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {
        party_id: Party(id=party_id, name=name, kind=PartyKind(kind), slack_team=team)
        for party_id, name, kind, team in await _BY_IDS.rows(conn, {"ids": wanted})
    }


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
            name_key=name_key(name),
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
        .values(name=name, name_key=name_key(name), kind=kind.value, slack_team=slack_team)
    )


async def in_workspace(conn: AsyncConnection, *, workspace_id: str) -> list[Party]:
    """Every party of the workspace, in no particular order (callers sort as people read)."""
    rows = await conn.execute(sa.select(parties).where(parties.c.workspace_id == workspace_id))
    return [_party(r) for r in rows]


async def with_open_disputes(
    conn: AsyncConnection, *, workspace_id: str
) -> list[tuple[Party, int]]:
    """Every party of the workspace with the number of open disputes it is in: one query."""
    open_links = (
        sa.select(
            dispute_parties.c.party_id.label("party_id"),
            sa.func.count().label("open_disputes"),
        )
        .join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
        .where(disputes.c.workspace_id == workspace_id, disputes.c.status == Status.OPEN.value)
        .group_by(dispute_parties.c.party_id)
        .subquery()
    )
    rows = await conn.execute(
        sa.select(parties, sa.func.coalesce(open_links.c.open_disputes, 0).label("open_count"))
        .outerjoin(open_links, open_links.c.party_id == parties.c.id)
        .where(parties.c.workspace_id == workspace_id)
    )
    return [(_party(r), int(r._mapping["open_count"])) for r in rows]


async def open_disputes(
    conn: AsyncConnection, *, party_id: int, limit: int
) -> tuple[list[tuple[int, str]], int]:
    """The party's open disputes as (number, title), newest first, and how many there are."""
    where = sa.and_(dispute_parties.c.party_id == party_id, disputes.c.status == Status.OPEN.value)
    joined = dispute_parties.join(disputes, disputes.c.id == dispute_parties.c.dispute_id)
    rows = await conn.execute(
        sa.select(disputes.c.number, disputes.c.title)
        .select_from(joined)
        .where(where)
        .order_by(disputes.c.number.desc())
        .limit(limit)
    )
    page = [(int(r.number), str(r.title)) for r in rows]
    if len(page) < limit:
        return page, len(page)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(joined).where(where))
    ).scalar_one()
    return page, int(total)
