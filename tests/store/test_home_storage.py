"""The Home's own queries (bot/store/homes.py) on both engines, each against what it replaces:
a person's open disputes against `disputes.find(statuses=[OPEN], member=..., by_due=True)`,
and the section of their open complaints against `feature_section` of `open_complaints`
(which loads their 100 newest to show ten); on SQLite, each reads the indexes of migration
0028 (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.calendar import calendar_for
from bot.domain.complaints import ComplaintStatus
from bot.domain.ladder import Stage, Status
from bot.domain.parties import Audience, PartyKind
from bot.domain.reviews import ActionStatus, ReviewStatus
from bot.store import Store
from bot.store import complaints as complaints_repo
from bot.store import disputes as disputes_repo
from bot.store import homes as repo
from bot.store import parties as parties_repo
from bot.store import reviews as reviews_repo
from bot.store.prepared import sqlite_connection
from bot.store.schema import action_items, complaints, dispute_members, disputes
from bot.store.schema import reviews as review_table
from bot.workflows import digests_home
from bot.workflows import reviews as reviews_flow
from bot.workflows.digests import upcoming_until
from bot.workflows.digests_content import (
    HOME_SOURCES,
    DigestEntry,
    SectionKey,
    Window,
    feature_section,
    upcoming_reviews,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 23 Nov 2026 10:00 in Shanghai
WS = "T0PARLEY"
PEOPLE = ("U0ALICE", "U0BOB", "U0CAROL", "U0NOBODY")
CALENDAR = calendar_for("CN", "Asia/Shanghai")


async def _dispute(
    conn: Any, number: int, owner: str, due: datetime | None, status: Status, ws: str = WS
) -> int:
    dispute_id = await disputes_repo.insert(
        conn,
        workspace_id=ws,
        number=number,
        title=f"dispute {number}",
        channel_id="C0DESK",
        owner_id=owner,
        stage=Stage.COORDINATION,
        now=NOW - timedelta(days=30),
        stage_due_at=due,
    )
    if status is not Status.OPEN:
        await conn.execute(
            sa.update(disputes).where(disputes.c.id == dispute_id).values(status=status.value)
        )
    return dispute_id


@pytest.fixture
async def many_disputes(store: Store) -> AsyncIterator[Store]:
    """Disputes of every kind a person's Home must sort out: owned with a deadline (past,
    future, several on the same instant), owned without one, taken part in and not owned,
    owned and taken part in, closed ones, and another workspace's."""
    deadlines = [NOW - timedelta(days=3), NOW - timedelta(hours=1), NOW, NOW + timedelta(days=2)]
    async with store.write() as conn:
        for number in range(1, 61):
            owner = PEOPLE[number % 3]
            due = None if number % 7 == 0 else deadlines[number % len(deadlines)]
            status = [Status.OPEN] * 4 + [Status.RESOLVED, Status.WITHDRAWN]
            dispute_id = await _dispute(conn, number, owner, due, status[number % 6])
            for member in PEOPLE[:3]:
                if (number + len(member)) % 4 == 0 or (member == owner and number % 5 == 0):
                    await disputes_repo.add_member(
                        conn, dispute_id=dispute_id, user_id=member, party_id=None, now=NOW
                    )
        other = await _dispute(conn, 1, "U0ALICE", NOW, Status.OPEN, ws="T0OTHER")
        await disputes_repo.add_member(
            conn, dispute_id=other, user_id="U0BOB", party_id=None, now=NOW
        )
    yield store


@pytest.mark.parametrize("limit", [1, 5, 20, 100])
async def test_a_persons_open_disputes_are_those_find_gives(
    many_disputes: Store, limit: int
) -> None:
    async with many_disputes.read() as conn:
        for person in PEOPLE:
            found = await repo.open_disputes(conn, workspace_id=WS, member=person, limit=limit)
            expected = await disputes_repo.find(
                conn,
                workspace_id=WS,
                statuses=[Status.OPEN],
                member=person,
                limit=limit,
                by_due=True,
            )
            assert found == expected, (person, limit)
            assert found[1] > 5 or person == "U0NOBODY"
    async with many_disputes.read() as conn:
        assert await repo.open_disputes(conn, workspace_id="T0NONE", member="U0BOB", limit=5) == (
            [],
            0,
        )


