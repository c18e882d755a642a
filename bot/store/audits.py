"""Supplier audits (S-n): scorecards with each version's dimensions, earlier versions, where a
version was posted, the supplier's comments and appeals, and the audit schedules.

A scorecard's row is its current version. Rating a published scorecard again begins the next
version (`new_version`): the published one is kept in `scorecard_versions` with its dimension
rows, and the new version starts from a copy of them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.audits import (
    Band,
    Dimension,
    DimensionScore,
    PostAudience,
    Remark,
    Scorecard,
    ScorecardPost,
    ScorecardStatus,
    ScorecardVersion,
)
from bot.store import parties as parties_repo
from bot.store.schema_audits import (
    scorecard_appeals,
    scorecard_comments,
    scorecard_dimensions,
    scorecard_posts,
    scorecard_versions,
    scorecards,
)

#: The counter kind that numbers scorecards (`counters.next_number`).
COUNTER_KIND = "scorecard"


def _dimension_rows(
    scorecard_id: int, version: int, dimensions: Sequence[DimensionScore]
) -> list[dict[str, Any]]:
    return [
        {
            "scorecard_id": scorecard_id,
            "version": version,
            "dimension": d.dimension.value,
            "score": d.score,
            "facts": json.dumps(d.facts, ensure_ascii=False, sort_keys=True),
            "weight": d.weight,
        }
        for d in dimensions
    ]


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    party_id: int,
    period_start: datetime,
    period_end: datetime,
    owner_id: str,
    now: datetime,
    created_by: str | None,
    dimensions: Sequence[DimensionScore],
    total: float | None,
    band: Band | None,
    schedule_id: int | None = None,
) -> int:
    """A new draft (version 1) with its dimensions; its id. A second draft of the same schedule
    and period breaks `uq_scorecards_schedule_period` (the caller checks `for_schedule` first
    inside the same transaction, or lets the other instance's draft win)."""
    result = await conn.execute(
        sa.insert(scorecards)
        .values(
            workspace_id=workspace_id,
            number=number,
            party_id=party_id,
            period_start=period_start,
            period_end=period_end,
            status=ScorecardStatus.DRAFT.value,
            version=1,
            owner_id=owner_id,
            created_at=now,
            created_by=created_by,
            total=total,
            band=band.value if band is not None else None,
            schedule_id=schedule_id,
        )
        .returning(scorecards.c.id)
    )
    scorecard_id = int(result.scalar_one())
    if dimensions:
        await conn.execute(
            sa.insert(scorecard_dimensions), _dimension_rows(scorecard_id, 1, dimensions)
        )
    return scorecard_id


async def set_dimensions(
    conn: AsyncConnection,
    *,
    scorecard_id: int,
    version: int,
    dimensions: Sequence[DimensionScore],
    total: float | None,
    band: Band | None,
) -> None:
    """Replace the given dimensions of one version (the others stay) and set the total."""
    names = [d.dimension.value for d in dimensions]
    await conn.execute(
        sa.delete(scorecard_dimensions).where(
            scorecard_dimensions.c.scorecard_id == scorecard_id,
            scorecard_dimensions.c.version == version,
            scorecard_dimensions.c.dimension.in_(names),
        )
    )
    if dimensions:
        await conn.execute(
            sa.insert(scorecard_dimensions), _dimension_rows(scorecard_id, version, dimensions)
        )
    await conn.execute(
        sa.update(scorecards)
        .where(scorecards.c.id == scorecard_id)
        .values(total=total, band=band.value if band is not None else None)
    )


async def set_rating(
    conn: AsyncConnection,
    *,
    scorecard_id: int,
    version: int,
    cooperation: int,
    notes: str | None,
    by: str,
    now: datetime,
) -> bool:
    """The auditor's rating of the current version, a draft; False if the scorecard is not a
    draft at that version any more (published, or a newer version begun)."""
    result = await conn.execute(
        sa.update(scorecards)
        .where(
            scorecards.c.id == scorecard_id,
            scorecards.c.version == version,
            scorecards.c.status == ScorecardStatus.DRAFT.value,
        )
        .values(cooperation=cooperation, notes=notes, rated_by=by, rated_at=now)
    )
    return result.rowcount == 1


async def publish(
    conn: AsyncConnection, *, scorecard_id: int, version: int, by: str, now: datetime
) -> bool:
    """Publish the current version, a rated draft; False if it is not one (any more)."""
    result = await conn.execute(
        sa.update(scorecards)
        .where(
            scorecards.c.id == scorecard_id,
            scorecards.c.version == version,
            scorecards.c.status == ScorecardStatus.DRAFT.value,
            scorecards.c.cooperation.is_not(None),
        )
        .values(status=ScorecardStatus.PUBLISHED.value, published_at=now, published_by=by)
    )
    return result.rowcount == 1


async def new_version(conn: AsyncConnection, *, scorecard_id: int, version: int) -> int | None:
    """Keep published `version` in `scorecard_versions` and begin version + 1 as a draft with a
    copy of its dimensions and its rating; the new version, or None if `version` is not the
    scorecard's current, published version."""
    row = (
        await conn.execute(
            sa.select(scorecards)
            .where(
                scorecards.c.id == scorecard_id,
                scorecards.c.version == version,
                scorecards.c.status == ScorecardStatus.PUBLISHED.value,
            )
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        return None
    await conn.execute(
        sa.insert(scorecard_versions).values(
            scorecard_id=scorecard_id,
            version=version,
            rated_at=row.rated_at,
            rated_by=row.rated_by,
            cooperation=row.cooperation,
            notes=row.notes,
            total=row.total,
            band=row.band,
            published_at=row.published_at,
            published_by=row.published_by,
        )
    )
    following = version + 1
    copied = sa.select(
        scorecard_dimensions.c.scorecard_id,
        sa.literal(following, sa.Integer),
        scorecard_dimensions.c.dimension,
        scorecard_dimensions.c.score,
        scorecard_dimensions.c.facts,
        scorecard_dimensions.c.weight,
    ).where(
        scorecard_dimensions.c.scorecard_id == scorecard_id,
        scorecard_dimensions.c.version == version,
    )
    await conn.execute(
        sa.insert(scorecard_dimensions).from_select(
            ["scorecard_id", "version", "dimension", "score", "facts", "weight"], copied
        )
    )
    await conn.execute(
        sa.update(scorecards)
        .where(scorecards.c.id == scorecard_id)
        .values(
            version=following,
            status=ScorecardStatus.DRAFT.value,
            published_at=None,
            published_by=None,
        )
    )
    return following


# --------------------------------------------------------------------------------------------
# Reading


def _score(r: Any) -> DimensionScore:
    return DimensionScore(
        dimension=Dimension(r.dimension), score=r.score, facts=json.loads(r.facts), weight=r.weight
    )


def _in_order(found: Sequence[DimensionScore]) -> tuple[DimensionScore, ...]:
    order = list(Dimension)
    return tuple(sorted(found, key=lambda d: order.index(d.dimension)))


async def _dimensions(
    conn: AsyncConnection, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], tuple[DimensionScore, ...]]:
    """Each (scorecard id, version)'s dimensions, in the contract's order."""
    if not keys:
        return {}
    ids = sorted({i for i, _ in keys})
    wanted = set(keys)
    rows = await conn.execute(
        sa.select(scorecard_dimensions).where(scorecard_dimensions.c.scorecard_id.in_(ids))
    )
    found: dict[tuple[int, int], list[DimensionScore]] = {}
    for r in rows:
        key = (r.scorecard_id, r.version)
        if key in wanted:
            found.setdefault(key, []).append(_score(r))
    return {key: _in_order(found.get(key, [])) for key in keys}


async def load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Scorecard]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows])
    dimensions = await _dimensions(conn, [(r.id, r.version) for r in rows])
    return [
        Scorecard(
            id=r.id,
            workspace_id=r.workspace_id,
            number=r.number,
            party=known[r.party_id],
            period_start=r.period_start,
            period_end=r.period_end,
            status=ScorecardStatus(r.status),
            version=r.version,
            owner_id=r.owner_id,
            created_at=r.created_at,
            created_by=r.created_by,
            rated_at=r.rated_at,
            rated_by=r.rated_by,
            cooperation=r.cooperation,
            notes=r.notes,
            total=r.total,
            band=Band(r.band) if r.band is not None else None,
            published_at=r.published_at,
            published_by=r.published_by,
            schedule_id=r.schedule_id,
            dimensions=dimensions[(r.id, r.version)],
        )
        for r in rows
    ]


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Scorecard | None:
    """S-n of a workspace."""
    found = await load(
        conn,
        sa.select(scorecards).where(
            scorecards.c.workspace_id == workspace_id, scorecards.c.number == number
        ),
    )
    return found[0] if found else None


