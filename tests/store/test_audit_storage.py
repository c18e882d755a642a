"""Scorecards on both engines: S-n read back as written with its dimensions in order, rating
and publishing only a draft of the current version, a new version keeping the published one,
posts recorded once per version and channel, comments and appeals by version, the export's
batches, the rating's CHECK, schedules moved on once, memberships recorded once per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain.audits import (
    Band,
    Dimension,
    DimensionScore,
    PostAudience,
    ScorecardStatus,
)
from bot.domain.parties import PartyKind
from bot.store import Store, counters
from bot.store import audit_schedules as schedules_repo
from bot.store import audits as audits_repo
from bot.store import memberships as memberships_repo
from bot.store import parties as parties_repo
from bot.store.schema_audits import channel_memberships, scorecard_dimensions, scorecards

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
START = datetime(2026, 7, 1, tzinfo=UTC)
END = datetime(2026, 10, 1, tzinfo=UTC)
WS = "T0PARLEY"

DIMENSIONS = (
    DimensionScore(
        dimension=Dimension.RESPONSIVENESS,
        score=78,
        facts={"within": 7, "replies": 9, "median_hours": 1.5},
        weight=20.0,
    ),
    DimensionScore(dimension=Dimension.PROBLEM_SOLVING, score=None, facts={}, weight=20.0),
    DimensionScore(
        dimension=Dimension.CUSTOMER_FEEDBACK,
        score=60,
        facts={"answers": 4, "complaints": 1, "note": "服务"},
        weight=20.0,
    ),
)


async def a_supplier(store: Store) -> int:
    async with store.write() as conn:
        party = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Acme Networks",
            kind=PartyKind.SUPPLIER,
            slack_team="T0ACME",
            now=NOW,
        )
    return party.id


async def a_scorecard(store: Store, party_id: int, schedule_id: int | None = None) -> int:
    async with store.write() as conn:
        number = await counters.next_number(conn, workspace_id=WS, kind=audits_repo.COUNTER_KIND)
        return await audits_repo.insert(
            conn,
            workspace_id=WS,
            number=number,
            party_id=party_id,
            period_start=START,
            period_end=END,
            owner_id="U0ALICE",
            now=NOW,
            created_by="U0ALICE" if schedule_id is None else None,
            dimensions=DIMENSIONS,
            total=69.0,
            band=Band.C,
            schedule_id=schedule_id,
        )


async def test_a_scorecard_reads_back_as_written(store: Store) -> None:
    party_id = await a_supplier(store)
    scorecard_id = await a_scorecard(store, party_id)
    second = await a_scorecard(store, party_id)
    async with store.read() as conn:
        card = await audits_repo.get(conn, workspace_id=WS, number=1)
        same = await audits_repo.by_id(conn, scorecard_id=scorecard_id)
        page, count = await audits_repo.find(conn, workspace_id=WS, party_id=party_id, limit=1)
        drafts, _ = await audits_repo.find(
            conn, workspace_id=WS, status=ScorecardStatus.PUBLISHED, limit=10
        )
        missing = await audits_repo.get(conn, workspace_id="T0OTHER", number=1)
    assert card is not None and card == same
    assert card.ref == "S-1" and card.party.name == "Acme Networks"
    assert (card.period_start, card.period_end) == (START, END)
    assert card.status is ScorecardStatus.DRAFT and card.version == 1
    assert (card.total, card.band, card.cooperation) == (69.0, Band.C, None)
    assert card.dimensions == DIMENSIONS  # stored in any order, read in the contract's
    assert card.score_of(Dimension.PROBLEM_SOLVING) == DIMENSIONS[1]
    assert [c.id for c in page] == [second] and count == 2
    assert drafts == [] and missing is None


async def test_rating_and_publishing_take_only_a_draft_of_the_current_version(
    store: Store,
) -> None:
    party_id = await a_supplier(store)
    scorecard_id = await a_scorecard(store, party_id)
    async with store.write() as conn:
        # Not rated yet: not published.
        assert not await audits_repo.publish(
            conn, scorecard_id=scorecard_id, version=1, by="U0ALICE", now=NOW
        )
        assert not await audits_repo.set_rating(
            conn, scorecard_id=scorecard_id, version=2, cooperation=4, notes=None, by="U0A", now=NOW
        )
        assert await audits_repo.set_rating(
            conn,
            scorecard_id=scorecard_id,
            version=1,
            cooperation=4,
            notes="<!channel> 配合良好",
            by="U0ALICE",
            now=NOW,
        )
        coop = DimensionScore(
            dimension=Dimension.COOPERATION, score=75, facts={"rating": 4}, weight=10.0
        )
        await audits_repo.set_dimensions(
            conn, scorecard_id=scorecard_id, version=1, dimensions=[coop], total=70.0, band=Band.B
        )
        assert await audits_repo.publish(
            conn, scorecard_id=scorecard_id, version=1, by="U0ALICE", now=NOW
        )
        assert not await audits_repo.publish(
            conn, scorecard_id=scorecard_id, version=1, by="U0ALICE", now=NOW
        )
        assert not await audits_repo.set_rating(
            conn, scorecard_id=scorecard_id, version=1, cooperation=2, notes=None, by="U0A", now=NOW
        )
    async with store.read() as conn:
        card = await audits_repo.by_id(conn, scorecard_id=scorecard_id)
    assert card is not None
    assert card.status is ScorecardStatus.PUBLISHED and card.published_at == NOW
    assert (card.cooperation, card.notes, card.rated_by) == (4, "<!channel> 配合良好", "U0ALICE")
    assert (card.total, card.band) == (70.0, Band.B)
    assert card.dimensions[-1] == coop and len(card.dimensions) == 4


async def test_a_new_version_keeps_the_published_one(store: Store) -> None:
    party_id = await a_supplier(store)
    scorecard_id = await a_scorecard(store, party_id)
    later = NOW + timedelta(days=3)
    async with store.write() as conn:
        assert await audits_repo.new_version(conn, scorecard_id=scorecard_id, version=1) is None
        await audits_repo.set_rating(
            conn, scorecard_id=scorecard_id, version=1, cooperation=3, notes="v1", by="U0A", now=NOW
        )
        await audits_repo.publish(conn, scorecard_id=scorecard_id, version=1, by="U0A", now=NOW)
        assert await audits_repo.new_version(conn, scorecard_id=scorecard_id, version=1) == 2
        assert await audits_repo.new_version(conn, scorecard_id=scorecard_id, version=1) is None
        await audits_repo.set_rating(
            conn,
            scorecard_id=scorecard_id,
            version=2,
            cooperation=5,
            notes="v2",
            by="U0B",
            now=later,
        )
        changed = DimensionScore(dimension=Dimension.RESPONSIVENESS, score=10, weight=20.0)
        await audits_repo.set_dimensions(
            conn,
            scorecard_id=scorecard_id,
            version=2,
            dimensions=[changed],
            total=40.0,
            band=Band.D,
        )
    async with store.read() as conn:
        card = await audits_repo.by_id(conn, scorecard_id=scorecard_id)
        kept = await audits_repo.versions(conn, scorecard_id=scorecard_id)
    assert card is not None
    assert (card.version, card.status, card.published_at) == (2, ScorecardStatus.DRAFT, None)
    assert (card.cooperation, card.notes, card.band) == (5, "v2", Band.D)
    assert card.dimensions[0] == changed and card.dimensions[1:] == DIMENSIONS[1:]
    [first] = kept
    assert (first.version, first.cooperation, first.notes, first.published_at) == (1, 3, "v1", NOW)
    assert (first.total, first.band) == (69.0, Band.C)
    assert first.dimensions == DIMENSIONS


async def test_posts_are_recorded_once_per_version_and_channel(store: Store) -> None:
    party_id = await a_supplier(store)
    scorecard_id = await a_scorecard(store, party_id)
    async with store.write() as conn:
        for channel, audience in (
            ("C0AUDITS", PostAudience.INTERNAL),
            ("C0ACME", PostAudience.PARTY),
        ):
            assert await audits_repo.add_post(
                conn,
                scorecard_id=scorecard_id,
                version=1,
                channel_id=channel,
                ts="1.0",
                audience=audience,
                now=NOW,
            )
        assert not await audits_repo.add_post(
            conn,
            scorecard_id=scorecard_id,
            version=1,
            channel_id="C0ACME",
            ts="2.0",
            audience=PostAudience.PARTY,
            now=NOW,
        )
        assert await audits_repo.add_post(
            conn,
            scorecard_id=scorecard_id,
            version=2,
            channel_id="C0ACME",
            ts="3.0",
            audience=PostAudience.PARTY,
            now=NOW,
        )
    async with store.read() as conn:
        every = await audits_repo.posts(conn, scorecard_id=scorecard_id)
        second = await audits_repo.posts(conn, scorecard_id=scorecard_id, version=2)
    assert [(p.channel_id, p.version, p.ts, p.audience) for p in every] == [
        ("C0AUDITS", 1, "1.0", PostAudience.INTERNAL),
        ("C0ACME", 1, "1.0", PostAudience.PARTY),
        ("C0ACME", 2, "3.0", PostAudience.PARTY),
    ]
    assert [p.ts for p in second] == ["3.0"]


async def test_comments_and_appeals_by_version(store: Store) -> None:
    party_id = await a_supplier(store)
    scorecard_id = await a_scorecard(store, party_id)
    async with store.write() as conn:
        await audits_repo.add_comment(
            conn,
            scorecard_id=scorecard_id,
            version=1,
            user_id="U0RAJ",
            party_id=party_id,
            text="<https://x|label> fair",
            now=NOW,
        )
        await audits_repo.add_appeal(
            conn,
            scorecard_id=scorecard_id,
            version=1,
            user_id="U0RAJ",
            party_id=party_id,
            text="响应时间有误",
            now=NOW,
        )
        await audits_repo.add_comment(
            conn,
            scorecard_id=scorecard_id,
            version=2,
            user_id="U0RAJ",
            party_id=party_id,
            text="thanks",
            now=NOW,
        )
    async with store.read() as conn:
        every = await audits_repo.comments(conn, scorecard_id=scorecard_id)
        first = await audits_repo.comments(conn, scorecard_id=scorecard_id, version=1)
        appealed = await audits_repo.appeals(conn, scorecard_id=scorecard_id)
        both = await audits_repo.remarks_of(conn, scorecard_ids=[scorecard_id])
    assert [c.text for c in every] == ["<https://x|label> fair", "thanks"]
    assert [c.text for c in first] == ["<https://x|label> fair"]
    assert [(a.text, a.user_id, a.party_id, a.version) for a in appealed] == [
        ("响应时间有误", "U0RAJ", party_id, 1)
    ]
    assert both[scorecard_id] == (every, appealed)


async def test_the_exports_batches_cover_every_scorecard(store: Store) -> None:
    party_id = await a_supplier(store)
    ids = [await a_scorecard(store, party_id) for _ in range(5)]
    async with store.read() as conn:
        batches = [[c.id for c in b] async for b in audits_repo.in_batches(conn, size=2)]
    assert batches == [ids[0:2], ids[2:4], ids[4:]]


async def test_a_rating_outside_1_to_5_is_refused_by_the_database(store: Store) -> None:
    party_id = await a_supplier(store)
    scorecard_id = await a_scorecard(store, party_id)
    with pytest.raises(sa.exc.IntegrityError):
        async with store.write() as conn:
            await conn.execute(
                sa.update(scorecards).where(scorecards.c.id == scorecard_id).values(cooperation=6)
            )
    async with store.read() as conn:
        rows = (
            await conn.execute(sa.select(sa.func.count()).select_from(scorecard_dimensions))
        ).scalar_one()
    assert rows == len(DIMENSIONS)


async def test_a_schedule_moves_on_once_and_its_draft_is_made_once(store: Store) -> None:
    party_id = await a_supplier(store)
    async with store.write() as conn:
        schedule_id = await schedules_repo.insert(
            conn,
            workspace_id=WS,
            party_id=party_id,
            recurrence="RRULE:FREQ=MONTHLY;INTERVAL=3",
            next_at=END,
            owner_id="U0ALICE",
            now=NOW,
        )
    async with store.read() as conn:
        [due] = await schedules_repo.due(conn, now=END)
        assert await schedules_repo.due(conn, now=END - timedelta(seconds=1)) == []
    assert (due.id, due.next_at, due.party.name) == (schedule_id, END, "Acme Networks")
    following = datetime(2027, 1, 1, tzinfo=UTC)
    async with store.write() as conn:
        assert await schedules_repo.advance(conn, schedule_id=schedule_id, was=END, to=following)
        assert not await schedules_repo.advance(
            conn, schedule_id=schedule_id, was=END, to=following
        )
    scorecard_id = await a_scorecard(store, party_id, schedule_id=schedule_id)
    with pytest.raises(sa.exc.IntegrityError):
        await a_scorecard(store, party_id, schedule_id=schedule_id)
    async with store.write() as conn:
        found = await schedules_repo.for_schedule(conn, schedule_id=schedule_id, period_start=START)
        assert found is not None and found.id == scorecard_id and found.created_by is None
        assert await schedules_repo.claim_reminder(conn, scorecard_id=scorecard_id)
        assert not await schedules_repo.claim_reminder(conn, scorecard_id=scorecard_id)
        assert await schedules_repo.deactivate(conn, workspace_id=WS, party_id=party_id) == 1
        assert await schedules_repo.active(conn, workspace_id=WS) == []


async def test_a_membership_event_is_recorded_once(store: Store) -> None:
    party_id = await a_supplier(store)
    async with store.write() as conn:
        for _ in range(2):
            await memberships_repo.record(
                conn,
                workspace_id=WS,
                channel_id="C0ACME",
                user_id="U0RAJ",
                team_id="T0ACME",
                party_id=party_id,
                event=memberships_repo.MembershipEvent.LEFT,
                at=NOW,
                event_id="Ev0LEFT",
            )
    async with store.read() as conn:
        rows = (await conn.execute(sa.select(channel_memberships))).all()
    assert [(r.user_id, r.event, r.party_id) for r in rows] == [("U0RAJ", "left", party_id)]


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    from bot.store import normalise_database_url
    from bot.store.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = normalise_database_url(url)
    (command.downgrade if down else command.upgrade)(cfg, revision)


async def test_an_improvement_action_belongs_to_a_scorecard_and_0022_goes_down_and_up(
    database_url: str,
) -> None:
    import asyncio

    from bot.store.schema import action_items

    await asyncio.to_thread(_migrate, database_url, "0022")
    store = Store.open(database_url)
    try:
        party_id = await a_supplier(store)
        scorecard_id = await a_scorecard(store, party_id)
        async with store.write() as conn:
            await conn.execute(
                sa.insert(action_items).values(
                    workspace_id=WS,
                    number=1,
                    review_id=None,
                    scorecard_id=scorecard_id,
                    owner_id="U0ALICE",
                    due_at=NOW,
                    tz="UTC",
                    text="Improve responses",
                    status="open",
                    created_at=NOW,
                    created_by="U0ALICE",
                )
            )
        async with store.read() as conn:
            row = (await conn.execute(sa.select(action_items))).one()
        assert (row.review_id, row.scorecard_id) == (None, scorecard_id)
        async with store.write() as conn:
            await conn.execute(sa.delete(action_items))
        await asyncio.to_thread(_migrate, database_url, "0021", down=True)
        async with store.read() as conn:
            tables = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
            columns = await conn.run_sync(
                lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("action_items")]
            )
        assert "scorecards" not in tables and "channel_memberships" not in tables
        assert "scorecard_id" not in columns
        await asyncio.to_thread(_migrate, database_url, "0022")
    finally:
        await store.close()