async def _party(store: Store) -> int:
    async with store.write() as conn:
        party = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Globex Audit",
            kind=PartyKind.CUSTOMER,
            slack_team="T0GLOBEX",
            now=NOW,
        )
    return party.id


async def _complaint(conn: Any, number: int, party_id: int, owner: str, **values: Any) -> None:
    row = {
        "workspace_id": WS,
        "number": number,
        "text": f"complaint {number}",
        "party_id": party_id,
        "complainant_id": "U0GRETA",
        "owner_id": owner,
        "channel_id": "C0DESK",
        "status": ComplaintStatus.OPEN.value,
        "opened_at": NOW - timedelta(days=10),
        "answer_due_at": NOW + timedelta(days=1),
        "resolve_due_at": NOW + timedelta(days=5),
        **values,
    }
    await conn.execute(sa.insert(complaints).values(**row))


@pytest.fixture
async def many_complaints(store: Store) -> AsyncIterator[Store]:
    """More than a hundred complaints not closed for Alice (so that the newest hundred are a
    cut), each clock run out or not, stopped or not, on the very instant or not; closed ones,
    Bob's, and another workspace's."""
    party_id = await _party(store)
    at = [NOW - timedelta(days=2), NOW - timedelta(microseconds=1), NOW, NOW + timedelta(hours=3)]
    async with store.write() as conn:
        for number in range(1, 201):
            owner = "U0BOB" if number % 9 == 0 else "U0ALICE"
            status = [ComplaintStatus.OPEN, ComplaintStatus.RESOLVED][number % 2]
            values: dict[str, Any] = {
                "status": (ComplaintStatus.CLOSED if number % 4 == 3 else status).value,
                "answer_due_at": at[number % 4],
                "resolve_due_at": at[(number // 4) % 4],
                "first_answer_at": NOW - timedelta(days=1) if number % 5 < 2 else None,
            }
            if number > 195:  # the newest: none of them late, and Alice's
                values.update(answer_due_at=at[3], resolve_due_at=at[3], owner="U0ALICE")
            await _complaint(conn, number, party_id, values.pop("owner", owner), **values)
        await conn.execute(
            sa.insert(complaints).values(
                workspace_id="T0OTHER",
                number=1,
                text="elsewhere",
                party_id=party_id,
                owner_id="U0ALICE",
                channel_id="C0DESK",
                status=ComplaintStatus.OPEN.value,
                opened_at=NOW,
                answer_due_at=at[0],
                resolve_due_at=at[0],
            )
        )
    yield store


def _window(member: str, now: datetime) -> Window:
    return Window(
        workspace_id=WS,
        audience=Audience(),
        member=member,
        now=now,
        until=upcoming_until(now, CALENDAR),
        tz=CALENDAR.tz,
    )


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        NOW.astimezone(ZoneInfo("Asia/Shanghai")),  # the same instant, told in another zone
        NOW - timedelta(days=3),  # nothing late yet
        NOW + timedelta(days=30),  # every clock not stopped run out
    ],
)
async def test_the_homes_complaints_are_the_section_open_complaints_makes(
    many_complaints: Store, now: datetime
) -> None:
    source = next(s for s in HOME_SOURCES if s.key is SectionKey.COMPLAINTS)
    for person in ("U0ALICE", "U0BOB", "U0NOBODY"):
        content = await digests_home.home_content(
            many_complaints, workspace_id=WS, user_id=person, now=now, calendar=CALENDAR
        )
        found = next(e for e in content.extras if e.key is SectionKey.COMPLAINTS)
        expected = await feature_section(
            many_complaints, source, _window(person, now), digests_home.HOME_EXTRA_LINES
        )
        assert found == expected, (person, now)
    alice = await feature_section(
        many_complaints, source, _window("U0ALICE", NOW), digests_home.HOME_EXTRA_LINES
    )
    assert alice.total == 100 and alice.hidden == 90
    labels = [e.when_label for e in alice.entries]
    assert "overdue since" in labels and labels == sorted(labels, reverse=True)


