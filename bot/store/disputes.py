"""Disputes with their parties, members, threads and timeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import parties as parties_repo
from bot.store.schema import (
    dispute_members,
    dispute_parties,
    dispute_threads,
    disputes,
    parties,
    seen_events,
    timeline,
)
from bot.workflows.models import Dispute, Party, PartyKind, Stage, Status, TimelineEvent


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    title: str,
    channel_id: str,
    owner_id: str,
    stage: Stage,
    now: datetime,
    stage_due_at: datetime | None,
) -> int:
    result = await conn.execute(
        sa.insert(disputes)
        .values(
            workspace_id=workspace_id,
            number=number,
            title=title,
            status=Status.OPEN.value,
            stage=stage.value,
            channel_id=channel_id,
            owner_id=owner_id,
            opened_at=now,
            stage_started_at=now,
            stage_due_at=stage_due_at,
        )
        .returning(disputes.c.id)
    )
    return int(result.scalar_one())


async def _insert_once(conn: AsyncConnection, table: sa.Table, **values: object) -> bool:
    """Insert the row unless one with the same key is there; True if it was inserted."""
    key = [c for c in table.primary_key.columns]
    exists = (
        await conn.execute(sa.select(sa.literal(1)).where(*(c == values[c.name] for c in key)))
    ).first()
    if exists:
        return False
    await conn.execute(sa.insert(table).values(**values))
    return True


async def add_party(
    conn: AsyncConnection, *, dispute_id: int, party_id: int, now: datetime
) -> bool:
    """Bring a party into the dispute unless it is already in; True if it was added."""
    if await party_joined_at(conn, dispute_id=dispute_id, party_id=party_id) is not None:
        return False
    await conn.execute(
        _ADD_DISPUTE_PARTY, {"dispute_id": dispute_id, "party_id": party_id, "added_at": now}
    )
    return True


async def add_member(
    conn: AsyncConnection, *, dispute_id: int, user_id: str, party_id: int | None, now: datetime
) -> bool:
    """Add a person to the dispute unless they are already in; True if they were added."""
    return await _insert_once(
        conn,
        dispute_members,
        dispute_id=dispute_id,
        user_id=user_id,
        party_id=party_id,
        added_at=now,
    )


# The statements a thread reply runs, built once: building a Core statement and its cache
# key costs more than running it (measured ~150 µs against ~50 µs on the development machine),
# and a busy thread runs these hundreds of times a second.
_ADD_EVENT = sa.insert(timeline)
_SEE_EVENT = {
    name: insert(seen_events)
    .on_conflict_do_nothing(index_elements=[seen_events.c.event_id])
    .returning(seen_events.c.event_id)
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_THREAD_DISPUTE = sa.select(dispute_threads.c.dispute_id).where(
    dispute_threads.c.channel_id == sa.bindparam("channel_id"),
    dispute_threads.c.ts == sa.bindparam("ts"),
)
_MESSAGE_RECORDED = sa.select(sa.literal(1)).where(
    timeline.c.dispute_id == sa.bindparam("dispute_id"),
    timeline.c.channel_id == sa.bindparam("channel_id"),
    timeline.c.message_ts == sa.bindparam("ts"),
    timeline.c.kind == sa.bindparam("kind"),
)
_PARTY_JOINED = sa.select(dispute_parties.c.added_at, dispute_parties.c.first_reply_at).where(
    dispute_parties.c.dispute_id == sa.bindparam("dispute_id"),
    dispute_parties.c.party_id == sa.bindparam("party_id"),
)
_ADD_DISPUTE_PARTY = sa.insert(dispute_parties)
_SET_FIRST_REPLY = (
    sa.update(dispute_parties)
    .where(
        dispute_parties.c.dispute_id == sa.bindparam("b_dispute_id"),
        dispute_parties.c.party_id == sa.bindparam("b_party_id"),
        dispute_parties.c.first_reply_at.is_(None),
    )
    .values(first_reply_at=sa.bindparam("b_at"))
)


async def add_event(
    conn: AsyncConnection,
    *,
    dispute_id: int,
    kind: str,
    at: datetime,
    actor_id: str | None,
    party_id: int | None = None,
    text: str | None = None,
    stage: Stage | None = None,
    message: tuple[str, str] | None = None,
    previous_text: str | None = None,
    response: tuple[int, int] | None = None,
) -> None:
    """One event on the record. `message` is (channel, ts) of the Slack message it is about;
    `response` is (wall, working) seconds of a party's first reply."""
    await conn.execute(
        _ADD_EVENT,
        {
            "dispute_id": dispute_id,
            "kind": kind,
            "at": at,
            "actor_id": actor_id,
            "party_id": party_id,
            "text": text,
            "stage": stage.value if stage else None,
            "channel_id": message[0] if message else None,
            "message_ts": message[1] if message else None,
            "previous_text": previous_text,
            "response_wall_seconds": response[0] if response else None,
            "response_working_seconds": response[1] if response else None,
        },
    )


