"""The store on both engines: migrations, numbering, times, and the dispute workflow."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.config import ParleyConfig
from bot.domain.calendar import calendar_for
from bot.domain.errors import InvalidInput, NotAllowed
from bot.domain.lists import ListScope
from bot.domain.parties import Audience, Person
from bot.store import DatabaseError, NestedTransactionError, Store, normalise_database_url
from bot.store import counters as counters_repo
from bot.store import disputes as disputes_repo
from bot.store.db import MIGRATIONS
from bot.store.inline_sqlite import BUSY_STEP_MS
from bot.workflows import disputes

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
RAJ = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
IVAN = Person(user_id="U0IVAN", team_id="T0INITECH", name="ivan", team_name="Initech")


async def test_migrations_are_idempotent(store: Store) -> None:
    await store.upgrade()
    await store.upgrade()
    async with store.read() as conn:
        version = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).all()
    # Every head once (features add migrations side by side from one parent).
    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    assert sorted(v for (v,) in version) == sorted(heads)


async def test_numbers_are_unique_under_concurrent_writers(store: Store) -> None:
    async def take() -> int:
        async with store.write() as conn:
            return await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")

    numbers = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(numbers) == list(range(1, 21))
    async with store.write() as conn:
        other = await counters_repo.next_number(conn, workspace_id="T2", kind="dispute")
    assert other == 1


async def test_a_nested_write_in_one_task_raises_at_once_and_rolls_the_block_back(
    store: Store,
) -> None:
    # The timeout turns the old SQLite hang (waiting for its own write lock) into a failure.
    async def nest() -> None:
        async with store.write() as conn:
            await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")
            async with store.write():
                pytest.fail("a nested write block was entered")

    with pytest.raises(NestedTransactionError, match=r"store\.write\(\) inside"):
        await asyncio.wait_for(nest(), timeout=5)
    # The outer block was rolled back, and the store (its lock, its pool) is usable again.
    async with store.write() as conn:
        assert await counters_repo.next_number(conn, workspace_id="T1", kind="dispute") == 1


async def test_a_read_inside_a_write_of_the_same_task_raises(store: Store) -> None:
    # A read is another connection: it could not see the block's uncommitted rows.
    async def nest() -> None:
        async with store.write() as conn:
            await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")
            async with store.read():
                pytest.fail("a read was opened inside a write block")

    with pytest.raises(NestedTransactionError, match=r"store\.read\(\) inside"):
        await asyncio.wait_for(nest(), timeout=5)
    async with store.read() as conn:
        assert await counters_repo.peek(conn, workspace_id="T1", kind="dispute") == 0


async def test_writes_in_separate_tasks_are_not_nesting(store: Store) -> None:
    # A task started inside a write block copies the context but is not in the block: it
    # may write (after the block, on SQLite) and read while the block is open.
    seen: list[int] = []

    async def child() -> int:
        async with store.read() as conn:
            seen.append(await counters_repo.peek(conn, workspace_id="T1", kind="dispute"))
        async with store.write() as conn:
            return await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")

    async def parent() -> tuple[int, int]:
        async with store.write() as conn:
            first = await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")
            started = asyncio.create_task(child())
            await asyncio.sleep(0.05)  # the child reads, and its write waits for this block
        return first, await started

    assert await asyncio.wait_for(parent(), timeout=10) == (1, 2)
    assert seen == [0]
    # One task, one block after another: not nesting.
    for expected in (3, 4):
        async with store.write() as conn:
            assert (
                await counters_repo.next_number(conn, workspace_id="T1", kind="dispute") == expected
            )
    numbers = await asyncio.wait_for(asyncio.gather(*(_take(store) for _ in range(10))), timeout=30)
    assert sorted(numbers) == list(range(5, 15))


async def _take(store: Store) -> int:
    async with store.write() as conn:
        return await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")


async def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.write() as conn:
            await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")
            raise RuntimeError("boom")
    async with store.read() as conn:
        assert await counters_repo.peek(conn, workspace_id="T1", kind="dispute") == 0


async def test_write_blocks_one_after_another_commit_each_and_a_failed_one_leaves_nothing(
    store: Store,
) -> None:
    """Each write block is its own transaction: one that raised takes nothing with it, the next
    starts clean, and every connection is back in the pool at close."""
    assert [await _take(store) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(sa.exc.IntegrityError):
        async with store.write() as conn:
            await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")
            await conn.execute(sa.text("INSERT INTO counters SELECT * FROM counters"))
    with pytest.raises(RuntimeError):
        async with store.write() as conn:
            await counters_repo.next_number(conn, workspace_id="T1", kind="dispute")
            raise RuntimeError("boom")
    assert await _take(store) == 4
    async with store.read() as conn:
        assert await counters_repo.peek(conn, workspace_id="T1", kind="dispute") == 4
    await store.close()
    assert store.engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_open_dispute_round_trips_aware_utc_times(store: Store, config: ParleyConfig) -> None:
    calendar = calendar_for("CN", "Asia/Shanghai")
    shanghai_now = NOW.astimezone(timezone(timedelta(hours=8)))
    d = await disputes.open_dispute(
        store,
        workspace_id="T0PARLEY",
        channel_id="C0DESK",
        owner=ALICE,
        title="  Outage\tof   the core ",
        people=[RAJ, IVAN],
        config=config,
        calendar=calendar,
        now=shanghai_now,
    )
    assert d.ref == "D-1"
    assert d.title == "Outage of the core"
    assert d.opened_at == NOW and d.opened_at.tzinfo is not None
    # Acme agreed 2 working days; Initech has no agreement (3): the strictest wins.
    assert d.stage_due_at == NOW + timedelta(days=2)
    assert [(p.name, p.kind.value) for p in d.parties] == [
        ("Acme Networks", "supplier"),
        ("Initech", "supplier"),
    ]
    again, events = await disputes.dispute_record(
        store, workspace_id="T0PARLEY", number=1, audience=Audience()
    )
    assert again == d
    assert [e.kind for e in events] == ["opened", "party_added", "party_added"]
    assert all(e.at == NOW for e in events)


async def test_refusals_change_nothing(store: Store, config: ParleyConfig) -> None:
    calendar = calendar_for(None, "UTC")
    for owner, title, error in (
        (RAJ, "From outside", NotAllowed),
        (ALICE, "", InvalidInput),
        (ALICE, "x" * 151, InvalidInput),
    ):
        with pytest.raises(error):
            await disputes.open_dispute(
                store,
                workspace_id="T0PARLEY",
                channel_id="C0DESK",
                owner=owner,
                title=title,
                people=[],
                config=config,
                calendar=calendar,
                now=NOW,
            )
    async with store.read() as conn:
        assert await disputes_repo.count(conn, workspace_id="T0PARLEY") == 0
        assert await counters_repo.peek(conn, workspace_id="T0PARLEY", kind="dispute") == 0


async def test_lists_filter_by_scope_and_audience(store: Store, config: ParleyConfig) -> None:
    calendar = calendar_for("CN", "Asia/Shanghai")
    for title, people in (("Acme one", [RAJ]), ("Internal", []), ("Initech", [IVAN])):
        await disputes.open_dispute(
            store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=ALICE,
            title=title,
            people=people,
            config=config,
            calendar=calendar,
            now=NOW,
        )

    async def titles(scope: str, audience: Audience, when: datetime = NOW) -> list[str]:
        page = await disputes.list_disputes(
            store,
            workspace_id="T0PARLEY",
            scope=ListScope(scope),
            user_id="U0RAJ",
            audience=audience,
            now=when,
        )
        return [d.title for d in page.disputes]

    assert await titles("open", Audience()) == ["Initech", "Internal", "Acme one"]
    assert await titles("mine", Audience()) == ["Acme one"]
    assert await titles("open", Audience.shared(frozenset({"T0ACME"}))) == ["Acme one"]
    assert await titles("overdue", Audience()) == []
    # Three working days later (Thu 26 Nov) Acme's 2-day limit has passed, the others not yet.
    assert await titles("overdue", Audience(), NOW + timedelta(days=2, minutes=1)) == ["Acme one"]


def test_database_urls_are_normalised_or_refused() -> None:
    assert normalise_database_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    assert normalise_database_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    pg = normalise_database_url("postgresql://u@h/db?sslmode=require")
    assert pg.query == {"ssl": "require"}
    for bad in ("mysql://u@h/db", "not a url", "sqlite://", "sqlite:///:memory:"):
        with pytest.raises(DatabaseError):
            normalise_database_url(bad)


async def test_sqlite_is_durable_wal_with_foreign_keys(sqlite_url: str) -> None:
    s = Store.open(sqlite_url)
    try:
        await s.upgrade()
        async with s.read() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == BUSY_STEP_MS
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        await s.close()


async def test_sqlite_sync_full_and_the_postgresql_pool_size_are_settings(
    sqlite_url: str, postgres_url: str
) -> None:
    from bot.settings import Settings

    settings = Settings(_env_file=None, PARLEY_SQLITE_SYNC=" FULL ", PARLEY_DB_POOL_SIZE=3)
    assert settings.PARLEY_SQLITE_SYNC == "full"
    full = Store.open(sqlite_url, sqlite_sync=settings.PARLEY_SQLITE_SYNC)
    try:
        async with full.read() as conn:
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        await full.close()
    with pytest.raises(DatabaseError, match="PARLEY_SQLITE_SYNC must be normal or full"):
        Store.open(sqlite_url, sqlite_sync="off")
    pooled = Store.open(postgres_url, pool_size=settings.PARLEY_DB_POOL_SIZE)
    try:
        await pooled.check()
        pool = pooled.engine.sync_engine.pool
        assert pool.size() == 3 and pool._max_overflow == 3  # type: ignore[attr-defined]
    finally:
        await pooled.close()


async def test_a_writer_waits_for_another_process_lock_without_blocking_the_loop(
    sqlite_url: str,
) -> None:
    """Another process (`parley digest send`, a second instance) holding SQLite's write lock
    is waited for in short steps with the event loop free: the lock is released by a task on
    this same loop, so the write only goes through if the loop kept running while it waited."""
    s = Store.open(sqlite_url)
    try:
        await s.upgrade()
        path = sqlite_url.removeprefix("sqlite:///")
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")

        async def release_later() -> None:
            await asyncio.sleep(0.3)
            other.execute("COMMIT")

        releaser = asyncio.create_task(release_later())
        number = await counters_repo_next(s)
        await releaser
        other.close()
        assert number == 1
    finally:
        await s.close()


async def counters_repo_next(s: Store) -> int:
    async with s.write() as conn:
        return await counters_repo.next_number(conn, workspace_id="T0PARLEY", kind="dispute")


async def test_a_database_that_cannot_be_opened_is_one_clear_error(tmp_path: object) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        Store.open(f"sqlite:///{tmp_path}/missing/folder/x.db")
    s = Store.open("postgresql://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(DatabaseError, match="cannot open the database"):
            await s.check()
    finally:
        await s.close()


async def test_a_long_list_is_one_page_with_the_true_total(
    store: Store, config: ParleyConfig
) -> None:
    calendar = calendar_for(None, "UTC")
    for n in range(30):
        await disputes.open_dispute(
            store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=ALICE,
            title=f"Case {n}",
            people=[],
            config=config,
            calendar=calendar,
            now=NOW,
        )
    page = await disputes.list_disputes(
        store,
        workspace_id="T0PARLEY",
        scope=ListScope.OPEN,
        user_id="U0ALICE",
        audience=Audience(),
        now=NOW,
        limit=25,
    )
    assert page.total == 30
    assert [d.number for d in page.disputes] == list(range(30, 5, -1))


async def test_a_send_is_claimed_once_even_by_concurrent_claimers(store: Store) -> None:
    from bot.workflows.sends import claim_send

    results = await asyncio.gather(
        *(claim_send(store, key="digest:C1:2026-11-23", now=NOW) for _ in range(10))
    )
    assert sorted(results) == [False] * 9 + [True]
    assert await claim_send(store, key="digest:C1:2026-11-24", now=NOW)