def _mine(*, newest: int, limit: int) -> dict[str, Any]:
    """The digest's source query as the Home's complaints section asks it: U0ALICE's own."""
    return dict(
        workspace_id=WS, owner="U0ALICE", party_teams=None, now=NOW, newest=newest, limit=limit
    )


async def test_a_few_complaints_are_all_shown_and_counted(store: Store) -> None:
    party_id = await _party(store)
    async with store.write() as conn:
        await _complaint(conn, 1, party_id, "U0ALICE", answer_due_at=NOW - timedelta(hours=1))
        await _complaint(conn, 2, party_id, "U0ALICE")
        await _complaint(conn, 3, party_id, "U0ALICE", status=ComplaintStatus.CLOSED.value)
    async with store.read() as conn:
        found, total = await complaints_repo.newest_open(conn, **_mine(newest=100, limit=10))
        assert [c.number for c, _ in found] == [1, 2] and total == 2
        found, total = await complaints_repo.newest_open(conn, **_mine(newest=100, limit=1))
        assert [c.number for c, _ in found] == [1] and total == 2
        found, total = await complaints_repo.newest_open(conn, **_mine(newest=1, limit=10))
        assert [c.number for c, _ in found] == [2] and total == 1


async def test_the_homes_queries_read_the_indexes(sqlite_url: str) -> None:
    """On SQLite, with no statistics (as Parley's databases are): the Home seeks its person's
    rows through migration 0028's indexes and reads no whole workspace."""
    store = Store.open(sqlite_url)
    await store.upgrade()
    sent: list[str] = []
    try:
        async with store.read() as conn:
            raw = sqlite_connection(conn)
            assert raw is not None
            for prepared, params in (
                (repo._MY_DISPUTES, {"workspace_id": WS, "member": "U0ALICE", "limit": 20}),
                (repo._MY_DISPUTES_COUNT, {"workspace_id": WS, "member": "U0ALICE"}),
                (
                    complaints_repo._NEWEST_OPEN[True, False][0],
                    {**_mine(newest=100, limit=10), "teams": None},
                ),
            ):
                plan = prepared.plan(conn.dialect, params)
                rows = raw.execute(f"EXPLAIN QUERY PLAN {plan.sql}", plan.arguments(params))
                sent.append(" | ".join(str(r[3]) for r in rows))
    finally:
        await store.close()
    disputes_page, disputes_count, complaints_page = sent
    assert "ix_disputes_owner_due (owner_id=? AND workspace_id=? AND status=?" in disputes_page
    assert "ix_dispute_members_user (user_id=?)" in disputes_page
    assert "ix_disputes_owner_due (owner_id=? AND workspace_id=? AND status=?)" in disputes_count
    assert "ix_dispute_members_user (user_id=?)" in disputes_count
    assert "ix_complaints_owner (workspace_id=? AND owner_id=?)" in complaints_page
    for plan in sent:
        assert "SCAN disputes" not in plan and "SCAN complaints" not in plan, plan
        assert "SCAN dispute_members" not in plan, plan


def test_the_indexes_are_declared() -> None:
    assert {"ix_disputes_owner_due"} <= {str(i.name) for i in disputes.indexes}
    assert {"ix_dispute_members_user"} <= {str(i.name) for i in dispute_members.indexes}
    assert {"ix_complaints_owner"} <= {str(i.name) for i in complaints.indexes}


