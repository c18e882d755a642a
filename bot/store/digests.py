"""Digest subscriptions, the scheduler's claims on them, and what a digest reads.

A due digest is claimed by one conditional UPDATE of its subscription row: the row lock makes
a second instance's UPDATE wait and then find the lease taken, on PostgreSQL and on SQLite
(where writers queue at BEGIN IMMEDIATE) alike. What went out is recorded under its key in
`sends`, the ledger of messages owed once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.digests import DigestKind, Subscription
from bot.domain.ladder import Status
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store.prepared import Prepared
from bot.store.schema import digest_subscriptions as subs
from bot.store.schema import dispute_threads, disputes, parties, sends, timeline

ERROR_LIMIT = 200


def _subscription(row: sa.Row[tuple[object, ...]]) -> Subscription:
    m = row._mapping
    hour, minute = (int(part) for part in str(m["local_time"]).split(":"))
    return Subscription(
        id=m["id"],
        workspace_id=m["workspace_id"],
        kind=DigestKind(m["kind"]),
        target=m["target"],
        at=time(hour, minute),
        zone=m["zone"],
        subscribed_by=m["subscribed_by"],
        subscribed_at=m["subscribed_at"],
        active=bool(m["active"]),
        last_due_at=m["last_due_at"],
        last_sent_at=m["last_sent_at"],
        lease_key=m["lease_key"],
        lease_until=m["lease_until"],
        attempts=int(m["attempts"] or 0),
        next_attempt_at=m["next_attempt_at"],
        last_error=m["last_error"],
    )


async def get(
    conn: AsyncConnection, *, workspace_id: str, kind: DigestKind, target: str
) -> Subscription | None:
    row = (
        await conn.execute(
            sa.select(subs).where(
                subs.c.workspace_id == workspace_id,
                subs.c.kind == kind.value,
                subs.c.target == target,
            )
        )
    ).first()
    return _subscription(row) if row else None


async def by_id(conn: AsyncConnection, *, subscription_id: int) -> Subscription | None:
    row = (await conn.execute(sa.select(subs).where(subs.c.id == subscription_id))).first()
    return _subscription(row) if row else None


async def upsert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    kind: DigestKind,
    target: str,
    at: time,
    zone: str,
    actor_id: str,
    now: datetime,
) -> Subscription:
    """Subscribe, or change the time of (and reactivate) an existing subscription.

    The scheduler's history (`last_due_at`, `last_sent_at`) is kept: a period that was
    already handled is not handled again because the time changed.
    """
    values = {
        "local_time": f"{at:%H:%M}",
        "zone": zone,
        "subscribed_by": actor_id,
        "subscribed_at": now,
        "active": True,
    }
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    await conn.execute(
        insert(subs)
        .values(workspace_id=workspace_id, kind=kind.value, target=target, **values)
        .on_conflict_do_update(
            index_elements=[subs.c.workspace_id, subs.c.kind, subs.c.target],
            set_={
                **values,
                "lease_key": None,
                "lease_until": None,
                "attempts": 0,
                "next_attempt_at": None,
                "last_error": None,
            },
        )
    )
    found = await get(conn, workspace_id=workspace_id, kind=kind, target=target)
    assert found is not None
    return found


async def deactivate(conn: AsyncConnection, *, subscription_id: int) -> None:
    await conn.execute(sa.update(subs).where(subs.c.id == subscription_id).values(active=False))


async def active(conn: AsyncConnection) -> list[Subscription]:
    """Every active subscription of every workspace, oldest first."""
    rows = await conn.execute(sa.select(subs).where(subs.c.active.is_(True)).order_by(subs.c.id))
    return [_subscription(r) for r in rows]


async def claim(
    conn: AsyncConnection,
    *,
    subscription_id: int,
    key: str,
    now: datetime,
    lease_until: datetime,
) -> int | None:
    """Lease the send `key` for this subscription; the attempts made on it so far, or None.

    Nobody else may hold a live lease, the key must not have gone out already, and a key that
    failed before waits for its next attempt; a newer key supersedes a failing older one.
    """
    same_key = subs.c.lease_key == key
    sent = sa.select(sends.c.key).where(sends.c.key == key).exists()
    result = await conn.execute(
        sa.update(subs)
        .where(
            subs.c.id == subscription_id,
            subs.c.active.is_(True),
            sa.or_(subs.c.lease_until.is_(None), subs.c.lease_until <= now),
            sa.or_(
                subs.c.lease_key.is_(None),
                subs.c.lease_key != key,
                subs.c.next_attempt_at.is_(None),
                subs.c.next_attempt_at <= now,
            ),
            ~sent,
        )
        .values(
            lease_key=key,
            lease_until=lease_until,
            attempts=sa.case((same_key, subs.c.attempts), else_=0),
        )
        .returning(subs.c.attempts)
    )
    row = result.first()
    return int(row[0]) if row is not None else None


async def mark_done(
    conn: AsyncConnection,
    *,
    subscription_id: int,
    key: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """The period is handled (posted, or found empty): record the key and release the lease.

    False if the key was already in the ledger (which the lease should make impossible)."""
    await conn.execute(
        sa.update(subs)
        .where(subs.c.id == subscription_id)
        .values(
            last_due_at=due_at,
            last_sent_at=now,
            lease_key=None,
            lease_until=None,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
        )
    )
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    result = await conn.execute(
        insert(sends)
        .values(key=key[:200], claimed_at=now)
        .on_conflict_do_nothing(index_elements=[sends.c.key])
        .returning(sends.c.key)
    )
    return result.first() is not None


async def mark_posted(conn: AsyncConnection, *, subscription_id: int, now: datetime) -> None:
    """A digest went out on request (`/digest now`): later digests count replies from now."""
    await conn.execute(sa.update(subs).where(subs.c.id == subscription_id).values(last_sent_at=now))


_replies_of_disputes = timeline.join(disputes, disputes.c.id == timeline.c.dispute_id)
_LIMIT = sa.bindparam("limit", type_=sa.Integer())


def _party_replies(*, member: bool, team_ids: bool) -> sa.ColumnElement[bool]:
    """Replies by parties' people in (`since`, `until`] (parameters, with those of
    `disputes.narrowed`) on disputes this reader may see; in a shared channel (`team_ids`),
    only replies of that channel's own parties."""
    conditions = [
        timeline_repo.current_replies(),
        timeline.c.party_id.is_not(None),
        timeline.c.at > sa.bindparam("since"),
        timeline.c.at <= sa.bindparam("until"),
        # Joined (see `_replies_of_disputes`), not a subquery: SQLite would list every
        # dispute of the workspace to look each reply up in.
        disputes_repo.narrowed(
            statuses=False, member=member, due_before=False, team_ids=team_ids, due_from=False
        ),
    ]
    if team_ids:
        conditions.append(timeline.c.party_id.in_(_own_parties()))
    return sa.and_(*conditions)


