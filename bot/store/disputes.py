"""Disputes with their parties and members: the rows, their moves, and the queries that find
and load them.

A dispute's timeline, its threads and the statements a thread reply runs are
`bot/store/disputes_timeline.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.disputes import Dispute, TimelineEvent
from bot.domain.ladder import Stage, Status
from bot.domain.parties import Party, PartyKind
from bot.store import disputes_timeline as timeline_repo
from bot.store.prepared import Prepared, Row, column_params
from bot.store.schema import (
    dispute_members,
    dispute_parties,
    disputes,
    parties,
    timeline,
)

# The columns a Dispute is read from, in the order `_dispute` unpacks them.
_DISPUTE_COLUMNS = (
    disputes.c.id,
    disputes.c.workspace_id,
    disputes.c.number,
    disputes.c.title,
    disputes.c.status,
    disputes.c.stage,
    disputes.c.channel_id,
    disputes.c.root_ts,
    disputes.c.owner_id,
    disputes.c.opened_at,
    disputes.c.stage_started_at,
    disputes.c.stage_due_at,
    disputes.c.resolution,
    disputes.c.closed_at,
    disputes.c.legal_hold,
    disputes.c.chain_head,
)
_INSERT = Prepared(
    sa.insert(disputes)
    .values(
        column_params(
            disputes,
            "workspace_id",
            "number",
            "title",
            "status",
            "stage",
            "channel_id",
            "owner_id",
            "opened_at",
            "stage_started_at",
            "stage_due_at",
        )
    )
    .returning(disputes.c.id)
)


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
    dispute_id = await _INSERT.scalar(
        conn,
        {
            "workspace_id": workspace_id,
            "number": number,
            "title": title,
            "status": Status.OPEN.value,
            "stage": stage.value,
            "channel_id": channel_id,
            "owner_id": owner_id,
            "opened_at": now,
            "stage_started_at": now,
            "stage_due_at": stage_due_at,
        },
    )
    return int(dispute_id)


async def add_party(
    conn: AsyncConnection, *, dispute_id: int, party_id: int, now: datetime
) -> bool:
    """Bring a party into the dispute unless it is already in; True if it was added."""
    if await party_joined_at(conn, dispute_id=dispute_id, party_id=party_id) is not None:
        return False
    await _ADD_DISPUTE_PARTY.execute(
        conn, {"dispute_id": dispute_id, "party_id": party_id, "added_at": now}
    )
    return True


_MEMBER_IN = Prepared(
    sa.select(sa.literal(1)).where(
        dispute_members.c.dispute_id == sa.bindparam("dispute_id"),
        dispute_members.c.user_id == sa.bindparam("user_id"),
    )
)
_ADD_MEMBER = Prepared(
    sa.insert(dispute_members).values(
        column_params(dispute_members, "dispute_id", "user_id", "party_id", "added_at")
    )
)


async def add_member(
    conn: AsyncConnection, *, dispute_id: int, user_id: str, party_id: int | None, now: datetime
) -> bool:
    """Add a person to the dispute unless they are already in; True if they were added."""
    params = {"dispute_id": dispute_id, "user_id": user_id}
    if await _MEMBER_IN.first(conn, params) is not None:
        return False
    await _ADD_MEMBER.execute(conn, {**params, "party_id": party_id, "added_at": now})
    return True


# Run by every party's reply too: prepared like the thread statements in disputes_timeline.
_PARTY_JOINED = Prepared(
    sa.select(dispute_parties.c.added_at, dispute_parties.c.first_reply_at).where(
        dispute_parties.c.dispute_id == sa.bindparam("dispute_id"),
        dispute_parties.c.party_id == sa.bindparam("party_id"),
    )
)
_ADD_DISPUTE_PARTY = Prepared(
    sa.insert(dispute_parties).values(
        column_params(dispute_parties, "dispute_id", "party_id", "added_at")
    )
)
_SET_FIRST_REPLY = Prepared(
    sa.update(dispute_parties)
    .where(
        dispute_parties.c.dispute_id == sa.bindparam("b_dispute_id"),
        dispute_parties.c.party_id == sa.bindparam("b_party_id"),
        dispute_parties.c.first_reply_at.is_(None),
    )
    .values(first_reply_at=sa.bindparam("b_at"))
)


async def for_thread(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> Dispute | None:
    """The dispute whose home or linked thread this is."""
    dispute_id = await timeline_repo.thread_dispute(
        conn, channel_id=channel_id, thread_ts=thread_ts
    )
    if dispute_id is None:
        return None
    found = await _load(conn, await _BY_ID.rows(conn, {"id": dispute_id}), with_members=False)
    return found[0] if found else None


async def party_joined_at(
    conn: AsyncConnection, *, dispute_id: int, party_id: int
) -> tuple[datetime, datetime | None] | None:
    """When the party was brought in, and when it first replied (None if not in the dispute)."""
    row = await _PARTY_JOINED.first(conn, {"dispute_id": dispute_id, "party_id": party_id})
    if row is None:
        return None
    added_at, first_reply_at = row
    return added_at, first_reply_at


async def set_first_reply(
    conn: AsyncConnection, *, dispute_id: int, party_id: int, at: datetime
) -> bool:
    """Mark the party's first reply; False if another reply got there first."""
    changed = await _SET_FIRST_REPLY.execute(
        conn, {"b_dispute_id": dispute_id, "b_party_id": party_id, "b_at": at}
    )
    return bool(changed)


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
    restart_clock: bool,
    resolution: str | None = None,
    legal_hold: bool = False,
) -> bool:
    """Move the dispute only if it is still where the caller saw it; False if it moved meanwhile.

    `restart_clock` (the ladder's `Transition.restarts_clock`) starts the stage's clock again
    from `now` to `stage_due_at` and clears its overdue marker; a dispute that comes back open
    loses its closing time and resolution (the record keeps them as events)."""
    values: dict[str, object] = {"stage": to_stage.value, "status": to_status.value}
    if restart_clock:
        values.update(stage_started_at=now, stage_due_at=stage_due_at, overdue_stage=None)
    if to_status is not Status.OPEN:
        values.update(closed_at=now, resolution=resolution)
    elif status is not Status.OPEN:
        values.update(closed_at=None, resolution=None)
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
        sa.select(*_DISPUTE_COLUMNS)
        .where(
            disputes.c.status == Status.OPEN.value,
            disputes.c.stage_due_at < now,
            disputes.c.overdue_stage.is_distinct_from(disputes.c.stage),
        )
        .order_by(disputes.c.stage_due_at)
        .limit(limit)
    )
    return await _load(conn, await _rows(conn, stmt))


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


