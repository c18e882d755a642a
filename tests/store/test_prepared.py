"""Prepared statements (bot/store/prepared.py): on SQLite they run on the sqlite3 connection,
on PostgreSQL on asyncpg's own prepared statements (more in test_pg_prepared.py); either way
the same rows, values, transactions and errors."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

import bot.store
from bot.domain.names import name_key
from bot.store import Store
from bot.store.inline_asyncpg import asyncpg_adapter
from bot.store.prepared import Prepared, sqlite_connection
from bot.store.schema import dispute_parties, disputes, outbox, parties

NOW = datetime(2026, 11, 23, 2, 0, 0, 123456, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))

ADD_PARTY = Prepared(
    sa.insert(parties)
    .values(
        workspace_id=sa.bindparam("workspace_id"),
        name=sa.bindparam("name"),
        name_key=sa.bindparam("name_key"),
        kind=sa.bindparam("kind"),
        slack_team=sa.bindparam("slack_team"),
        created_at=sa.bindparam("created_at"),
    )
    .returning(parties.c.id, parties.c.created_at)
)
PARTIES = Prepared(
    sa.select(parties.c.id, parties.c.name, parties.c.slack_team, parties.c.created_at)
    .where(parties.c.id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(parties.c.id)
)
COUNT = Prepared(
    sa.select(sa.func.count())
    .select_from(parties)
    .where(parties.c.workspace_id == sa.bindparam("workspace_id"))
)
RENAME = Prepared(
    sa.update(parties)
    .where(parties.c.id == sa.bindparam("b_id"))
    .values(name=sa.bindparam("b_name"))
)
ADD_OUTBOX = Prepared(
    sa.insert(outbox)
    .values(
        workspace_id="T1",
        kind="k",
        lane=sa.bindparam("lane"),
        payload=sa.bindparam("payload"),
        status="pending",
        attempts=0,
        in_doubt=sa.bindparam("in_doubt"),
        created_at=NOW,
        next_attempt_at=sa.bindparam("next_attempt_at"),
    )
    .returning(outbox.c.id)
)
OUTBOX_ROW = Prepared(
    sa.select(
        outbox.c.lane,
        outbox.c.payload,
        outbox.c.in_doubt,
        outbox.c.created_at,
        outbox.c.next_attempt_at,
        outbox.c.lease_until,
    ).where(outbox.c.id == sa.bindparam("id"))
)


def party(name: str, *, at: datetime = NOW, team: str | None = None) -> dict[str, Any]:
    return {
        "workspace_id": "T1",
        "name": name,
        "name_key": name_key(name),
        "kind": "supplier",
        "slack_team": team,
        "created_at": at,
    }


async def test_each_engine_takes_its_own_fast_path(store: Store) -> None:
    async with store.read() as conn:
        sqlite3_path = sqlite_connection(conn)
        asyncpg_path = asyncpg_adapter(conn)
    assert (sqlite3_path is not None) == (store.dialect == "sqlite")
    assert (asyncpg_path is not None) == (store.dialect == "postgresql")


async def test_both_engines_give_the_same_rows_and_values(store: Store) -> None:
    async with store.write() as conn:
        first = await ADD_PARTY.first(conn, party("Acme", team="T0ACME"))
        second = await ADD_PARTY.first(conn, party("Initech", at=NOW.astimezone(SHANGHAI)))
        outbox_id = await ADD_OUTBOX.scalar(
            conn,
            {
                "lane": "dispute:1",
                "payload": {"dispute_id": 1, "text": "ünïcode", "nested": [1, None]},
                "in_doubt": True,
                "next_attempt_at": NOW + timedelta(seconds=5),
            },
        )
    assert first == (1, NOW) and second == (2, NOW)
    async with store.read() as conn:
        rows = await PARTIES.rows(conn, {"ids": [2, 1, 3]})
        assert await PARTIES.rows(conn, {"ids": [2]}) == [rows[1]]
        assert await PARTIES.rows(conn, {"ids": []}) == []
        assert await COUNT.scalar(conn, {"workspace_id": "T1"}) == 2
        assert await COUNT.scalar(conn, {"workspace_id": "T2"}) == 0
        row = await OUTBOX_ROW.first(conn, {"id": outbox_id})
        assert await OUTBOX_ROW.first(conn, {"id": outbox_id + 1}) is None
        # What SQLAlchemy itself gives for the same statement.
        core = [tuple(r) for r in await conn.execute(PARTIES.statement, {"ids": [2, 1, 3]})]
        core_row = (await conn.execute(OUTBOX_ROW.statement, {"id": outbox_id})).one()
    assert rows == [(1, "Acme", "T0ACME", NOW), (2, "Initech", None, NOW)]
    assert rows == core
    assert row == (
        "dispute:1",
        {"dispute_id": 1, "text": "ünïcode", "nested": [1, None]},
        True,
        NOW,
        NOW + timedelta(seconds=5),
        None,
    )
    assert row == tuple(core_row)
    assert all(type(a) is type(b) for a, b in zip(row, core_row, strict=True))


async def test_datetimes_come_back_aware_in_utc(store: Store) -> None:
    shanghai = NOW.astimezone(SHANGHAI)
    async with store.write() as conn:
        party_id, created_at = await ADD_PARTY.first(conn, party("Acme", at=shanghai)) or ()
    async with store.read() as conn:
        (_, _, _, read_back), *_ = await PARTIES.rows(conn, {"ids": [party_id]})
    for value in (created_at, read_back):
        assert value == NOW and value.utcoffset() == timedelta(0)
        assert value.tzinfo is UTC and value.microsecond == 123456


async def test_a_naive_datetime_is_refused_as_sqlalchemy_refuses_it(store: Store) -> None:
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        async with store.write() as conn:
            await ADD_PARTY.first(conn, party("Acme", at=naive))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        async with store.write() as conn:
            await conn.execute(ADD_PARTY.statement, party("Acme", at=naive))


async def test_a_fast_read_sees_its_own_transactions_writes(store: Store) -> None:
    async with store.write() as conn:
        await conn.execute(sa.insert(parties).values(party("Core")))
        assert await COUNT.scalar(conn, {"workspace_id": "T1"}) == 1
        await ADD_PARTY.first(conn, party("Fast"))
        core_count = (
            await conn.execute(sa.select(sa.func.count()).select_from(parties))
        ).scalar_one()
        assert core_count == 2
        assert await RENAME.execute(conn, {"b_id": 2, "b_name": "Faster"}) == 1
        assert await RENAME.execute(conn, {"b_id": 9, "b_name": "Nobody"}) == 0
        names = (await conn.execute(sa.select(parties.c.name).order_by(parties.c.id))).all()
        assert [n for (n,) in names] == ["Core", "Faster"]


async def test_a_rollback_undoes_fast_writes(store: Store) -> None:
    async with store.write() as conn:
        await ADD_PARTY.first(conn, party("Kept"))
    with pytest.raises(RuntimeError):
        async with store.write() as conn:
            await ADD_PARTY.first(conn, party("Lost"))
            await RENAME.execute(conn, {"b_id": 1, "b_name": "Renamed"})
            await conn.execute(sa.insert(parties).values(party("Lost too")))
            raise RuntimeError("boom")
    async with store.read() as conn:
        rows = await PARTIES.rows(conn, {"ids": [1, 2, 3]})
    assert [name for _, name, _, _ in rows] == ["Kept"]


async def test_database_errors_are_sqlalchemys(store: Store) -> None:
    async with store.write() as conn:
        await ADD_PARTY.first(conn, party("Acme"))
    with pytest.raises(sa.exc.IntegrityError):
        async with store.write() as conn:
            await ADD_PARTY.first(conn, party("Acme"))
    async with store.read() as conn:
        assert await COUNT.scalar(conn, {"workspace_id": "T1"}) == 1


async def test_a_read_block_begun_by_a_fast_statement_is_one_transaction(
    store: Store,
) -> None:
    """The fast statement begins the read's transaction; a Core statement after it joins it
    (no second BEGIN) and, on SQLite, reads the same snapshot while another writer commits."""
    async with store.write() as conn:
        await ADD_PARTY.first(conn, party("First"))
    async with store.read() as conn:
        assert await COUNT.scalar(conn, {"workspace_id": "T1"}) == 1
        async with store.write() as other:
            await ADD_PARTY.first(other, party("Second"))
        core = (await conn.execute(sa.select(sa.func.count()).select_from(parties))).scalar_one()
        fast = await COUNT.scalar(conn, {"workspace_id": "T1"})
        if store.dialect == "sqlite":  # PostgreSQL reads committed rows in each statement
            assert core == fast == 1
            assert conn.in_transaction()
    async with store.read() as conn:  # the same connection again: it began afresh
        assert await COUNT.scalar(conn, {"workspace_id": "T1"}) == 2
        core = (await conn.execute(sa.select(sa.func.count()).select_from(parties))).scalar_one()
        assert core == 2


async def test_a_read_block_of_only_fast_statements_ends_its_transaction(store: Store) -> None:
    for _ in range(3):  # each block's connection goes back to the pool with nothing open
        async with store.read() as conn:
            assert await COUNT.scalar(conn, {"workspace_id": "T1"}) == 0
        async with store.write() as conn:  # BEGIN IMMEDIATE on a pooled connection
            await conn.execute(sa.select(sa.literal(1)))


async def test_the_dispute_store_reads_the_same_through_either_path(store: Store) -> None:
    """A page of disputes with their parties: what `find` loads, against plain Core."""
    from bot.domain.ladder import Stage, Status
    from bot.store import disputes as repo

    async with store.write() as conn:
        acme, _ = await ADD_PARTY.first(conn, party("Acme", team="T0ACME")) or ()
        for number in (1, 2, 3):
            dispute_id = await repo.insert(
                conn,
                workspace_id="T1",
                number=number,
                title=f"D{number}",
                channel_id="C1",
                owner_id="U1",
                stage=Stage.COORDINATION,
                now=NOW,
                stage_due_at=NOW + timedelta(days=number) if number != 2 else None,
            )
            if number != 1:
                await repo.add_party(conn, dispute_id=dispute_id, party_id=acme, now=NOW)
    async with store.read() as conn:
        found, total = await repo.find(
            conn, workspace_id="T1", statuses=[Status.OPEN], team_ids=frozenset({"T0ACME"})
        )
        page, all_of_them = await repo.find(conn, workspace_id="T1", limit=2, by_due=True)
        core = (await conn.execute(sa.select(disputes).order_by(disputes.c.number.desc()))).all()
        links = (await conn.execute(sa.select(dispute_parties))).all()
    assert [d.number for d in found] == [3, 2] and total == 2
    assert [d.number for d in page] == [1, 3] and all_of_them == 3
    by_number = {r.number: r for r in core}
    for d in found + page:
        r = by_number[d.number]
        assert (d.id, d.title, d.opened_at, d.stage_due_at) == (
            r.id,
            r.title,
            r.opened_at,
            r.stage_due_at,
        )
        assert [p.name for p in d.parties] == (["Acme"] if d.number != 1 else [])
    assert len(links) == 2


class _Lists(dict[str, Any]):
    """Parameters where every one is a list of two (enough to compile any IN list)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> list[int]:
        return [1, 2]


