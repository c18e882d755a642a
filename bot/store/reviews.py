"""Reviews (R-n) with their parties, participants, skips, reminder threads and minutes, and
action items (T-n)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.parties import Party
from bot.domain.reviews import (
    ActionItem,
    ActionStatus,
    Minutes,
    Review,
    ReviewStatus,
)
from bot.store import parties as parties_repo
from bot.store.prepared import Prepared
from bot.store.schema import (
    action_items,
    disputes,
    review_minutes,
    review_participants,
    review_parties,
    review_skips,
    review_threads,
    reviews,
)
from bot.store.schema_audits import scorecards

# ------------------------------------------------------------------------------ reviews


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    title: str,
    channel_id: str,
    owner_id: str,
    tz: str,
    recurrence: str | None,
    next_at: datetime,
    report_within: int | None,
    meeting_within: int | None,
    now: datetime,
    dispute_id: int | None = None,
) -> int:
    result = await conn.execute(
        sa.insert(reviews)
        .values(
            workspace_id=workspace_id,
            number=number,
            title=title,
            channel_id=channel_id,
            owner_id=owner_id,
            tz=tz,
            recurrence=recurrence,
            status=ReviewStatus.SCHEDULED.value,
            next_at=next_at,
            report_within=report_within,
            meeting_within=meeting_within,
            created_at=now,
            dispute_id=dispute_id,
        )
        .returning(reviews.c.id)
    )
    return int(result.scalar_one())


async def add_party(conn: AsyncConnection, *, review_id: int, party_id: int) -> None:
    await conn.execute(sa.insert(review_parties).values(review_id=review_id, party_id=party_id))


async def add_participant(
    conn: AsyncConnection, *, review_id: int, user_id: str, party_id: int | None, position: int
) -> None:
    await conn.execute(
        sa.insert(review_participants).values(
            review_id=review_id, user_id=user_id, party_id=party_id, position=position
        )
    )


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Review | None:
    found = await _load(
        conn,
        sa.select(reviews).where(
            reviews.c.workspace_id == workspace_id, reviews.c.number == number
        ),
    )
    return found[0] if found else None


async def by_id(conn: AsyncConnection, *, review_id: int) -> Review | None:
    found = await _load(conn, sa.select(reviews).where(reviews.c.id == review_id))
    return found[0] if found else None


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    statuses: Sequence[ReviewStatus] | None = None,
    member: str | None = None,
    ids: Sequence[int] | None = None,
) -> list[Review]:
    """Reviews of the workspace: the coming ones soonest first, then the rest newest first;
    only those `member` owns or takes part in, or only these `ids`, when given."""
    stmt = sa.select(reviews).where(reviews.c.workspace_id == workspace_id)
    if statuses is not None:
        stmt = stmt.where(reviews.c.status.in_([s.value for s in statuses]))
    if member is not None:
        taking_part = sa.select(review_participants.c.review_id).where(
            review_participants.c.user_id == member
        )
        stmt = stmt.where(sa.or_(reviews.c.owner_id == member, reviews.c.id.in_(taking_part)))
    if ids is not None:
        stmt = stmt.where(reviews.c.id.in_(list(ids)))
    stmt = stmt.order_by(reviews.c.next_at.is_(None), reviews.c.next_at, reviews.c.number.desc())
    return await _load(conn, stmt)


async def of_disputes(conn: AsyncConnection, *, dispute_ids: Sequence[int]) -> list[Review]:
    """The meetings called on these disputes (`/dispute meet`), oldest first."""
    if not dispute_ids:
        return []
    stmt = (
        sa.select(reviews)
        .where(reviews.c.dispute_id.in_(list(dispute_ids)))
        .order_by(reviews.c.number)
    )
    return await _load(conn, stmt)


async def coming(conn: AsyncConnection, *, before: datetime) -> list[Review]:
    """Scheduled reviews whose next occurrence is before ``before`` (every workspace)."""
    stmt = (
        sa.select(reviews)
        .where(reviews.c.status == ReviewStatus.SCHEDULED.value, reviews.c.next_at < before)
        .order_by(reviews.c.next_at, reviews.c.id)
    )
    return await _load(conn, stmt)


async def held_since(conn: AsyncConnection, *, since: datetime) -> list[Review]:
    """Reviews (any status) whose latest occurrence held is at or after ``since``."""
    stmt = (
        sa.select(reviews)
        .where(reviews.c.last_at.is_not(None), reviews.c.last_at >= since)
        .order_by(reviews.c.last_at, reviews.c.id)
    )
    return await _load(conn, stmt)


async def with_report_deadline(conn: AsyncConnection) -> list[Review]:
    """Scheduled reviews that carry a monthly service-report deadline."""
    stmt = (
        sa.select(reviews)
        .where(
            reviews.c.status == ReviewStatus.SCHEDULED.value,
            reviews.c.report_within.is_not(None),
        )
        .order_by(reviews.c.id)
    )
    return await _load(conn, stmt)


async def move(
    conn: AsyncConnection,
    *,
    review_id: int,
    from_next_at: datetime,
    next_at: datetime | None,
    last_at: datetime | None,
    status: ReviewStatus,
    now: datetime,
) -> bool:
    """Move a scheduled review's next occurrence, only if it is still where the caller saw
    it; False if another instance (or command) moved it meanwhile."""
    values: dict[str, object] = {"next_at": next_at, "status": status.value}
    if last_at is not None:
        values["last_at"] = last_at
    if status is not ReviewStatus.SCHEDULED:
        values["closed_at"] = now
    result = await conn.execute(
        sa.update(reviews)
        .where(
            reviews.c.id == review_id,
            reviews.c.status == ReviewStatus.SCHEDULED.value,
            reviews.c.next_at == from_next_at,
        )
        .values(**values)
    )
    return bool(result.rowcount)


async def cancel(conn: AsyncConnection, *, review_id: int, now: datetime) -> bool:
    """Cancel a scheduled review; False if it is not scheduled any more."""
    result = await conn.execute(
        sa.update(reviews)
        .where(reviews.c.id == review_id, reviews.c.status == ReviewStatus.SCHEDULED.value)
        .values(status=ReviewStatus.CANCELLED.value, next_at=None, closed_at=now)
    )
    return bool(result.rowcount)


async def add_skip(
    conn: AsyncConnection, *, review_id: int, occurrence_at: datetime, by: str, now: datetime
) -> None:
    await conn.execute(
        sa.insert(review_skips).values(
            review_id=review_id, occurrence_at=occurrence_at, skipped_by=by, skipped_at=now
        )
    )


# ------------------------------------------------------------------------------ threads


async def add_thread(
    conn: AsyncConnection,
    *,
    review_id: int,
    channel_id: str,
    ts: str,
    occurrence_at: datetime,
    kind: str,
) -> None:
    await conn.execute(
        sa.insert(review_threads).values(
            channel_id=channel_id,
            ts=ts,
            review_id=review_id,
            occurrence_at=occurrence_at,
            kind=kind,
        )
    )


# Built once: every message in any thread is checked against it before its ack.
# Asked of every thread reply (is it under a review's reminder?): prepared, on both engines.
_THREAD_REVIEW = Prepared(
    sa.select(review_threads.c.review_id, review_threads.c.occurrence_at).where(
        review_threads.c.channel_id == sa.bindparam("channel_id"),
        review_threads.c.ts == sa.bindparam("ts"),
    )
)


async def for_thread(
    conn: AsyncConnection, *, channel_id: str, thread_ts: str
) -> tuple[Review, datetime] | None:
    """The review and occurrence whose reminder (or prompt) this thread hangs from."""
    row = await _THREAD_REVIEW.first(conn, {"channel_id": channel_id, "ts": thread_ts})
    if row is None:
        return None
    review_id, occurrence_at = row
    review = await by_id(conn, review_id=review_id)
    return None if review is None else (review, occurrence_at)


async def latest_thread(
    conn: AsyncConnection, *, review_id: int, occurrence_at: datetime | None = None
) -> tuple[str, str] | None:
    """(channel, ts) of the latest reminder or prompt of the review (of one occurrence)."""
    stmt = sa.select(review_threads.c.channel_id, review_threads.c.ts).where(
        review_threads.c.review_id == review_id
    )
    if occurrence_at is not None:
        stmt = stmt.where(review_threads.c.occurrence_at == occurrence_at)
    stmt = stmt.order_by(review_threads.c.occurrence_at.desc(), review_threads.c.ts.desc())
    row = (await conn.execute(stmt.limit(1))).first()
    return None if row is None else (row.channel_id, row.ts)


# ------------------------------------------------------------------------------ minutes


async def add_minutes(
    conn: AsyncConnection,
    *,
    review_id: int,
    occurrence_at: datetime | None,
    at: datetime,
    author_id: str,
    party_id: int | None,
    text: str,
    message: tuple[str, str] | None = None,
) -> None:
    await conn.execute(
        sa.insert(review_minutes).values(
            review_id=review_id,
            occurrence_at=occurrence_at,
            at=at,
            author_id=author_id,
            party_id=party_id,
            text=text,
            channel_id=message[0] if message else None,
            message_ts=message[1] if message else None,
        )
    )


async def minutes_recorded(conn: AsyncConnection, *, channel_id: str, ts: str) -> bool:
    row = (
        await conn.execute(
            sa.select(sa.literal(1)).where(
                review_minutes.c.channel_id == channel_id, review_minutes.c.message_ts == ts
            )
        )
    ).first()
    return row is not None


async def minutes(conn: AsyncConnection, *, review_id: int) -> list[Minutes]:
    """The review's minutes, oldest first."""
    rows = (
        await conn.execute(
            sa.select(review_minutes)
            .where(review_minutes.c.review_id == review_id)
            .order_by(review_minutes.c.id)
        )
    ).all()
    names = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows if r.party_id])
    return [
        Minutes(
            review_id=r.review_id,
            occurrence_at=r.occurrence_at,
            at=r.at,
            author_id=r.author_id,
            party=names[r.party_id].name if r.party_id else None,
            text=r.text,
            channel_id=r.channel_id,
            message_ts=r.message_ts,
        )
        for r in rows
    ]


