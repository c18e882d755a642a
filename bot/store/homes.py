"""Who has opened the App Home (so whose Home is worth republishing after a change), and the
queries of what a person's Home lists that only the Home asks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.disputes import Dispute
from bot.domain.ladder import Status
from bot.store import disputes as disputes_repo
from bot.store.prepared import Prepared
from bot.store.schema import dispute_members, disputes, home_viewers


async def opened(conn: AsyncConnection, *, workspace_id: str, user_id: str, now: datetime) -> None:
    """Remember that this person has opened their Home (the first time counts)."""
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    await conn.execute(
        insert(home_viewers)
        .values(workspace_id=workspace_id, user_id=user_id, first_opened_at=now)
        .on_conflict_do_nothing(
            index_elements=[home_viewers.c.workspace_id, home_viewers.c.user_id]
        )
    )


async def viewers(conn: AsyncConnection, *, workspace_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` who have opened their Home."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    rows = await conn.execute(
        sa.select(home_viewers.c.user_id).where(
            home_viewers.c.workspace_id == workspace_id, home_viewers.c.user_id.in_(wanted)
        )
    )
    return {row.user_id for row in rows}


# ----------------------------------------------------------------- what a Home lists
#
# A person's Home reads only what it shows. Their open disputes come from two seeks of
# `ix_disputes_owner_due` (those they own with a deadline, soonest first, and those without
# one, newest first), each stopped at the page, and from the disputes they take part in but do
# not own (`ix_dispute_members_user`); the page is the first `limit` of these, in the order of
# `disputes.find(..., by_due=True)`, and the count is the two counts added up.

_WORKSPACE = sa.bindparam("workspace_id", type_=disputes.c.workspace_id.type)
_MEMBER = sa.bindparam("member", type_=disputes.c.owner_id.type)
_LIMIT = sa.bindparam("limit", type_=sa.Integer())
_OPEN = sa.and_(disputes.c.workspace_id == _WORKSPACE, disputes.c.status == Status.OPEN.value)
_TAKES_PART = disputes.c.id.in_(
    sa.select(dispute_members.c.dispute_id).where(dispute_members.c.user_id == _MEMBER)
)
_NOT_OWNED = sa.and_(_OPEN, disputes.c.owner_id != _MEMBER, _TAKES_PART)
_OWNED = sa.and_(_OPEN, disputes.c.owner_id == _MEMBER)
_DUE = (disputes.c.id, disputes.c.stage_due_at, disputes.c.number)


def _page_of(where: sa.ColumnElement[bool], *order: sa.ColumnElement[Any]) -> sa.Subquery:
    return sa.select(*_DUE).where(where).order_by(*order).limit(_LIMIT).subquery()


def _my_disputes_page() -> sa.Select[Any]:
    parts = [
        _page_of(
            sa.and_(_OWNED, disputes.c.stage_due_at.is_not(None)),
            disputes.c.stage_due_at.asc(),
            disputes.c.number.desc(),
        ),
        _page_of(sa.and_(_OWNED, disputes.c.stage_due_at.is_(None)), disputes.c.number.desc()),
        _page_of(
            _NOT_OWNED,
            disputes.c.stage_due_at.is_(None),
            disputes.c.stage_due_at.asc(),
            disputes.c.number.desc(),
        ),
    ]
    merged = sa.union_all(*(sa.select(*p.c) for p in parts)).subquery()
    return (
        sa.select(merged.c.id)
        .order_by(
            merged.c.stage_due_at.is_(None), merged.c.stage_due_at.asc(), merged.c.number.desc()
        )
        .limit(_LIMIT)
    )


def _count(where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.count()).select_from(disputes).where(where).scalar_subquery()


_MY_DISPUTES = Prepared(_my_disputes_page())
_MY_DISPUTES_COUNT = Prepared(sa.select(_count(_OWNED), _count(_NOT_OWNED)))


async def open_disputes(
    conn: AsyncConnection, *, workspace_id: str, member: str, limit: int
) -> tuple[list[Dispute], int]:
    """The open disputes `member` owns or takes part in, soonest deadline first (those with
    none last, newest first), at most `limit`, and how many there are: what
    `disputes.find(statuses=[OPEN], member=..., limit=..., by_due=True)` gives, read from the
    indexes without sorting every open dispute of theirs."""
    params = {"workspace_id": workspace_id, "member": member, "limit": limit}
    ids = [row[0] for row in await _MY_DISPUTES.rows(conn, params)]
    loaded = {d.id: d for d in await disputes_repo.by_ids(conn, ids=ids)}
    page = [loaded[i] for i in ids if i in loaded]
    if len(page) < limit:
        return page, len(page)
    owned, taking_part = await _MY_DISPUTES_COUNT.first(conn, params) or (0, 0)
    return page, int(owned) + int(taking_part)
