"""Complaints (C-n), the events on their record and the disputes that caused them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.complaints import (
    ClosedBy,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
)
from bot.domain.parties import Party, PartyKind
from bot.store import parties as parties_repo
from bot.store.prepared import Prepared
from bot.store.schema import complaint_disputes, complaint_events, complaints, disputes, parties

# Every status but closed: what `/complaint list` counts, each found by the status index.
NOT_CLOSED = tuple(s.value for s in ComplaintStatus if s is not ComplaintStatus.CLOSED)


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    text: str,
    party_id: int,
    complainant_id: str | None,
    owner_id: str,
    channel_id: str,
    now: datetime,
    answer_due_at: datetime,
    resolve_due_at: datetime,
) -> int:
    result = await conn.execute(
        sa.insert(complaints)
        .values(
            workspace_id=workspace_id,
            number=number,
            text=text,
            party_id=party_id,
            complainant_id=complainant_id,
            owner_id=owner_id,
            channel_id=channel_id,
            status=ComplaintStatus.OPEN.value,
            opened_at=now,
            answer_due_at=answer_due_at,
            resolve_due_at=resolve_due_at,
        )
        .returning(complaints.c.id)
    )
    return int(result.scalar_one())


async def add_event(
    conn: AsyncConnection,
    *,
    complaint_id: int,
    kind: EventKind,
    at: datetime,
    actor_id: str | None,
    party_id: int | None = None,
    text: str | None = None,
    message: tuple[str, str] | None = None,
) -> None:
    channel_id, ts = message if message is not None else (None, None)
    await conn.execute(
        sa.insert(complaint_events).values(
            complaint_id=complaint_id,
            kind=kind.value,
            at=at,
            actor_id=actor_id,
            party_id=party_id,
            text=text,
            channel_id=channel_id,
            message_ts=ts,
        )
    )


def _select() -> sa.Select[Any]:
    return sa.select(
        complaints,
        parties.c.name.label("party_name"),
        parties.c.kind.label("party_kind"),
        parties.c.slack_team.label("party_team"),
    ).join(parties, parties.c.id == complaints.c.party_id)


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Complaint]:
    return await _loaded(conn, [r._mapping for r in (await conn.execute(stmt)).all()])


# The numbers of the disputes linked to these complaints.
_LINKED = Prepared(
    sa.select(complaint_disputes.c.complaint_id, disputes.c.number)
    .join(disputes, disputes.c.id == complaint_disputes.c.dispute_id)
    .where(complaint_disputes.c.complaint_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(disputes.c.number)
)


async def _loaded(conn: AsyncConnection, rows: list[Any]) -> list[Complaint]:
    if not rows:
        return []
    linked: dict[int, list[int]] = defaultdict(list)
    for complaint_id, number in await _LINKED.rows(conn, {"ids": [m["id"] for m in rows]}):
        linked[int(complaint_id)].append(int(number))
    return [_complaint(m, tuple(linked[int(m["id"])])) for m in rows]


def _complaint(m: Any, linked: tuple[int, ...]) -> Complaint:
    return Complaint(
        id=m["id"],
        workspace_id=m["workspace_id"],
        number=m["number"],
        text=m["text"],
        party=Party(
            id=m["party_id"],
            name=m["party_name"],
            kind=PartyKind(m["party_kind"]),
            slack_team=m["party_team"],
        ),
        complainant_id=m["complainant_id"],
        owner_id=m["owner_id"],
        channel_id=m["channel_id"],
        root_ts=m["root_ts"],
        status=ComplaintStatus(m["status"]),
        opened_at=m["opened_at"],
        answer_due_at=m["answer_due_at"],
        resolve_due_at=m["resolve_due_at"],
        first_answer_at=m["first_answer_at"],
        resolved_at=m["resolved_at"],
        resolution=m["resolution"],
        round=m["round"],
        confirm_due_at=m["confirm_due_at"],
        closed_at=m["closed_at"],
        closed_by=ClosedBy(m["closed_by"]) if m["closed_by"] else None,
        escalations=m["escalations"],
        disputes=linked,
    )


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Complaint | None:
    found = await _load(
        conn,
        _select().where(complaints.c.workspace_id == workspace_id, complaints.c.number == number),
    )
    return found[0] if found else None


async def get_by_id(conn: AsyncConnection, *, complaint_id: int) -> Complaint | None:
    found = await _load(conn, _select().where(complaints.c.id == complaint_id))
    return found[0] if found else None


def _overdue_clause(now: datetime | sa.BindParameter[Any]) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(complaints.c.first_answer_at.is_(None), complaints.c.answer_due_at < now),
        sa.and_(
            complaints.c.status == ComplaintStatus.OPEN.value, complaints.c.resolve_due_at < now
        ),
    )


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    open_only: bool,
    owner: str | None,
    overdue_at: datetime | None,
    party_teams: frozenset[str] | None,
    limit: int,
) -> tuple[list[Complaint], int]:
    """Newest first; not closed ones only with `open_only`; of these Slack teams' parties only
    when `party_teams` is given; and how many there are in all.

    The page walks the numbers newest first and stops at `limit`. The count reads the index
    (workspace_id, status) alone: the statuses not closed named one by one (a seek for each,
    where `!= closed` reads every complaint), and the parties of `party_teams` picked by their
    ids rather than joined (every complaint has its one party: `party_id` is a foreign key
    and never NULL), so that a long history of closed complaints is never read."""
    where: list[sa.ColumnElement[bool]] = [complaints.c.workspace_id == workspace_id]
    counted: list[sa.ColumnElement[bool]] = [complaints.c.workspace_id == workspace_id]
    if open_only:
        where.append(complaints.c.status != ComplaintStatus.CLOSED.value)
        counted.append(complaints.c.status.in_(NOT_CLOSED))
    if owner is not None:
        where.append(complaints.c.owner_id == owner)
        counted.append(complaints.c.owner_id == owner)
    if overdue_at is not None:
        where.append(_overdue_clause(overdue_at))
        counted.append(_overdue_clause(overdue_at))
    if party_teams is not None:
        teams = sorted(party_teams)
        where.append(parties.c.slack_team.in_(teams))
        counted.append(
            complaints.c.party_id.in_(
                sa.select(parties.c.id).where(parties.c.slack_team.in_(teams))
            )
        )
    page = await _load(
        conn, _select().where(*where).order_by(complaints.c.number.desc()).limit(limit)
    )
    if len(page) < limit:
        return page, len(page)
    total = await conn.execute(sa.select(sa.func.count()).select_from(complaints).where(*counted))
    return page, int(total.scalar_one())


def _newest_open(owner: bool, teams: bool) -> tuple[Prepared, tuple[str, ...]]:
    """`newest_open`'s statement (with or without an owner, a shared channel's teams) and
    the names of its columns."""
    where: list[sa.ColumnElement[bool]] = [
        complaints.c.workspace_id == sa.bindparam("workspace_id"),
        complaints.c.status != ComplaintStatus.CLOSED.value,
    ]
    if owner:
        where.append(complaints.c.owner_id == sa.bindparam("owner"))
    if teams:
        where.append(parties.c.slack_team.in_(sa.bindparam("teams", expanding=True)))
    late = sa.case((_overdue_clause(sa.bindparam("now")), 1), else_=0)
    window = (
        sa.select(complaints.c.id, late.label("late"))
        .select_from(complaints.join(parties, parties.c.id == complaints.c.party_id))
        .where(*where)
        .order_by(complaints.c.number.desc())
        .limit(sa.bindparam("newest", type_=sa.Integer()))
        .subquery()
    )
    stmt = (
        _select()
        .add_columns(window.c.late, sa.func.count().over().label("in_window"))
        .join(window, window.c.id == complaints.c.id)
        .order_by(window.c.late.desc(), complaints.c.number.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )
    return Prepared(stmt), tuple(str(c.key) for c in stmt.selected_columns)


_NEWEST_OPEN = {(o, t): _newest_open(o, t) for o in (False, True) for t in (False, True)}


async def newest_open(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    owner: str | None,
    party_teams: frozenset[str] | None,
    now: datetime,
    newest: int,
    limit: int,
) -> tuple[list[tuple[Complaint, bool]], int]:
    """Of the `newest` complaints not closed (by number, newest first; only the `owner`'s,
    of these Slack teams' parties when given), those with a clock run out at `now` first,
    then the others, each newest first: at most `limit` of them (at least one), each with
    whether it is late, and how many of the `newest` there are. Ordered and counted in SQL."""
    stmt, names = _NEWEST_OPEN[owner is not None, party_teams is not None]
    params = {
        "workspace_id": workspace_id,
        "owner": owner,
        "teams": sorted(party_teams) if party_teams is not None else None,
        "now": now,
        "newest": newest,
        "limit": max(limit, 1),
    }
    rows = [dict(zip(names, row, strict=True)) for row in await stmt.rows(conn, params)]
    found = await _loaded(conn, rows)
    total = int(rows[0]["in_window"]) if rows else 0
    return [(c, bool(m["late"])) for c, m in zip(found, rows, strict=True)][:limit], total


async def events(conn: AsyncConnection, *, complaint_id: int) -> list[ComplaintEvent]:
    """The complaint's record, oldest first."""
    rows = (
        await conn.execute(
            sa.select(complaint_events)
            .where(complaint_events.c.complaint_id == complaint_id)
            .order_by(complaint_events.c.id)
        )
    ).all()
    ids = {r._mapping["party_id"] for r in rows if r._mapping["party_id"] is not None}
    names = await parties_repo.by_ids(conn, ids=ids) if ids else {}
    out = []
    for r in rows:
        m = r._mapping
        party = names.get(m["party_id"]) if m["party_id"] is not None else None
        out.append(
            ComplaintEvent(
                kind=EventKind(m["kind"]),
                at=m["at"],
                actor_id=m["actor_id"],
                party=party.name if party else None,
                text=m["text"],
                channel_id=m["channel_id"],
                message_ts=m["message_ts"],
            )
        )
    return out


async def set_root(conn: AsyncConnection, *, complaint_id: int, ts: str) -> None:
    await conn.execute(
        sa.update(complaints).where(complaints.c.id == complaint_id).values(root_ts=ts)
    )


async def thread_complaint(conn: AsyncConnection, *, channel_id: str, thread_ts: str) -> int | None:
    """The id of the complaint whose card starts this thread, if any."""
    found = await conn.execute(
        sa.select(complaints.c.id).where(
            complaints.c.channel_id == channel_id, complaints.c.root_ts == thread_ts
        )
    )
    value = found.scalar_one_or_none()
    return int(value) if value is not None else None


async def message_recorded(
    conn: AsyncConnection, *, complaint_id: int, channel_id: str, ts: str, kind: EventKind
) -> bool:
    found = await conn.execute(
        sa.select(complaint_events.c.id).where(
            complaint_events.c.complaint_id == complaint_id,
            complaint_events.c.channel_id == channel_id,
            complaint_events.c.message_ts == ts,
            complaint_events.c.kind == kind.value,
        )
    )
    return found.first() is not None


async def place_reply(
    conn: AsyncConnection, *, complaint_id: int, channel_id: str, ts: str, party_id: int | None
) -> bool:
    """Put a recorded reply on its author's party (Slack's record wins); False if unchanged."""
    result = await conn.execute(
        sa.update(complaint_events)
        .where(
            complaint_events.c.complaint_id == complaint_id,
            complaint_events.c.channel_id == channel_id,
            complaint_events.c.message_ts == ts,
            complaint_events.c.kind == EventKind.REPLY.value,
            complaint_events.c.party_id.is_distinct_from(party_id),
        )
        .values(party_id=party_id)
    )
    return bool(result.rowcount)


async def set_first_answer(conn: AsyncConnection, *, complaint_id: int, at: datetime) -> bool:
    """Stop the answer clock; False if it was stopped already."""
    result = await conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id, complaints.c.first_answer_at.is_(None))
        .values(first_answer_at=at)
    )
    return bool(result.rowcount)