# ------------------------------------------------------------------------------ actions


async def insert_action(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    review_id: int | None,
    scorecard_id: int | None = None,
    owner_id: str,
    due_at: datetime,
    tz: str,
    text: str,
    created_by: str,
    now: datetime,
) -> None:
    """An action item T-n, agreed in a review or (an improvement action) of a scorecard."""
    await conn.execute(
        sa.insert(action_items).values(
            workspace_id=workspace_id,
            number=number,
            review_id=review_id,
            scorecard_id=scorecard_id,
            owner_id=owner_id,
            due_at=due_at,
            tz=tz,
            text=text,
            status=ActionStatus.OPEN.value,
            created_at=now,
            created_by=created_by,
        )
    )


def _actions_query() -> sa.Select[tuple[object, ...]]:
    """Action items with the number of their review or (an improvement action) scorecard."""
    return (
        sa.select(
            action_items,
            reviews.c.number.label("review_number"),
            scorecards.c.number.label("scorecard_number"),
        )
        .outerjoin(reviews, reviews.c.id == action_items.c.review_id)
        .outerjoin(scorecards, scorecards.c.id == action_items.c.scorecard_id)
    )


def _action(row: sa.Row[tuple[object, ...]]) -> ActionItem:
    m = row._mapping
    return ActionItem(
        id=m["id"],
        workspace_id=m["workspace_id"],
        number=m["number"],
        review_id=m["review_id"],
        review_number=m["review_number"],
        scorecard_id=m["scorecard_id"],
        scorecard_number=m["scorecard_number"],
        owner_id=m["owner_id"],
        due_at=m["due_at"],
        tz=m["tz"],
        text=m["text"],
        status=ActionStatus(m["status"]),
        created_at=m["created_at"],
        created_by=m["created_by"],
        done_at=m["done_at"],
        done_by=m["done_by"],
        channel_id=m["channel_id"],
        message_ts=m["message_ts"],
    )