_BY_NUMBER = Prepared(
    sa.select(*_DISPUTE_COLUMNS).where(
        disputes.c.workspace_id == sa.bindparam("workspace_id"),
        disputes.c.number == sa.bindparam("number"),
    )
)
_BY_ID = Prepared(sa.select(*_DISPUTE_COLUMNS).where(disputes.c.id == sa.bindparam("id")))
_BY_IDS = Prepared(
    sa.select(*_DISPUTE_COLUMNS).where(disputes.c.id.in_(sa.bindparam("ids", expanding=True)))
)


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Dispute | None:
    params = {"workspace_id": workspace_id, "number": number}
    found = await _load(conn, await _BY_NUMBER.rows(conn, params))
    return found[0] if found else None


async def get_by_id(conn: AsyncConnection, *, dispute_id: int) -> Dispute | None:
    found = await _load(conn, await _BY_ID.rows(conn, {"id": dispute_id}))
    return found[0] if found else None


def narrowed(
    *,
    statuses: bool,
    member: bool,
    due_before: bool,
    team_ids: bool,
    due_from: bool,
    undated: bool = False,
) -> sa.ColumnElement[bool]:
    """The disputes of a workspace narrowed by status, involvement, due time (or none) or
    parties' teams, with a parameter for each (see `narrowing`): those asked for are in the
    condition."""
    conditions: list[sa.ColumnElement[bool]] = [
        disputes.c.workspace_id == sa.bindparam("workspace_id")
    ]
    if statuses:
        conditions.append(disputes.c.status.in_(sa.bindparam("statuses", expanding=True)))
    if member:
        involved = sa.select(dispute_members.c.dispute_id).where(
            dispute_members.c.user_id == sa.bindparam("member")
        )
        conditions.append(
            sa.or_(disputes.c.owner_id == sa.bindparam("member"), disputes.c.id.in_(involved))
        )
    if due_before:
        conditions.append(disputes.c.stage_due_at < sa.bindparam("due_before"))
    if due_from:
        conditions.append(disputes.c.stage_due_at >= sa.bindparam("due_from"))
    if undated:
        conditions.append(disputes.c.stage_due_at.is_(None))
    if team_ids:
        with_team = (
            sa.select(dispute_parties.c.dispute_id)
            .join(parties, parties.c.id == dispute_parties.c.party_id)
            .where(parties.c.slack_team.in_(sa.bindparam("team_ids", expanding=True)))
        )
        conditions.append(disputes.c.id.in_(with_team))
    return sa.and_(*conditions)