async def resolve(
    conn: AsyncConnection,
    *,
    complaint_id: int,
    round_: int,
    resolution: str,
    now: datetime,
    confirm_due_at: datetime,
) -> bool:
    """Open → resolved (the next round of confirmation); False if it changed meanwhile."""
    result = await conn.execute(
        sa.update(complaints)
        .where(
            complaints.c.id == complaint_id,
            complaints.c.status == ComplaintStatus.OPEN.value,
            complaints.c.round == round_,
        )
        .values(
            status=ComplaintStatus.RESOLVED.value,
            round=round_ + 1,
            resolution=resolution,
            resolved_at=now,
            confirm_due_at=confirm_due_at,
        )
    )
    return bool(result.rowcount)


async def answer(
    conn: AsyncConnection,
    *,
    complaint_id: int,
    round_: int,
    resolved: bool,
    now: datetime,
    closed_by: ClosedBy = ClosedBy.CONFIRMED,
    close_days: int | None = None,
) -> bool:
    """The confirmation of that round answered: closed (Yes, or silence), with `close_days`
    the working days it took (`close_days_of`), or open again (No) with the resolution clock
    as it was; False if it was answered already."""
    values: dict[str, Any] = (
        {
            "status": ComplaintStatus.CLOSED.value,
            "closed_at": now,
            "closed_by": closed_by.value,
            "close_days": close_days,
            "confirm_due_at": None,
        }
        if resolved
        else {"status": ComplaintStatus.OPEN.value, "confirm_due_at": None}
    )
    result = await conn.execute(
        sa.update(complaints)
        .where(
            complaints.c.id == complaint_id,
            complaints.c.status == ComplaintStatus.RESOLVED.value,
            complaints.c.round == round_,
        )
        .values(**values)
    )
    return bool(result.rowcount)