async def get_action(conn: AsyncConnection, *, workspace_id: str, number: int) -> ActionItem | None:
    row = (
        await conn.execute(
            _actions_query().where(
                action_items.c.workspace_id == workspace_id, action_items.c.number == number
            )
        )
    ).first()
    return None if row is None else _action(row)


async def actions_of(
    conn: AsyncConnection, *, review_ids: Sequence[int], open_only: bool = False
) -> list[ActionItem]:
    """The action items of these reviews, soonest due first."""
    if not review_ids:
        return []
    stmt = _actions_query().where(action_items.c.review_id.in_(list(review_ids)))
    if open_only:
        stmt = stmt.where(action_items.c.status == ActionStatus.OPEN.value)
    rows = await conn.execute(stmt.order_by(action_items.c.due_at, action_items.c.number))
    return [_action(r) for r in rows]


async def open_actions(
    conn: AsyncConnection, *, workspace_id: str, owner_id: str
) -> list[ActionItem]:
    """The open action items this person owns (of reviews and of scorecards), soonest due
    first."""
    rows = await conn.execute(
        _actions_query()
        .where(
            action_items.c.workspace_id == workspace_id,
            action_items.c.owner_id == owner_id,
            action_items.c.status == ActionStatus.OPEN.value,
        )
        .order_by(action_items.c.due_at, action_items.c.number)
    )
    return [_action(r) for r in rows]