def narrowing(
    *,
    workspace_id: str,
    statuses: Sequence[Status] | None,
    member: str | None,
    due_before: datetime | None,
    team_ids: frozenset[str] | None,
    due_from: datetime | None,
) -> dict[str, Any]:
    """The parameters of `narrowed` for these values."""
    return {
        "workspace_id": workspace_id,
        "statuses": [s.value for s in statuses] if statuses is not None else None,
        "member": member,
        "due_before": due_before,
        "team_ids": sorted(team_ids) if team_ids is not None else None,
        "due_from": due_from,
    }


# find()'s page and count statements, by which narrowings, order and limit they have.
_FIND: dict[tuple[bool, ...], tuple[Prepared, Prepared]] = {}


def _find_statements(
    *,
    statuses: bool,
    member: bool,
    due_before: bool,
    team_ids: bool,
    due_from: bool,
    limit: bool,
    by_due: bool,
    undated: bool,
) -> tuple[Prepared, Prepared]:
    key = (statuses, member, due_before, team_ids, due_from, limit, by_due, undated)
    found = _FIND.get(key)
    if found is not None:
        return found
    where = narrowed(
        statuses=statuses,
        member=member,
        due_before=due_before,
        team_ids=team_ids,
        due_from=due_from,
        undated=undated,
    )
    order: list[sa.ColumnElement[Any]] = []
    if by_due:
        # Soonest deadline first (so the overdue come first), those with none last. Past a
        # deadline (or before one, or without) they all have one or none: ordered by it
        # alone, the (workspace, status, due) index gives the order, instead of sorting every
        # open dispute to show the first few.
        if not (due_before or due_from or undated):
            order.append(disputes.c.stage_due_at.is_(None))
        order.append(disputes.c.stage_due_at.asc())
    page = sa.select(*_DISPUTE_COLUMNS).where(where).order_by(*order, disputes.c.number.desc())
    if limit:
        page = page.limit(sa.bindparam("limit", type_=sa.Integer()))
    total = sa.select(sa.func.count()).select_from(disputes).where(where)
    found = _FIND[key] = (Prepared(page), Prepared(total))
    return found


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
    undated: bool = False,
) -> tuple[list[Dispute], int]:
    """Disputes newest first, narrowed by status, involvement, due time (before `due_before`,
    at or after `due_from`, or none: `undated`) or parties' teams, with the number of all
    that match (the page may be shorter)."""
    page, total = _find_statements(
        statuses=statuses is not None,
        member=member is not None,
        due_before=due_before is not None,
        team_ids=team_ids is not None,
        due_from=due_from is not None,
        limit=limit is not None,
        by_due=by_due,
        undated=undated,
    )
    params = narrowing(
        workspace_id=workspace_id,
        statuses=statuses,
        member=member,
        due_before=due_before,
        team_ids=team_ids,
        due_from=due_from,
    )
    params["limit"] = limit
    found = await _load(conn, await page.rows(conn, params), with_members=False)
    if limit is None or len(found) < limit:
        return found, len(found)
    return found, int(await total.scalar(conn, params))


async def by_ids(conn: AsyncConnection, *, ids: Sequence[int]) -> list[Dispute]:
    """These disputes (without their members), in no particular order."""
    if not ids:
        return []
    return await _load(conn, await _BY_IDS.rows(conn, {"ids": list(ids)}), with_members=False)


async def count(conn: AsyncConnection, *, workspace_id: str) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(disputes)
        .where(disputes.c.workspace_id == workspace_id)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def _rows(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Row]:
    """A statement built for one call (not prepared), its rows as tuples."""
    return [tuple(r) for r in await conn.execute(stmt)]