async def count_escalation(conn: AsyncConnection, *, complaint_id: int) -> bool:
    result = await conn.execute(
        sa.update(complaints)
        .where(
            complaints.c.id == complaint_id,
            complaints.c.status != ComplaintStatus.CLOSED.value,
        )
        .values(escalations=complaints.c.escalations + 1)
    )
    return bool(result.rowcount)


async def link_dispute(
    conn: AsyncConnection, *, complaint_id: int, dispute_id: int, user_id: str, now: datetime
) -> bool:
    """False if that dispute is linked already."""
    found = await conn.execute(
        sa.select(complaint_disputes.c.complaint_id).where(
            complaint_disputes.c.complaint_id == complaint_id,
            complaint_disputes.c.dispute_id == dispute_id,
        )
    )
    if found.first() is not None:
        return False
    await conn.execute(
        sa.insert(complaint_disputes).values(
            complaint_id=complaint_id, dispute_id=dispute_id, linked_by=user_id, linked_at=now
        )
    )
    return True


async def of_dispute(conn: AsyncConnection, *, dispute_id: int) -> list[tuple[int, int]]:
    """(number, party id) of the complaints linked to that dispute, oldest first."""
    rows = await conn.execute(
        sa.select(complaints.c.number, complaints.c.party_id)
        .join(complaint_disputes, complaint_disputes.c.complaint_id == complaints.c.id)
        .where(complaint_disputes.c.dispute_id == dispute_id)
        .order_by(complaints.c.number)
    )
    return [(int(n), int(p)) for n, p in rows.all()]