@pytest.fixture
async def many_reviews(store: Store) -> AsyncIterator[Store]:
    """Reviews owned, taken part in, both or neither, scheduled or not, and another
    workspace's; open and done action items on them and on no review."""
    party_id = await _party(store)
    async with store.write() as conn:
        ids = []
        for number in range(1, 25):
            ws = "T0OTHER" if number == 24 else WS
            review_id = await reviews_repo.insert(
                conn,
                workspace_id=ws,
                number=number,
                title=f"review {number}",
                channel_id="C0DESK",
                owner_id=PEOPLE[number % 3],
                tz="Asia/Shanghai",
                recurrence=None,
                next_at=NOW + timedelta(days=number % 5, hours=number),
                report_within=None,
                meeting_within=None,
                now=NOW,
            )
            ids.append(review_id)
            if number % 2:
                await reviews_repo.add_party(conn, review_id=review_id, party_id=party_id)
            for position, person in enumerate(PEOPLE[:3]):
                if (number + position) % 3 == 1:
                    await reviews_repo.add_participant(
                        conn, review_id=review_id, user_id=person, party_id=None, position=position
                    )
            if number % 4 == 0:
                await conn.execute(
                    sa.update(review_table)
                    .where(review_table.c.id == review_id)
                    .values(status=ReviewStatus.CANCELLED.value)
                )
        for number in range(1, 31):
            await reviews_repo.insert_action(
                conn,
                workspace_id=WS,
                number=number,
                review_id=None if number % 6 == 0 else ids[number % len(ids)],
                owner_id=PEOPLE[number % 4],
                due_at=NOW + timedelta(days=number % 7),
                tz="Asia/Shanghai",
                text=f"action {number}",
                created_by="U0ALICE",
                now=NOW,
            )
        await conn.execute(
            sa.update(action_items)
            .where(action_items.c.number % 5 == 0)
            .values(status=ActionStatus.DONE.value)
        )
    yield store


async def test_a_persons_reviews_are_found_in_sql_as_they_were_kept_in_python(
    many_reviews: Store,
) -> None:
    async with many_reviews.read() as conn:
        everything = await reviews_repo.find(conn, workspace_id=WS)
        scheduled = await reviews_repo.find(
            conn, workspace_id=WS, statuses=[ReviewStatus.SCHEDULED]
        )
        for person in PEOPLE:
            for found, among in (
                (await reviews_repo.find(conn, workspace_id=WS, member=person), everything),
                (
                    await reviews_repo.find(
                        conn, workspace_id=WS, statuses=[ReviewStatus.SCHEDULED], member=person
                    ),
                    scheduled,
                ),
            ):
                assert found == [r for r in among if person in (r.owner_id, *r.participants)]
            assert found or person == "U0NOBODY"
        some = [r.id for r in everything[::3]]
        assert await reviews_repo.find(conn, workspace_id=WS, ids=some) == [
            r for r in everything if r.id in some
        ]
        assert await reviews_repo.find(conn, workspace_id=WS, ids=[]) == []


async def test_the_homes_reviews_and_action_items_are_those_of_before(
    many_reviews: Store,
) -> None:
    """The Home's sections of reviews and action items, against what they were made of
    before: every scheduled review (every review, for the action items) loaded and kept in
    Python."""
    for person in PEOPLE:
        window = _window(person, NOW)
        async with many_reviews.read() as conn:
            everything = await reviews_repo.find(conn, workspace_id=WS)
            items = await reviews_repo.open_actions(conn, workspace_id=WS, owner_id=person)
        by_id = {r.id: r for r in everything}
        expected = [
            reviews_flow._line(i, by_id.get(i.review_id) if i.review_id is not None else None)
            for i in items
            if i.review_id in by_id or (i.review_id is None and i.scorecard_id is not None)
        ]
        assert (
            await reviews_flow.open_actions_for(many_reviews, workspace_id=WS, user_id=person)
            == expected
        )
        scheduled = await reviews_flow.list_reviews(
            many_reviews, workspace_id=WS, include_all=False, audience=Audience()
        )
        lines = await upcoming_reviews(many_reviews, window)
        assert [line.entry for line in lines] == [
            DigestEntry(r.ref, r.title, when=r.next_at, when_label="next")
            for r in scheduled
            if person in (r.owner_id, *r.participants)
        ]
        for source in HOME_SOURCES[:2]:
            section = await feature_section(many_reviews, source, window, 3)
            assert section.total == len(lines if source.key is SectionKey.REVIEWS else expected)
