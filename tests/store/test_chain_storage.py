"""The record chain in the store, on both engines: appends seal each event on its dispute's
chain, two Parleys appending to one dispute never fork it, and the upgrade seals the record
kept before it."""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.config import ParleyConfig
from bot.domain import chain
from bot.domain.calendar import calendar_for
from bot.domain.ladder import Action
from bot.domain.parties import Person
from bot.domain.timeline import TimelineKind
from bot.store import Store, normalise_database_url
from bot.store import digests as digests_repo
from bot.store import disputes as disputes_repo
from bot.store import disputes_chain as chain_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store.db import MIGRATIONS
from bot.store.schema import disputes as disputes_table
from bot.store.schema import timeline
from bot.workflows import disputes
from bot.workflows.export import ExportKind, export_document, write_export
from bot.workflows.verify import verify

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")


async def _rows(store: Store, dispute_id: int) -> list[sa.Row[tuple[object, ...]]]:
    async with store.read() as conn:
        return list(
            await conn.execute(
                sa.select(timeline)
                .where(timeline.c.dispute_id == dispute_id)
                .order_by(timeline.c.id)
            )
        )


async def _head(store: Store, dispute_id: int) -> str | None:
    async with store.read() as conn:
        found = await conn.execute(
            sa.select(disputes_table.c.chain_head).where(disputes_table.c.id == dispute_id)
        )
        return found.scalar_one()  # type: ignore[no-any-return]


async def test_each_event_is_sealed_on_its_disputes_chain(
    store: Store, config: ParleyConfig
) -> None:
    calendar = calendar_for("CN", "Asia/Shanghai")
    d = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0DESK",
        owner=ALICE,
        title="核心交换机故障 <!channel>",
        people=[RAJ],
        config=config,
        calendar=calendar,
        now=NOW,
    )
    await disputes.add_note(
        store, workspace_id="T0PARLEY", number=d.number, actor=ALICE, text="内部备注", now=NOW
    )
    await disputes.act(
        store,
        workspace_id="T0PARLEY",
        number=d.number,
        action=Action.ESCALATE,
        actor=ALICE,
        text="No answer",
        config=config,
        calendar=calendar,
        now=NOW + timedelta(hours=1),
    )
    rows = await _rows(store, d.id)
    assert len(rows) >= 3
    prev = chain.GENESIS
    for row in rows:
        assert row.prev_hash == prev
        sealed = timeline_repo.sealed_row(row._mapping, workspace_id="T0PARLEY", number=d.number)
        assert row.hash == chain.seal(sealed, prev)
        prev = row.hash
    assert await _head(store, d.id) == prev
    async with store.read() as conn:
        loaded = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=d.number)
        events = await timeline_repo.events(conn, dispute_id=d.id)
    assert loaded is not None and loaded.chain_head == prev
    assert [e.hash for e in events] == [r.hash for r in rows]
    verdict = await verify(store)
    assert verdict.holds and (verdict.disputes, verdict.events) == (1, len(rows))


async def test_a_placement_is_appended_and_the_reply_is_read_on_its_party(
    store: Store, config: ParleyConfig
) -> None:
    d = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0DESK",
        owner=ALICE,
        title="Placed later",
        people=[RAJ],
        config=config,
        calendar=calendar_for(None, "UTC"),
        now=NOW,
    )
    acme = d.parties[0]
    async with store.write() as conn:
        await timeline_repo.add_event(
            conn,
            dispute_id=d.id,
            kind=TimelineKind.REPLY,
            at=NOW,
            actor_id="U0RAJ",
            text="hello",
            message=("C0DESK", "1.1"),
        )
        reply = await timeline_repo.recorded_reply(
            conn, dispute_id=d.id, channel_id="C0DESK", ts="1.1"
        )
        assert reply is not None and reply[1] is None
        await timeline_repo.add_event(
            conn,
            dispute_id=d.id,
            kind=TimelineKind.PLACED,
            at=NOW,
            actor_id="U0RAJ",
            party_id=acme.id,
            message=("C0DESK", "1.1"),
            response=(60, 60),
        )
        placed = await timeline_repo.recorded_reply(
            conn, dispute_id=d.id, channel_id="C0DESK", ts="1.1"
        )
        assert placed is not None and placed[1] == acme.id
    async with store.read() as conn:
        events = await timeline_repo.events(conn, dispute_id=d.id)
    reply_event = next(e for e in events if e.kind is TimelineKind.REPLY)
    assert reply_event.party == acme.name and reply_event.response_wall_seconds == 60
    rows = await _rows(store, d.id)
    stored = next(r for r in rows if r.kind == "reply")
    assert stored.party_id is None  # the reply's row is as it was stored
    assert (await verify(store)).holds