async def overdue(conn: AsyncConnection, *, now: datetime, limit: int) -> list[Complaint]:
    """Complaints with a clock run out whose notice is not out yet."""
    clause = sa.or_(
        sa.and_(
            complaints.c.first_answer_at.is_(None),
            complaints.c.answer_due_at < now,
            complaints.c.answer_overdue_told.is_(sa.false()),
        ),
        sa.and_(
            complaints.c.status == ComplaintStatus.OPEN.value,
            complaints.c.resolve_due_at < now,
            complaints.c.resolve_overdue_told.is_(sa.false()),
        ),
    )
    where = sa.and_(complaints.c.status != ComplaintStatus.CLOSED.value, clause)
    return await _load(conn, _select().where(where).order_by(complaints.c.id).limit(limit))


async def claim_overdue(conn: AsyncConnection, *, complaint_id: int, answer: bool) -> bool:
    """Claim the one overdue notice of that clock; False if it was claimed already."""
    column = complaints.c.answer_overdue_told if answer else complaints.c.resolve_overdue_told
    result = await conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id, column.is_(sa.false()))
        .values({column.name: True})
    )
    return bool(result.rowcount)


async def silent(conn: AsyncConnection, *, now: datetime, limit: int) -> list[Complaint]:
    """Resolved complaints whose party said nothing within the confirmation window."""
    return await _load(
        conn,
        _select()
        .where(
            complaints.c.status == ComplaintStatus.RESOLVED.value,
            complaints.c.confirm_due_at < now,
        )
        .order_by(complaints.c.id)
        .limit(limit),
    )


EXPORT_BATCH = 500


async def in_batches(
    conn: AsyncConnection, *, size: int = EXPORT_BATCH
) -> AsyncIterator[list[tuple[Complaint, list[ComplaintEvent]]]]:
    """Every complaint with its record, oldest first, `size` at a time (the export's)."""
    after = 0
    while True:
        found = await _load(
            conn, _select().where(complaints.c.id > after).order_by(complaints.c.id).limit(size)
        )
        if not found:
            return
        yield [(c, await events(conn, complaint_id=c.id)) for c in found]
        after = found[-1].id