def _own_parties() -> sa.Select[Any]:
    return sa.select(parties.c.id).where(
        parties.c.slack_team.in_(sa.bindparam("team_ids", expanding=True))
    )


def _replied_statement(member: bool, team_ids: bool) -> Prepared:
    # One pass: the groups shown, and (a window over the groups) how many there are in all.
    return Prepared(
        sa.select(timeline.c.dispute_id, sa.func.count().over().label("total"))
        .select_from(_replies_of_disputes)
        .where(_party_replies(member=member, team_ids=team_ids))
        .group_by(timeline.c.dispute_id)
        .order_by(sa.func.max(timeline.c.at).desc(), sa.func.max(timeline.c.id).desc())
        .limit(_LIMIT)
    )


def _repliers_statement(team_ids: bool) -> Prepared:
    conditions = [
        timeline.c.dispute_id.in_(sa.bindparam("ids", expanding=True)),
        timeline_repo.current_replies(),
        timeline.c.party_id.is_not(None),
        timeline.c.at > sa.bindparam("since"),
        timeline.c.at <= sa.bindparam("until"),
    ]
    if team_ids:
        conditions.append(timeline.c.party_id.in_(_own_parties()))
    return Prepared(
        sa.select(timeline.c.dispute_id, timeline.c.actor_id, timeline.c.party_id)
        .where(*conditions)
        .group_by(timeline.c.dispute_id, timeline.c.actor_id, timeline.c.party_id)
        .order_by(sa.func.max(timeline.c.at), sa.func.max(timeline.c.id))
    )


# By (a person's digest, a shared channel's): the statements are the same for every call.
_REPLIED = {(m, t): _replied_statement(m, t) for m in (False, True) for t in (False, True)}
_REPLIERS = {t: _repliers_statement(t) for t in (False, True)}


async def replied_disputes(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    since: datetime,
    until: datetime,
    member: str | None,
    team_ids: frozenset[str] | None,
    limit: int,
) -> tuple[list[int], int]:
    """Ids of the disputes whose parties replied in (since, until], latest reply first, at
    most `limit` of them, with how many there are in all."""
    params = disputes_repo.narrowing(
        workspace_id=workspace_id,
        statuses=None,
        member=member,
        due_before=None,
        team_ids=team_ids,
        due_from=None,
    )
    params.update(since=since, until=until, limit=limit)
    rows = await _REPLIED[member is not None, team_ids is not None].rows(conn, params)
    return [int(r[0]) for r in rows], int(rows[0][1]) if rows else 0


async def repliers(
    conn: AsyncConnection,
    *,
    dispute_ids: Iterable[int],
    since: datetime,
    until: datetime,
    team_ids: frozenset[str] | None,
) -> dict[int, list[tuple[str, int]]]:
    """Who replied for a party on each of these disputes in (since, until]: (author, party
    id), in the order of their latest reply."""
    wanted = sorted(set(dispute_ids))
    if not wanted:
        return {}
    params = {
        "ids": wanted,
        "since": since,
        "until": until,
        "team_ids": sorted(team_ids) if team_ids is not None else None,
    }
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for dispute_id, actor_id, party_id in await _REPLIERS[team_ids is not None].rows(conn, params):
        found[int(dispute_id)].append((str(actor_id or ""), int(party_id)))
    return dict(found)


_THREADS_OF = Prepared(
    sa.select(
        dispute_threads.c.dispute_id,
        dispute_threads.c.channel_id,
        dispute_threads.c.ts,
        dispute_threads.c.kind,
    )
    .where(dispute_threads.c.dispute_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(dispute_threads.c.kind.desc(), dispute_threads.c.ts)
)


async def threads_of(
    conn: AsyncConnection, *, dispute_ids: Iterable[int]
) -> dict[int, list[tuple[str, str, str]]]:
    """(channel, ts, kind) of each dispute's threads, home first."""
    wanted = sorted(set(dispute_ids))
    if not wanted:
        return {}
    found: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for dispute_id, channel_id, ts, kind in await _THREADS_OF.rows(conn, {"ids": wanted}):
        found[int(dispute_id)].append((str(channel_id), str(ts), str(kind)))
    return dict(found)


async def open_count(conn: AsyncConnection, *, workspace_id: str) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(disputes)
        .where(disputes.c.workspace_id == workspace_id, disputes.c.status == Status.OPEN.value)
    )
    return int((await conn.execute(stmt)).scalar_one())