async def test_two_parleys_appending_to_one_dispute_never_fork_it(
    postgres_url: str, config: ParleyConfig
) -> None:
    first, second = Store.open(postgres_url), Store.open(postgres_url)
    await first.upgrade()
    try:
        d = await disputes.open_dispute(
            first,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=ALICE,
            title="Raced",
            people=[],
            config=config,
            calendar=calendar_for(None, "UTC"),
            now=NOW,
        )

        async def append(store: Store, i: int) -> None:
            async with store.write() as conn:
                await timeline_repo.add_event(
                    conn,
                    dispute_id=d.id,
                    kind=TimelineKind.NOTE,
                    at=NOW + timedelta(seconds=i),
                    actor_id="U0ALICE",
                    text=f"note {i}",
                )
                await asyncio.sleep(0)  # hold the transaction open across a turn of the loop

        await asyncio.gather(*(append(first if i % 2 else second, i) for i in range(40)))
        rows = await _rows(first, d.id)
        assert len(rows) == 41
        prevs = [r.prev_hash for r in rows]
        assert len(set(prevs)) == len(prevs)  # no two events chained to the same one
        verdict = await verify(first)
        assert verdict.holds, verdict.fault
        assert verdict.events == 41
    finally:
        await first.close()
        await second.close()


def _migrate(url: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = normalise_database_url(url)
    command.upgrade(cfg, revision)


# The tables as they were at 0015, without the chain's columns.
_old = sa.MetaData()
_old_disputes = sa.Table(
    "disputes",
    _old,
    *(sa.Column(c.name, c.type) for c in disputes_table.c if c.name != "chain_head"),
)
_old_timeline = sa.Table(
    "timeline",
    _old,
    *(sa.Column(c.name, c.type) for c in timeline.c if c.name not in ("hash", "prev_hash")),
)


async def _record_at_0015(url: str) -> None:
    store = Store.open(url)
    try:
        async with store.write() as conn:
            for n in range(1, 5):
                await conn.execute(
                    sa.insert(_old_disputes).values(
                        id=n,
                        workspace_id="T0PARLEY",
                        number=n,
                        title=f"Old {n}",
                        status="open",
                        stage="coordination",
                        channel_id="C0DESK",
                        owner_id="U0ALICE",
                        opened_at=NOW,
                        stage_started_at=NOW,
                        legal_hold=False,
                    )
                )
            # Dispute 4 has no events; the others' are out of time order (a reply recorded
            # after a later escalation), and in Chinese.
            for n in range(1, 4):
                for i in range(n * 3):
                    await conn.execute(
                        sa.insert(_old_timeline).values(
                            dispute_id=n,
                            kind="reply" if i % 2 else "note",
                            at=NOW + timedelta(minutes=(7 * i) % 5),
                            actor_id="U0RAJ",
                            text=f"第{i}条 {n}",
                            channel_id="C0DESK" if i % 2 else None,
                            message_ts=f"{n}.{i}" if i % 2 else None,
                        )
                    )
    finally:
        await store.close()


async def test_the_upgrade_seals_the_record_kept_before_it(empty_database_url: str) -> None:
    await asyncio.to_thread(_migrate, empty_database_url, "0015")
    await _record_at_0015(empty_database_url)
    store = Store.open(empty_database_url)
    try:
        await store.upgrade()
        verdict = await verify(store)
        assert verdict.holds, verdict.fault
        assert (verdict.disputes, verdict.events) == (4, 3 + 6 + 9)
        assert await _head(store, 4) is None
        sealed = [r.hash for r in await _rows(store, 3)]
        # In small batches, across disputes' edges, the same hashes come out.
        spec = importlib.util.spec_from_file_location(
            "record_chain_0016", MIGRATIONS / "versions" / "0016_record_chain.py"
        )
        assert spec is not None and spec.loader is not None
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        async with store.write() as conn:
            await conn.execute(sa.update(timeline).values(hash=None, prev_hash=None))
            await conn.execute(sa.update(disputes_table).values(chain_head=None))
            count = await conn.run_sync(lambda sync: migration.seal_everything(sync, batch=4))
        assert count == 18
        assert [r.hash for r in await _rows(store, 3)] == sealed
        assert (await verify(store)).holds
        # And a record opened after the upgrade chains on.
        async with store.write() as conn:
            await timeline_repo.add_event(
                conn, dispute_id=3, kind=TimelineKind.NOTE, at=NOW, actor_id="U0ALICE", text="new"
            )
        rows = await _rows(store, 3)
        assert rows[-1].prev_hash == sealed[-1]
        assert (await verify(store)).events == 19
    finally:
        await store.close()


async def test_the_export_carries_each_events_hashes(store: Store, config: ParleyConfig) -> None:
    for title in ("One", "二"):
        await disputes.open_dispute(
            store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=ALICE,
            title=title,
            people=[RAJ],
            config=config,
            calendar=calendar_for(None, "UTC"),
            now=NOW,
        )
    document = await export_document(store)
    for number, d in enumerate(document["disputes"], start=1):
        prev = chain.GENESIS
        for event in d["timeline"]:
            assert event["prev_hash"] == prev and chain.is_hash(event["hash"])
            prev = event["hash"]
        assert prev == await _head(store, number)
    written: list[str] = []
    await write_export(store, written.append, fmt="csv", kind=ExportKind.TIMELINE)
    rows = list(csv.DictReader(io.StringIO("".join(written))))
    flat = [e for d in document["disputes"] for e in d["timeline"]]
    assert [(r["hash"], r["prev_hash"]) for r in rows] == [
        (e["hash"], e["prev_hash"]) for e in flat
    ]


async def test_digests_count_a_reply_on_its_party_as_placed_now(
    store: Store, config: ParleyConfig
) -> None:
    d = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0DESK",
        owner=ALICE,
        title="Digest of placed replies",
        people=[RAJ],
        config=config,
        calendar=calendar_for(None, "UTC"),
        now=NOW,
    )
    acme = d.parties[0]
    reply_at = NOW + timedelta(hours=1)

    async def add(kind: TimelineKind, party_id: int | None) -> None:
        async with store.write() as conn:
            await timeline_repo.add_event(
                conn,
                dispute_id=d.id,
                kind=kind,
                at=reply_at,
                actor_id="U0RAJ",
                party_id=party_id,
                text="hello" if kind is TimelineKind.REPLY else None,
                message=("C0DESK", "2.2"),
            )

    async def counted() -> tuple[list[int], dict[int, list[tuple[str, int]]]]:
        window = {"since": NOW, "until": NOW + timedelta(days=1)}
        async with store.read() as conn:
            ids, _ = await digests_repo.replied_disputes(
                conn, workspace_id="T0PARLEY", member=None, team_ids=None, limit=10, **window
            )
            who = await digests_repo.repliers(conn, dispute_ids=[d.id], team_ids=None, **window)
        return ids, who

    await add(TimelineKind.REPLY, None)  # stored before the ack: no party yet
    assert await counted() == ([], {})
    await add(TimelineKind.PLACED, acme.id)  # Slack's record: Acme's
    assert await counted() == ([d.id], {d.id: [("U0RAJ", acme.id)]})
    await add(TimelineKind.PLACED, None)  # placed again: one of ours after all
    assert await counted() == ([], {})
    assert (await verify(store)).holds


async def test_verify_reads_one_moment_while_events_are_appended(
    store: Store, database_url: str, config: ParleyConfig
) -> None:
    d = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0DESK",
        owner=ALICE,
        title="Busy",
        people=[],
        config=config,
        calendar=calendar_for(None, "UTC"),
        now=NOW,
    )
    other = Store.open(database_url)  # another Parley, appending while verify reads
    try:
        async with store.read() as conn:
            await chain_repo.hold_still(conn)
            (heads,) = [batch async for batch in chain_repo.heads(conn)]
            async with other.write() as writing:
                await timeline_repo.add_event(
                    writing, dispute_id=d.id, kind=TimelineKind.NOTE, at=NOW, actor_id="U0ALICE"
                )
            walk = chain.ChainWalk("T0PARLEY", d.number)
            async for links in chain_repo.links(conn, first=d.id, last=d.id):
                for _, link in links:
                    assert walk.step(link) is None
            # The event appended after the heads were read is not seen: the head still matches.
            assert walk.finish(heads[0].head) is None
    finally:
        await other.close()
    assert (await verify(store)).holds
