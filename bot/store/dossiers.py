"""What a dossier reads and what its files left behind: the timeline page by page (a
dispute may hold thousands of events), each party's first reply, and the uploads table
(the ids of files one notice sent, for a retried delivery not to send them twice)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.disputes import TimelineEvent
from bot.domain.dossiers import Upload
from bot.domain.timeline import TimelineKind
from bot.store import disputes_timeline as timeline_repo
from bot.store.schema import timeline, uploads


async def last_event_id(conn: AsyncConnection, *, dispute_id: int) -> int:
    """The id of the dispute's latest event (0 for none): where a dossier's reading stops,
    so what is recorded while it is written waits for the next one."""
    found = await conn.scalar(
        sa.select(sa.func.max(timeline.c.id)).where(timeline.c.dispute_id == dispute_id)
    )
    return int(found or 0)


async def event_hash(conn: AsyncConnection, *, event_id: int) -> str | None:
    """The record chain's hash of one event (None for no event): the dossier's last."""
    found = await conn.scalar(sa.select(timeline.c.hash).where(timeline.c.id == event_id))
    return str(found) if found is not None else None


async def event_ids(
    conn: AsyncConnection, *, dispute_id: int, after_id: int, up_to_id: int, limit: int
) -> list[int]:
    """The next `limit` event ids of the dispute after `after_id`, oldest first."""
    rows = await conn.execute(
        sa.select(timeline.c.id)
        .where(
            timeline.c.dispute_id == dispute_id,
            timeline.c.id > after_id,
            timeline.c.id <= up_to_id,
        )
        .order_by(timeline.c.id)
        .limit(limit)
    )
    return [int(r[0]) for r in rows]


async def events_of(conn: AsyncConnection, *, ids: Sequence[int]) -> list[TimelineEvent]:
    """These events, oldest first, with their parties' names."""
    if not ids:
        return []
    return [e for _, e in await timeline_repo.events_where(conn, timeline.c.id.in_(list(ids)))]


async def first_replies(conn: AsyncConnection, *, dispute_id: int) -> list[TimelineEvent]:
    """The replies that carry a response clock (each party's first), oldest first."""
    where = sa.and_(
        timeline.c.dispute_id == dispute_id,
        timeline.c.kind == TimelineKind.REPLY.value,
        timeline.c.response_wall_seconds.is_not(None),
    )
    return [e for _, e in await timeline_repo.events_where(conn, where)]


def _upload(row: sa.Row[tuple[object, ...]]) -> Upload:
    m = row._mapping
    return Upload(
        outbox_id=m["outbox_id"],
        channel_id=m["channel_id"],
        file_ids=tuple(str(m["file_ids"]).split(",")),
        uploaded_at=m["uploaded_at"],
        shared_at=m["shared_at"],
    )


async def upload_of(conn: AsyncConnection, *, outbox_id: int) -> Upload | None:
    row = (await conn.execute(sa.select(uploads).where(uploads.c.outbox_id == outbox_id))).first()
    return None if row is None else _upload(row)


async def record_upload(
    conn: AsyncConnection,
    *,
    outbox_id: int,
    channel_id: str,
    file_ids: Sequence[str],
    now: datetime,
) -> None:
    """The files a notice uploaded, not shared yet (an earlier try's files are replaced)."""
    await conn.execute(sa.delete(uploads).where(uploads.c.outbox_id == outbox_id))
    await conn.execute(
        sa.insert(uploads).values(
            outbox_id=outbox_id,
            channel_id=channel_id,
            file_ids=",".join(file_ids),
            uploaded_at=now,
            shared_at=None,
        )
    )


async def mark_shared(conn: AsyncConnection, *, outbox_id: int, now: datetime) -> None:
    await conn.execute(
        sa.update(uploads).where(uploads.c.outbox_id == outbox_id).values(shared_at=now)
    )


async def event_count(conn: AsyncConnection, *, dispute_id: int, up_to_id: int) -> int:
    found = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(timeline)
        .where(timeline.c.dispute_id == dispute_id, timeline.c.id <= up_to_id)
    )
    return int(found or 0)
