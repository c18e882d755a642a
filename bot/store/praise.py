"""Praise (P-n) and the people each praises."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.praise import Praise, PraiseSource
from bot.store import parties as parties_repo
from bot.store.schema_praise import praise, praise_people


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    praiser_id: str,
    praiser_internal: bool,
    party_id: int | None,
    praised: Sequence[str],
    text: str,
    recorded_by: str,
    channel_id: str,
    source: PraiseSource,
    now: datetime,
) -> int:
    """A new praise with its people; its id."""
    result = await conn.execute(
        sa.insert(praise)
        .values(
            workspace_id=workspace_id,
            number=number,
            praiser_id=praiser_id,
            praiser_internal=praiser_internal,
            party_id=party_id,
            text=text,
            at=now,
            recorded_by=recorded_by,
            channel_id=channel_id,
            source=source.value,
        )
        .returning(praise.c.id)
    )
    praise_id = int(result.scalar_one())
    await conn.execute(
        sa.insert(praise_people),
        [
            {"praise_id": praise_id, "user_id": user_id, "position": i}
            for i, user_id in enumerate(praised)
        ],
    )
    return praise_id


async def set_post(conn: AsyncConnection, *, praise_id: int, channel_id: str, ts: str) -> None:
    """Remember its post in the praise channel."""
    await conn.execute(
        sa.update(praise)
        .where(praise.c.id == praise_id)
        .values(posted_channel=channel_id, posted_ts=ts)
    )


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Praise]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    people: dict[int, list[str]] = {i: [] for i in ids}
    found = await conn.execute(
        sa.select(praise_people.c.praise_id, praise_people.c.user_id)
        .where(praise_people.c.praise_id.in_(ids))
        .order_by(praise_people.c.praise_id, praise_people.c.position)
    )
    for praise_id, user_id in found:
        people[praise_id].append(user_id)
    known = await parties_repo.by_ids(
        conn, ids=[r.party_id for r in rows if r.party_id is not None]
    )
    return [
        Praise(
            id=r.id,
            workspace_id=r.workspace_id,
            number=r.number,
            praiser_id=r.praiser_id,
            praiser_internal=bool(r.praiser_internal),
            party=known[r.party_id] if r.party_id is not None else None,
            praised=tuple(people[r.id]),
            text=r.text,
            at=r.at,
            recorded_by=r.recorded_by,
            channel_id=r.channel_id,
            source=PraiseSource(r.source),
            posted_channel=r.posted_channel,
            posted_ts=r.posted_ts,
        )
        for r in rows
    ]


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Praise | None:
    found = await _load(
        conn,
        sa.select(praise).where(praise.c.workspace_id == workspace_id, praise.c.number == number),
    )
    return found[0] if found else None


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    person: str | None = None,
    party_id: int | None = None,
    limit: int,
) -> tuple[list[Praise], int]:
    """Newest first: all of them, those praising one person, or those from one party; and
    how many there are in all."""
    where = [praise.c.workspace_id == workspace_id]
    if person is not None:
        where.append(
            praise.c.id.in_(
                sa.select(praise_people.c.praise_id).where(praise_people.c.user_id == person)
            )
        )
    if party_id is not None:
        where.append(praise.c.party_id == party_id)
    page = await _load(
        conn, sa.select(praise).where(*where).order_by(praise.c.number.desc()).limit(limit)
    )
    if len(page) < limit:
        return page, len(page)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(praise).where(*where))
    ).scalar_one()
    return page, int(total)


async def in_batches(conn: AsyncConnection, *, size: int = 500) -> AsyncIterator[list[Praise]]:
    """Every praise of every workspace, oldest first, `size` at a time (for the export)."""
    after = 0
    while True:
        batch = await _load(
            conn,
            sa.select(praise).where(praise.c.id > after).order_by(praise.c.id).limit(size),
        )
        if not batch:
            return
        yield batch
        after = batch[-1].id