async def see_event(conn: AsyncConnection, *, event_id: str, now: datetime) -> bool:
    """Take a Slack event id; False if it was taken before (a retry or a repeat)."""
    result = await conn.execute(
        _SEE_EVENT[conn.dialect.name], {"event_id": event_id, "seen_at": now}
    )
    return result.first() is not None


async def thread_dispute(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> int | None:
    """The id of the dispute whose home or linked thread this is: one indexed lookup."""
    row = (await conn.execute(_THREAD_DISPUTE, {"channel_id": channel_id, "ts": thread_ts})).first()
    return int(row.dispute_id) if row else None


async def for_thread(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> Dispute | None:
    """The dispute whose home or linked thread this is."""
    row = (
        await conn.execute(
            sa.select(dispute_threads.c.dispute_id).where(
                dispute_threads.c.channel_id == channel_id, dispute_threads.c.ts == thread_ts
            )
        )
    ).first()
    if row is None:
        return None
    found = await _load(
        conn, sa.select(disputes).where(disputes.c.id == row.dispute_id), with_members=False
    )
    return found[0] if found else None


async def is_thread(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> bool:
    """Whether this is one of Parley's dispute threads: one indexed lookup."""
    return await thread_dispute(conn, channel_id=channel_id, thread_ts=thread_ts) is not None


async def message_recorded(
    conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str, kind: str
) -> bool:
    params = {"dispute_id": dispute_id, "channel_id": channel_id, "ts": ts, "kind": kind}
    return (await conn.execute(_MESSAGE_RECORDED, params)).first() is not None


async def party_joined_at(
    conn: AsyncConnection, *, dispute_id: int, party_id: int
) -> tuple[datetime, datetime | None] | None:
    """When the party was brought in, and when it first replied (None if not in the dispute)."""
    row = (
        await conn.execute(_PARTY_JOINED, {"dispute_id": dispute_id, "party_id": party_id})
    ).first()
    return (row.added_at, row.first_reply_at) if row else None


async def set_first_reply(
    conn: AsyncConnection, *, dispute_id: int, party_id: int, at: datetime
) -> bool:
    """Mark the party's first reply; False if another reply got there first."""
    result = await conn.execute(
        _SET_FIRST_REPLY, {"b_dispute_id": dispute_id, "b_party_id": party_id, "b_at": at}
    )
    return bool(result.rowcount)


async def move(
    conn: AsyncConnection,
    *,
    dispute_id: int,
    stage: Stage,
    status: Status,
    to_stage: Stage,
    to_status: Status,
    now: datetime,
    stage_due_at: datetime | None,
    resolution: str | None = None,
    legal_hold: bool = False,
) -> bool:
    """Move the dispute only if it is still where the caller saw it; False if it moved meanwhile."""
    values: dict[str, object] = {"stage": to_stage.value, "status": to_status.value}
    if to_stage is not stage:
        values.update(stage_started_at=now, stage_due_at=stage_due_at)
    if to_status is not Status.OPEN:
        values.update(closed_at=now, resolution=resolution)
    if legal_hold:
        values["legal_hold"] = True
    result = await conn.execute(
        sa.update(disputes)
        .where(
            disputes.c.id == dispute_id,
            disputes.c.stage == stage.value,
            disputes.c.status == status.value,
        )
        .values(**values)
    )
    return bool(result.rowcount)


async def overdue(conn: AsyncConnection, *, now: datetime, limit: int) -> list[Dispute]:
    """Open disputes past their stage's limit whose notice for this stage has not gone out."""
    stmt = (
        sa.select(disputes)
        .where(
            disputes.c.status == Status.OPEN.value,
            disputes.c.stage_due_at < now,
            disputes.c.overdue_stage.is_distinct_from(disputes.c.stage),
        )
        .order_by(disputes.c.stage_due_at)
        .limit(limit)
    )
    return await _load(conn, stmt)


async def claim_overdue(conn: AsyncConnection, *, dispute_id: int, stage: Stage) -> bool:
    """Mark this stage's overdue notice as ours; False if it was already claimed or moved."""
    result = await conn.execute(
        sa.update(disputes)
        .where(
            disputes.c.id == dispute_id,
            disputes.c.stage == stage.value,
            disputes.c.status == Status.OPEN.value,
            disputes.c.overdue_stage.is_distinct_from(stage.value),
        )
        .values(overdue_stage=stage.value)
    )
    return bool(result.rowcount)


async def set_root(conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str) -> None:
    """Remember the card's message: it is the dispute's home thread."""
    await conn.execute(sa.update(disputes).where(disputes.c.id == dispute_id).values(root_ts=ts))
    await add_thread(conn, dispute_id=dispute_id, channel_id=channel_id, ts=ts, kind="home")


async def add_thread(
    conn: AsyncConnection, *, dispute_id: int, channel_id: str, ts: str, kind: str
) -> None:
    await conn.execute(
        sa.insert(dispute_threads).values(
            channel_id=channel_id, ts=ts, dispute_id=dispute_id, kind=kind
        )
    )


async def threads(conn: AsyncConnection, *, dispute_id: int) -> list[tuple[str, str, str]]:
    """The dispute's threads as (channel, ts, kind), home first."""
    rows = await conn.execute(
        sa.select(dispute_threads.c.channel_id, dispute_threads.c.ts, dispute_threads.c.kind)
        .where(dispute_threads.c.dispute_id == dispute_id)
        .order_by(dispute_threads.c.kind.desc(), dispute_threads.c.ts)
    )
    return [(r.channel_id, r.ts, r.kind) for r in rows]


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Dispute | None:
    rows = await _load(
        conn,
        sa.select(disputes).where(
            disputes.c.workspace_id == workspace_id, disputes.c.number == number
        ),
    )
    return rows[0] if rows else None


async def get_by_id(conn: AsyncConnection, *, dispute_id: int) -> Dispute | None:
    rows = await _load(conn, sa.select(disputes).where(disputes.c.id == dispute_id))
    return rows[0] if rows else None


def matching(
    *,
    workspace_id: str,
    statuses: Sequence[Status] | None,
    member: str | None,
    due_before: datetime | None,
    team_ids: frozenset[str] | None,
    due_from: datetime | None = None,
) -> sa.ColumnElement[bool]:
    """The disputes of a workspace narrowed by status, involvement, due time or parties' teams."""
    conditions: list[sa.ColumnElement[bool]] = [disputes.c.workspace_id == workspace_id]
    if statuses is not None:
        conditions.append(disputes.c.status.in_([s.value for s in statuses]))
    if member is not None:
        involved = sa.select(dispute_members.c.dispute_id).where(
            dispute_members.c.user_id == member
        )
        conditions.append(sa.or_(disputes.c.owner_id == member, disputes.c.id.in_(involved)))
    if due_before is not None:
        conditions.append(disputes.c.stage_due_at < due_before)
    if due_from is not None:
        conditions.append(
            sa.or_(disputes.c.stage_due_at.is_(None), disputes.c.stage_due_at >= due_from)
        )
    if team_ids is not None:
        with_team = (
            sa.select(dispute_parties.c.dispute_id)
            .join(parties, parties.c.id == dispute_parties.c.party_id)
            .where(parties.c.slack_team.in_(sorted(team_ids)))
        )
        conditions.append(disputes.c.id.in_(with_team))
    return sa.and_(*conditions)


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    statuses: Sequence[Status] | None = None,
    member: str | None = None,
    due_before: datetime | None = None,
    team_ids: frozenset[str] | None = None,
    limit: int | None = None,
    by_due: bool = False,
    due_from: datetime | None = None,
) -> tuple[list[Dispute], int]:
    """Disputes newest first, narrowed by status, involvement, due time or parties' teams,
    with the number of all that match (the page may be shorter)."""
    where = matching(
        due_from=due_from,
        workspace_id=workspace_id,
        statuses=statuses,
        member=member,
        due_before=due_before,
        team_ids=team_ids,
    )
    order: list[sa.ColumnElement[Any]] = []
    if by_due:
        # Soonest deadline first (so the overdue come first), those with none last. Past a
        # deadline every one has one: ordered by it alone, the (status, due) index gives the
        # order, instead of sorting every overdue dispute to show the first few.
        if due_before is None:
            order.append(disputes.c.stage_due_at.is_(None))
        order.append(disputes.c.stage_due_at.asc())
    stmt = sa.select(disputes).where(where).order_by(*order, disputes.c.number.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    found = await _load(conn, stmt, with_members=False)
    if limit is None or len(found) < limit:
        return found, len(found)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(disputes).where(where))
    ).scalar_one()
    return found, int(total)


async def by_ids(conn: AsyncConnection, *, ids: Sequence[int]) -> list[Dispute]:
    """These disputes (without their members), in no particular order."""
    if not ids:
        return []
    return await _load(
        conn, sa.select(disputes).where(disputes.c.id.in_(list(ids))), with_members=False
    )


async def count(conn: AsyncConnection, *, workspace_id: str) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(disputes)
        .where(disputes.c.workspace_id == workspace_id)
    )
    return int((await conn.execute(stmt)).scalar_one())


