"""PostgreSQL's fast path (bot/store/inline_asyncpg.py) and its pool (bot/store/db.py):
prepared statements on asyncpg give SQLAlchemy's values, in the caller's transaction, prepared
once per connection, with SQLAlchemy's exceptions; reads run in AUTOCOMMIT; a pooled
connection is pinged only after it sat idle, and a dead one is replaced without a failure.

Every test needs a PostgreSQL server (`postgres_url` skips, with the reason, where none
answers at PARLEY_TEST_POSTGRES_URL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from bot.store import Store, db, inline_asyncpg
from bot.store import disputes_timeline as timeline_repo
from bot.store.prepared import Prepared, column_params
from bot.store.schema import outbox, parties
from bot.store.schema_praise import valueadds
from tests.conftest import POSTGRES_URL

NOW = datetime(2026, 11, 23, 2, 0, 0, 123456, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))

ADD_PARTY = Prepared(
    sa.insert(parties)
    .values(column_params(parties, "workspace_id", "name", "name_key", "kind", "created_at"))
    .returning(parties.c.id)
)
VALUEADD_COLUMNS = (
    "workspace_id",
    "number",
    "party_id",
    "what",
    "done_on",
    "cost_cents",
    "hours_tenths",
    "keeps_agreed_services",
    "fits_real_need",
    "cost_within_accepted",
    "can_build_on",
    "recorded_by",
    "recorded_at",
    "checks_by",
    "checks_at",
)
ADD_VALUEADD = Prepared(
    sa.insert(valueadds)
    .values(column_params(valueadds, *VALUEADD_COLUMNS))
    .returning(valueadds.c.id, valueadds.c.recorded_at, valueadds.c.done_on)
)
VALUEADD = Prepared(
    sa.select(*(valueadds.c[name] for name in VALUEADD_COLUMNS)).where(
        valueadds.c.id == sa.bindparam("id")
    )
)
ADD_OUTBOX = Prepared(
    sa.insert(outbox)
    .values(
        workspace_id="T1",
        kind="k",
        lane="dispute:1",
        status="pending",
        attempts=0,
        created_at=NOW,
        payload=sa.bindparam("payload", type_=outbox.c.payload.type),
        in_doubt=sa.bindparam("in_doubt", type_=outbox.c.in_doubt.type),
        next_attempt_at=sa.bindparam("next_attempt_at", type_=outbox.c.next_attempt_at.type),
    )
    .returning(outbox.c.id)
)
OUTBOX_ROW = Prepared(
    sa.select(
        outbox.c.payload, outbox.c.in_doubt, outbox.c.next_attempt_at, outbox.c.lease_until
    ).where(outbox.c.id == sa.bindparam("id"))
)
PARTY_NAMES = Prepared(
    sa.select(parties.c.name)
    .where(parties.c.id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(parties.c.id)
)
RENAME = Prepared(
    sa.update(parties).where(parties.c.id == sa.bindparam("b_id")).values(name=sa.bindparam("b"))
)
TRANSACTION_ID = Prepared(sa.select(sa.func.txid_current(type_=sa.BigInteger)))
BACKEND = Prepared(sa.select(sa.func.pg_backend_pid(type_=sa.Integer)))
MISSING = sa.Table("no_such_table", sa.MetaData(), sa.Column("id", sa.Integer))
FROM_MISSING = Prepared(sa.select(MISSING.c.id).where(MISSING.c.id == sa.bindparam("id")))


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[Store]:
    store = Store.open(postgres_url)
    await store.upgrade()
    yield store
    await store.close()


def party(name: str) -> dict[str, Any]:
    return {
        "workspace_id": "T1",
        "name": name,
        "name_key": name.lower(),
        "kind": "customer",
        "created_at": NOW,
    }


def valueadd(party_id: int, number: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "workspace_id": "T1",
        "number": number,
        "party_id": party_id,
        "what": "Racks moved <!channel> 机房",
        "done_on": date(2026, 11, 20),
        "cost_cents": 12_345_678_901,
        "hours_tenths": 15,
        "keeps_agreed_services": True,
        "fits_real_need": False,
        "cost_within_accepted": None,
        "can_build_on": None,
        "recorded_by": "U0ALICE",
        "recorded_at": NOW.astimezone(SHANGHAI),
        "checks_by": None,
        "checks_at": None,
    }
    values.update(changes)
    return values


class Prepares:
    """Counts asyncpg's `Connection.prepare` calls, by SQL."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        original = asyncpg.connection.Connection.prepare

        async def counted(connection: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            self.calls.append(query)
            return await original(connection, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.connection.Connection, "prepare", counted)

    def of(self, sql: str) -> int:
        return self.calls.count(sql)


async def test_prepared_statements_take_asyncpgs_path_on_postgresql(pg: Store) -> None:
    async with pg.write() as conn:
        assert inline_asyncpg.asyncpg_adapter(conn) is not None
        plan = ADD_PARTY.plan(conn.dialect)
        assert "$1" in plan.sql and "?" not in plan.sql


async def test_every_column_type_round_trips_as_sqlalchemy_gives_it(pg: Store) -> None:
    """UTC datetimes (given in another zone, and NULL), dates, big integers, booleans (true,
    false, NULL), text with markup and Chinese, JSON: the same values and types either way."""
    payload = {"text": "ünïcode 中文", "nested": [1, None, True], "n": 1.5}
    async with pg.write() as conn:
        party_id = await ADD_PARTY.scalar(conn, party("Acme"))
        first = await ADD_VALUEADD.first(conn, valueadd(party_id, 1))
        second = await ADD_VALUEADD.first(
            conn, valueadd(party_id, 2, checks_by="U0BOB", checks_at=NOW, cost_cents=None)
        )
        outbox_id = await ADD_OUTBOX.scalar(
            conn, {"payload": payload, "in_doubt": True, "next_attempt_at": NOW}
        )
        other_id = await ADD_OUTBOX.scalar(
            conn, {"payload": [], "in_doubt": False, "next_attempt_at": NOW}
        )
    assert first is not None and second is not None
    assert first[1:] == (NOW, date(2026, 11, 20)) and first[1].tzinfo is UTC
    async with pg.read() as conn:
        for row_id in (first[0], second[0]):
            fast = await VALUEADD.first(conn, {"id": row_id})
            core = (await conn.execute(VALUEADD.statement, {"id": row_id})).one()
            assert fast == tuple(core)
            assert [type(v) for v in fast or ()] == [type(v) for v in core]
        for row_id in (outbox_id, other_id):
            fast = await OUTBOX_ROW.first(conn, {"id": row_id})
            core = (await conn.execute(OUTBOX_ROW.statement, {"id": row_id})).one()
            assert fast == tuple(core)
            assert [type(v) for v in fast or ()] == [type(v) for v in core]
        assert await VALUEADD.first(conn, {"id": 999}) is None
    assert fast == ([], False, NOW, None)
    async with pg.read() as conn:
        stored = await VALUEADD.first(conn, {"id": first[0]})
        assert await OUTBOX_ROW.first(conn, {"id": outbox_id}) == (payload, True, NOW, None)
    assert stored == tuple(valueadd(party_id, 1, recorded_at=NOW).values())


async def test_statements_run_inside_the_callers_transaction(pg: Store) -> None:
    async with pg.write() as conn:
        await ADD_PARTY.scalar(conn, party("Kept"))
    with pytest.raises(RuntimeError, match="boom"):
        async with pg.write() as conn:
            core_tx = (await conn.execute(sa.select(sa.func.txid_current()))).scalar_one()
            assert await TRANSACTION_ID.scalar(conn) == core_tx
            await ADD_PARTY.scalar(conn, party("Lost"))
            assert await RENAME.execute(conn, {"b_id": 1, "b": "Renamed"}) == 1
            # SQLAlchemy's statements see the prepared ones' uncommitted rows, and back.
            names = (await conn.execute(sa.select(parties.c.name).order_by(parties.c.id))).all()
            assert [n for (n,) in names] == ["Renamed", "Lost"]
            await conn.execute(sa.insert(parties).values(party("Lost too")))
            assert await PARTY_NAMES.rows(conn, {"ids": [1, 2, 3]}) == [
                ("Renamed",),
                ("Lost",),
                ("Lost too",),
            ]
            raise RuntimeError("boom")
    async with pg.read() as conn:
        assert await PARTY_NAMES.rows(conn, {"ids": [1, 2, 3]}) == [("Kept",)]


async def test_a_block_of_only_prepared_statements_begins_and_commits(pg: Store) -> None:
    async with pg.write() as conn:
        first_tx = await TRANSACTION_ID.scalar(conn)
        assert await TRANSACTION_ID.scalar(conn) == first_tx  # one transaction, begun once
        await ADD_PARTY.scalar(conn, party("Committed"))
    async with pg.read() as conn:
        assert await PARTY_NAMES.rows(conn, {"ids": [1]}) == [("Committed",)]


async def test_each_statement_is_prepared_once_per_connection(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepares = Prepares(monkeypatch)
    async with pg.write() as conn:
        dialect = conn.dialect
        backend = await BACKEND.scalar(conn)
        for i in range(5):
            await ADD_PARTY.scalar(conn, party(f"P{i}"))
    for _ in range(3):  # the pool hands the same connection back: nothing prepared again
        async with pg.read() as conn:
            assert await BACKEND.scalar(conn) == backend
            assert len(await PARTY_NAMES.rows(conn, {"ids": [1, 2]})) == 2
            assert len(await PARTY_NAMES.rows(conn, {"ids": [3, 4]})) == 2
            assert len(await PARTY_NAMES.rows(conn, {"ids": [1, 2, 3]})) == 3
            driver = conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    assert prepares.of(ADD_PARTY.plan(dialect).sql) == 1
    assert prepares.of(BACKEND.plan(dialect).sql) == 1
    assert prepares.of(PARTY_NAMES.plan(dialect, {"ids": [1, 2]}).sql) == 1  # one per length
    assert prepares.of(PARTY_NAMES.plan(dialect, {"ids": [1, 2, 3]}).sql) == 1
    assert inline_asyncpg.prepared_count(driver) == 4
    # A second connection (open while the first is held) prepares for itself.
    async with pg.read() as held, pg.read() as other:
        assert await BACKEND.scalar(held) != await BACKEND.scalar(other)
    assert prepares.of(BACKEND.plan(dialect).sql) == 2


async def test_a_bad_statement_raises_what_sqlalchemy_raises(pg: Store) -> None:
    async with pg.write() as conn:
        await ADD_PARTY.scalar(conn, party("Acme"))
    cases: list[tuple[Prepared, dict[str, Any]]] = [
        (ADD_PARTY, party("Acme")),  # unique (workspace, name key): IntegrityError
        (FROM_MISSING, {"id": 1}),  # no such table: ProgrammingError
        (ADD_PARTY, {**party("Naive"), "created_at": NOW.replace(tzinfo=None)}),  # StatementError
        (ADD_PARTY, {**party("Huge"), "kind": "k" * 500}),  # too long for its column: DataError
    ]
    for statement, params in cases:
        raised: list[type[BaseException]] = []
        for run_it in ("prepared", "core"):
            with pytest.raises(sa.exc.StatementError) as caught:
                async with pg.write() as conn:
                    if run_it == "prepared":
                        await statement.rows(conn, params)
                    else:
                        await conn.execute(statement.statement, params)
            raised.append(type(caught.value))
        assert raised[0] is raised[1], (statement.statement, raised)
    async with pg.read() as conn:  # each block rolled back; its connection still works
        assert await PARTY_NAMES.rows(conn, {"ids": [1, 2, 3]}) == [("Acme",)]


async def test_reads_run_in_autocommit_without_begin(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun: list[str] = []
    original = asyncpg.transaction.Transaction.start

    async def start(transaction: Any) -> None:
        begun.append("BEGIN")
        await original(transaction)

    monkeypatch.setattr(asyncpg.transaction.Transaction, "start", start)
    async with pg.read() as conn:
        assert await PARTY_NAMES.rows(conn, {"ids": [1]}) == []
        assert (await conn.execute(sa.select(sa.func.count()).select_from(parties))).scalar() == 0
        first, second = await TRANSACTION_ID.scalar(conn), await TRANSACTION_ID.scalar(conn)
        assert first != second  # each statement its own transaction
    assert begun == []
    async with pg.write() as conn:  # a write block is one transaction, as before
        await ADD_PARTY.scalar(conn, party("Acme"))
        assert await TRANSACTION_ID.scalar(conn) == await TRANSACTION_ID.scalar(conn)
    assert begun == ["BEGIN"]
    async with pg.write() as conn:  # the pool's connection left AUTOCOMMIT behind
        await ADD_PARTY.scalar(conn, party("Initech"))
        assert await TRANSACTION_ID.scalar(conn) == await TRANSACTION_ID.scalar(conn)


class Pings:
    """Counts the pool's pings (`;` on the asyncpg connection)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = asyncpg.connection.Connection.fetchrow

        async def fetchrow(connection: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if query == ";":
                self.count += 1
            return await original(connection, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.connection.Connection, "fetchrow", fetchrow)


async def _terminate(backend: int) -> None:
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql://", "postgres://"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend)
    finally:
        await admin.close()


async def test_a_connection_in_steady_use_is_not_pinged(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 30)  # a loaded machine is slow
    async with pg.read() as conn:  # the fixture's migrations left it idle for a while
        await BACKEND.scalar(conn)
    pings = Pings(monkeypatch)
    for _ in range(5):
        async with pg.read() as conn:
            await BACKEND.scalar(conn)
        async with pg.write() as conn:
            await ADD_PARTY.scalar(conn, party(f"P{pings.count}-{_}"))
    assert pings.count == 0


async def test_a_killed_connection_is_replaced_after_idle(
    pg: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pg_terminate_backend on the pooled connection while it sat idle: the next block gets a
    new connection without an error, and an event seen before is still seen (exactly once)."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.05)
    pings = Pings(monkeypatch)
    async with pg.write() as conn:
        assert await timeline_repo.see_event(conn, event_id="Ev1", now=NOW)
        backend = await BACKEND.scalar(conn)
    await _terminate(backend)
    await asyncio.sleep(0.2)
    async with pg.write() as conn:
        assert not await timeline_repo.see_event(conn, event_id="Ev1", now=NOW)  # taken once
        assert await timeline_repo.see_event(conn, event_id="Ev2", now=NOW)
        replaced = await BACKEND.scalar(conn)
    assert replaced != backend and pings.count >= 1
    await _terminate(replaced)
    await asyncio.sleep(0.2)
    async with pg.read() as conn:  # reads too
        assert await BACKEND.scalar(conn) not in (backend, replaced)
    async with pg.write() as conn:
        assert not await timeline_repo.see_event(conn, event_id="Ev2", now=NOW)


async def test_a_connection_killed_in_steady_use_fails_one_block_and_is_dropped(
    pg: Store,
) -> None:
    """Not idle, so not pinged: the block that meets the dead connection fails (rolled back,
    as a lost connection fails on SQLAlchemy's own path); the pool drops it, the next block
    gets a new one."""
    async with pg.write() as conn:
        assert await timeline_repo.see_event(conn, event_id="Ev1", now=NOW)
        backend = await BACKEND.scalar(conn)
    await _terminate(backend)
    await asyncio.sleep(0.05)
    with pytest.raises(sa.exc.DBAPIError) as failed:
        async with pg.write() as conn:
            await timeline_repo.see_event(conn, event_id="Ev2", now=NOW)
    assert failed.value.connection_invalidated
    async with pg.write() as conn:
        assert await BACKEND.scalar(conn) != backend
        assert not await timeline_repo.see_event(conn, event_id="Ev1", now=NOW)
        assert await timeline_repo.see_event(conn, event_id="Ev2", now=NOW)  # not taken before