async def by_id(conn: AsyncConnection, *, scorecard_id: int) -> Scorecard | None:
    found = await load(conn, sa.select(scorecards).where(scorecards.c.id == scorecard_id))
    return found[0] if found else None


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int | None = None,
    status: ScorecardStatus | None = None,
    limit: int,
) -> tuple[list[Scorecard], int]:
    """Newest first, filtered; and how many match in all."""
    where = [scorecards.c.workspace_id == workspace_id]
    if party_id is not None:
        where.append(scorecards.c.party_id == party_id)
    if status is not None:
        where.append(scorecards.c.status == status.value)
    page = await load(
        conn,
        sa.select(scorecards).where(*where).order_by(scorecards.c.number.desc()).limit(limit),
    )
    if len(page) < limit:
        return page, len(page)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(scorecards).where(*where))
    ).scalar_one()
    return page, int(total)


async def versions(conn: AsyncConnection, *, scorecard_id: int) -> list[ScorecardVersion]:
    """The earlier, published versions of a scorecard, oldest first, with their dimensions."""
    rows = (
        await conn.execute(
            sa.select(scorecard_versions)
            .where(scorecard_versions.c.scorecard_id == scorecard_id)
            .order_by(scorecard_versions.c.version)
        )
    ).all()
    dimensions = await _dimensions(conn, [(r.scorecard_id, r.version) for r in rows])
    return [
        ScorecardVersion(
            scorecard_id=r.scorecard_id,
            version=r.version,
            rated_at=r.rated_at,
            rated_by=r.rated_by,
            cooperation=r.cooperation,
            notes=r.notes,
            total=r.total,
            band=Band(r.band) if r.band is not None else None,
            published_at=r.published_at,
            published_by=r.published_by,
            dimensions=dimensions[(r.scorecard_id, r.version)],
        )
        for r in rows
    ]