def _timeline_event(row: sa.Row[tuple[object, ...]], names: dict[int, Party]) -> TimelineEvent:
    m = row._mapping
    return TimelineEvent(
        kind=m["kind"],
        at=m["at"],
        actor_id=m["actor_id"],
        party=names[m["party_id"]].name if m["party_id"] else None,
        text=m["text"],
        stage=Stage(m["stage"]) if m["stage"] else None,
        channel_id=m["channel_id"],
        message_ts=m["message_ts"],
        previous_text=m["previous_text"],
        response_wall_seconds=m["response_wall_seconds"],
        response_working_seconds=m["response_working_seconds"],
    )


async def _timeline(
    conn: AsyncConnection, where: sa.ColumnElement[bool] | None = None
) -> list[tuple[int, TimelineEvent]]:
    stmt = sa.select(timeline).order_by(timeline.c.dispute_id, timeline.c.id)
    if where is not None:
        stmt = stmt.where(where)
    rows = (await conn.execute(stmt)).all()
    names = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows if r.party_id])
    return [(r.dispute_id, _timeline_event(r, names)) for r in rows]


async def events(conn: AsyncConnection, *, dispute_id: int) -> list[TimelineEvent]:
    """The dispute's timeline, oldest first."""
    return [e for _, e in await _timeline(conn, timeline.c.dispute_id == dispute_id)]