async def open_actions_due(conn: AsyncConnection, *, before: datetime) -> list[ActionItem]:
    """Open action items (every workspace) due before ``before``."""
    rows = await conn.execute(
        _actions_query()
        .where(action_items.c.status == ActionStatus.OPEN.value, action_items.c.due_at < before)
        .order_by(action_items.c.due_at, action_items.c.id)
    )
    return [_action(r) for r in rows]


async def complete_action(conn: AsyncConnection, *, action_id: int, by: str, now: datetime) -> bool:
    """Mark an open item done; False if it was done already (by this or another click)."""
    result = await conn.execute(
        sa.update(action_items)
        .where(action_items.c.id == action_id, action_items.c.status == ActionStatus.OPEN.value)
        .values(status=ActionStatus.DONE.value, done_at=now, done_by=by)
    )
    return bool(result.rowcount)


async def set_action_message(
    conn: AsyncConnection, *, action_id: int, channel_id: str, ts: str
) -> None:
    await conn.execute(
        sa.update(action_items)
        .where(action_items.c.id == action_id)
        .values(channel_id=channel_id, message_ts=ts)
    )


# ------------------------------------------------------------------------------ loading


async def _load(conn: AsyncConnection, stmt: sa.Select[tuple[object, ...]]) -> list[Review]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    party_rows = (
        await conn.execute(
            sa.select(review_parties.c.review_id, review_parties.c.party_id)
            .where(review_parties.c.review_id.in_(ids))
            .order_by(review_parties.c.party_id)
        )
    ).all()
    people_rows = (
        await conn.execute(
            sa.select(review_participants.c.review_id, review_participants.c.user_id)
            .where(review_participants.c.review_id.in_(ids))
            .order_by(review_participants.c.position)
        )
    ).all()
    skip_rows = (
        await conn.execute(
            sa.select(review_skips.c.review_id, review_skips.c.occurrence_at)
            .where(review_skips.c.review_id.in_(ids))
            .order_by(review_skips.c.occurrence_at)
        )
    ).all()
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in party_rows])
    dispute_ids = {r.dispute_id for r in rows if r.dispute_id is not None}
    dispute_numbers: dict[int, int] = {}
    if dispute_ids:
        found = await conn.execute(
            sa.select(disputes.c.id, disputes.c.number).where(disputes.c.id.in_(dispute_ids))
        )
        dispute_numbers = {r.id: r.number for r in found}
    by_review: dict[int, list[Party]] = defaultdict(list)
    for r in party_rows:
        by_review[r.review_id].append(known[r.party_id])
    people: dict[int, list[str]] = defaultdict(list)
    for r in people_rows:
        people[r.review_id].append(r.user_id)
    skips: dict[int, list[datetime]] = defaultdict(list)
    for r in skip_rows:
        skips[r.review_id].append(r.occurrence_at)
    return [
        Review(
            id=r.id,
            workspace_id=r.workspace_id,
            number=r.number,
            title=r.title,
            channel_id=r.channel_id,
            owner_id=r.owner_id,
            tz=r.tz,
            recurrence=r.recurrence,
            next_at=r.next_at,
            last_at=r.last_at,
            status=ReviewStatus(r.status),
            report_within=r.report_within,
            meeting_within=r.meeting_within,
            created_at=r.created_at,
            closed_at=r.closed_at,
            parties=tuple(by_review[r.id]),
            participants=tuple(people[r.id]),
            skipped=tuple(skips[r.id]),
            dispute_id=r.dispute_id,
            dispute_number=dispute_numbers.get(r.dispute_id) if r.dispute_id else None,
        )
        for r in rows
    ]


async def everything(conn: AsyncConnection) -> tuple[list[Review], list[ActionItem]]:
    """Every review and action item of every workspace, for the export (oldest first)."""
    found = await _load(conn, sa.select(reviews).order_by(reviews.c.workspace_id, reviews.c.number))
    rows = await conn.execute(
        _actions_query().order_by(action_items.c.workspace_id, action_items.c.number)
    )
    return found, [_action(r) for r in rows]