# The parties (and members) of the disputes being loaded: one query for all of them.
_PARTIES_OF = Prepared(
    sa.select(
        dispute_parties.c.dispute_id,
        parties.c.id,
        parties.c.name,
        parties.c.kind,
        parties.c.slack_team,
    )
    .join(parties, parties.c.id == dispute_parties.c.party_id)
    .where(dispute_parties.c.dispute_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(dispute_parties.c.added_at, dispute_parties.c.party_id)
)
_MEMBERS_OF = Prepared(
    sa.select(dispute_members.c.dispute_id, dispute_members.c.user_id)
    .where(dispute_members.c.dispute_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(dispute_members.c.added_at, dispute_members.c.user_id)
)


async def _load(
    conn: AsyncConnection, rows: Sequence[Row], *, with_members: bool = True
) -> list[Dispute]:
    """Disputes from rows of `_DISPUTE_COLUMNS`, with their parties (and members)."""
    if not rows:
        return []
    ids = {"ids": [row[0] for row in rows]}
    by_dispute: dict[int, list[Party]] = defaultdict(list)
    known: dict[int, Party] = {}  # records are immutable: one of each party, shared
    for dispute_id, party_id, name, kind, slack_team in await _PARTIES_OF.rows(conn, ids):
        party = known.get(party_id)
        if party is None:
            party = known[party_id] = Party(
                id=party_id, name=name, kind=PartyKind(kind), slack_team=slack_team
            )
        by_dispute[dispute_id].append(party)
    members: dict[int, list[str]] = defaultdict(list)
    if with_members:
        for dispute_id, user_id in await _MEMBERS_OF.rows(conn, ids):
            members[dispute_id].append(user_id)
    return [_dispute(row, tuple(by_dispute[row[0]]), tuple(members[row[0]])) for row in rows]


def _dispute(row: Row, parties: tuple[Party, ...], members: tuple[str, ...]) -> Dispute:
    (
        dispute_id,
        workspace_id,
        number,
        title,
        status,
        stage,
        channel_id,
        root_ts,
        owner_id,
        opened_at,
        stage_started_at,
        stage_due_at,
        resolution,
        closed_at,
        legal_hold,
        chain_head,
    ) = row
    # The model turns the stored status and stage into their enums (quicker than Status()).
    return Dispute(
        id=dispute_id,
        workspace_id=workspace_id,
        number=number,
        title=title,
        status=status,
        stage=stage,
        channel_id=channel_id,
        root_ts=root_ts,
        owner_id=owner_id,
        opened_at=opened_at,
        stage_started_at=stage_started_at,
        stage_due_at=stage_due_at,
        resolution=resolution,
        closed_at=closed_at,
        legal_hold=bool(legal_hold),
        chain_head=chain_head,
        parties=parties,
        members=members,
    )


async def everything(conn: AsyncConnection) -> list[tuple[Dispute, list[TimelineEvent]]]:
    """Every dispute of every workspace with its timeline, for the export (oldest first)."""
    return [pair async for batch in in_batches(conn) for pair in batch]


EXPORT_BATCH = 500


async def in_batches(
    conn: AsyncConnection, *, size: int = EXPORT_BATCH
) -> AsyncIterator[list[tuple[Dispute, list[TimelineEvent]]]]:
    """Every dispute with its timeline, oldest first, `size` disputes at a time: what the
    export streams, so its memory does not grow with the record."""
    after: tuple[str, int] = ("", 0)
    key = sa.tuple_(disputes.c.workspace_id, disputes.c.number)
    while True:
        page = (
            sa.select(*_DISPUTE_COLUMNS)
            .where(key > sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
            .order_by(disputes.c.workspace_id, disputes.c.number)
            .limit(size)
        )
        found = await _load(conn, await _rows(conn, page))
        if not found:
            return
        by_dispute: dict[int, list[TimelineEvent]] = defaultdict(list)
        ids = [d.id for d in found]
        for dispute_id, event in await timeline_repo.events_where(
            conn, timeline.c.dispute_id.in_(ids)
        ):
            by_dispute[dispute_id].append(event)
        yield [(d, by_dispute[d.id]) for d in found]
        after = (found[-1].workspace_id, found[-1].number)