async def in_batches(conn: AsyncConnection, *, size: int = 500) -> AsyncIterator[list[Scorecard]]:
    """Every scorecard of every workspace, oldest first, `size` at a time (for the export)."""
    after = 0
    while True:
        batch = await load(
            conn,
            sa.select(scorecards)
            .where(scorecards.c.id > after)
            .order_by(scorecards.c.id)
            .limit(size),
        )
        if not batch:
            return
        yield batch
        after = batch[-1].id


# --------------------------------------------------------------------------------------------
# Posts, comments and appeals

_ADD_POST = {
    name: dialect_insert(scorecard_posts).on_conflict_do_nothing(
        index_elements=[
            scorecard_posts.c.scorecard_id,
            scorecard_posts.c.version,
            scorecard_posts.c.channel_id,
        ]
    )
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def add_post(
    conn: AsyncConnection,
    *,
    scorecard_id: int,
    version: int,
    channel_id: str,
    ts: str,
    audience: PostAudience,
    now: datetime,
) -> bool:
    """Remember where a version was posted; False if that version was posted there already."""
    result = await conn.execute(
        _ADD_POST[conn.dialect.name].values(
            scorecard_id=scorecard_id,
            version=version,
            channel_id=channel_id,
            ts=ts,
            audience=audience.value,
            posted_at=now,
        )
    )
    return result.rowcount == 1


async def posts(
    conn: AsyncConnection, *, scorecard_id: int, version: int | None = None
) -> list[ScorecardPost]:
    """Where a scorecard (one version, or every one) was posted, in posting order."""
    where = [scorecard_posts.c.scorecard_id == scorecard_id]
    if version is not None:
        where.append(scorecard_posts.c.version == version)
    rows = await conn.execute(
        sa.select(scorecard_posts).where(*where).order_by(scorecard_posts.c.id)
    )
    return [
        ScorecardPost(
            scorecard_id=r.scorecard_id,
            version=r.version,
            channel_id=r.channel_id,
            ts=r.ts,
            audience=PostAudience(r.audience),
            posted_at=r.posted_at,
        )
        for r in rows
    ]


async def _add_remark(
    conn: AsyncConnection,
    table: sa.Table,
    *,
    scorecard_id: int,
    version: int,
    user_id: str,
    party_id: int | None,
    text: str,
    now: datetime,
) -> int:
    result = await conn.execute(
        sa.insert(table)
        .values(
            scorecard_id=scorecard_id,
            version=version,
            user_id=user_id,
            party_id=party_id,
            text=text,
            created_at=now,
        )
        .returning(table.c.id)
    )
    return int(result.scalar_one())


def _remark(r: Any) -> Remark:
    return Remark(
        id=r.id,
        scorecard_id=r.scorecard_id,
        version=r.version,
        user_id=r.user_id,
        party_id=r.party_id,
        text=r.text,
        created_at=r.created_at,
    )


async def _remarks(
    conn: AsyncConnection, table: sa.Table, *, scorecard_id: int, version: int | None
) -> list[Remark]:
    where = [table.c.scorecard_id == scorecard_id]
    if version is not None:
        where.append(table.c.version == version)
    rows = await conn.execute(sa.select(table).where(*where).order_by(table.c.id))
    return [_remark(r) for r in rows]


async def add_comment(
    conn: AsyncConnection,
    *,
    scorecard_id: int,
    version: int,
    user_id: str,
    party_id: int | None,
    text: str,
    now: datetime,
) -> int:
    """A comment on one version; its id."""
    return await _add_remark(
        conn,
        scorecard_comments,
        scorecard_id=scorecard_id,
        version=version,
        user_id=user_id,
        party_id=party_id,
        text=text,
        now=now,
    )


async def add_appeal(
    conn: AsyncConnection,
    *,
    scorecard_id: int,
    version: int,
    user_id: str,
    party_id: int | None,
    text: str,
    now: datetime,
) -> int:
    """An appeal against one version; its id."""
    return await _add_remark(
        conn,
        scorecard_appeals,
        scorecard_id=scorecard_id,
        version=version,
        user_id=user_id,
        party_id=party_id,
        text=text,
        now=now,
    )


async def comments(
    conn: AsyncConnection, *, scorecard_id: int, version: int | None = None
) -> list[Remark]:
    """The comments on a scorecard (one version, or every one), oldest first."""
    return await _remarks(conn, scorecard_comments, scorecard_id=scorecard_id, version=version)


async def appeals(
    conn: AsyncConnection, *, scorecard_id: int, version: int | None = None
) -> list[Remark]:
    """The appeals against a scorecard (one version, or every one), oldest first."""
    return await _remarks(conn, scorecard_appeals, scorecard_id=scorecard_id, version=version)


async def remarks_of(
    conn: AsyncConnection, *, scorecard_ids: Sequence[int]
) -> Mapping[int, tuple[list[Remark], list[Remark]]]:
    """(comments, appeals) of each of many scorecards (for the export's batches)."""
    out: dict[int, tuple[list[Remark], list[Remark]]] = {i: ([], []) for i in scorecard_ids}
    if not scorecard_ids:
        return out
    for index, table in enumerate((scorecard_comments, scorecard_appeals)):
        rows = await conn.execute(
            sa.select(table).where(table.c.scorecard_id.in_(scorecard_ids)).order_by(table.c.id)
        )
        for r in rows:
            out[r.scorecard_id][index].append(_remark(r))
    return out