def _prepared_statements() -> list[tuple[str, Prepared]]:
    found = []
    for module_info in pkgutil.iter_modules(bot.store.__path__):
        module = importlib.import_module(f"bot.store.{module_info.name}")
        for name, value in vars(module).items():
            values = value.values() if isinstance(value, dict) else [value]
            found += [(f"{module_info.name}.{name}", v) for v in values if isinstance(v, Prepared)]
    return found


async def test_every_prepared_statement_of_the_store_compiles_for_sqlite(
    sqlite_url: str,
) -> None:
    statements = _prepared_statements()
    assert len(statements) > 10
    store = Store.open(sqlite_url)
    try:
        await store.upgrade()
        async with store.read() as conn:
            dialect = conn.dialect
            for name, statement in statements:
                plan = statement.plan(dialect, _Lists())
                assert "POSTCOMPILE" not in plan.sql, name
                assert plan.sql.count("?") == len(plan.binds), name
    finally:
        await store.close()


async def test_rows_of_a_statement_are_read_not_left_behind(store: Store) -> None:
    async with store.write() as conn:
        with pytest.raises(TypeError, match="rows"):
            await ADD_PARTY.execute(conn, party("Acme"))
        with pytest.raises(TypeError, match="rows"):
            await COUNT.execute(conn, {"workspace_id": "T1"})
        assert await ADD_PARTY.first(conn, party("Acme")) == (1, NOW)