async def _load(
    conn: AsyncConnection, stmt: sa.Select[tuple[object, ...]], *, with_members: bool = True
) -> list[Dispute]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    # One query for the parties of every dispute on the page (not one per dispute).
    party_rows = (
        await conn.execute(
            sa.select(dispute_parties.c.dispute_id, parties)
            .join(parties, parties.c.id == dispute_parties.c.party_id)
            .where(dispute_parties.c.dispute_id.in_(ids))
            .order_by(dispute_parties.c.added_at, dispute_parties.c.party_id)
        )
    ).all()
    member_rows = (
        (
            await conn.execute(
                sa.select(dispute_members.c.dispute_id, dispute_members.c.user_id)
                .where(dispute_members.c.dispute_id.in_(ids))
                .order_by(dispute_members.c.added_at, dispute_members.c.user_id)
            )
        ).all()
        if with_members
        else []
    )
    by_dispute: dict[int, list[Party]] = defaultdict(list)
    for r in party_rows:
        by_dispute[r.dispute_id].append(
            Party(id=r.id, name=r.name, kind=PartyKind(r.kind), slack_team=r.slack_team)
        )
    members: dict[int, list[str]] = defaultdict(list)
    for r in member_rows:
        members[r.dispute_id].append(r.user_id)
    return [
        Dispute(
            id=r.id,
            workspace_id=r.workspace_id,
            number=r.number,
            title=r.title,
            status=Status(r.status),
            stage=Stage(r.stage),
            channel_id=r.channel_id,
            root_ts=r.root_ts,
            owner_id=r.owner_id,
            opened_at=r.opened_at,
            stage_started_at=r.stage_started_at,
            stage_due_at=r.stage_due_at,
            resolution=r.resolution,
            closed_at=r.closed_at,
            legal_hold=bool(r.legal_hold),
            parties=tuple(by_dispute[r.id]),
            members=tuple(members[r.id]),
        )
        for r in rows
    ]


async def everything(conn: AsyncConnection) -> list[tuple[Dispute, list[TimelineEvent]]]:
    """Every dispute of every workspace with its timeline, for the export (oldest first)."""
    everyone = sa.select(disputes).order_by(disputes.c.workspace_id, disputes.c.number)
    found = await _load(conn, everyone)
    if not found:
        return []
    by_dispute: dict[int, list[TimelineEvent]] = defaultdict(list)
    for dispute_id, event in await _timeline(conn):
        by_dispute[dispute_id].append(event)
    return [(d, by_dispute[d.id]) for d in found]
