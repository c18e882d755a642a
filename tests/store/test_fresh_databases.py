"""Every test gets a database of its own: migrated to head and empty, copied from a template
that each process migrates once (tests/conftest.py) and that no test opens or writes into."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.store import Store
from bot.store import counters as counters_repo
from bot.store.db import MIGRATIONS
from tests.conftest import PostgresTemplate, postgres_url_of

# The databases the tests of this module were given, in this process.
SEEN: set[str] = set()


async def _take_the_first_number(url: str) -> None:
    """The database is at head and nobody took a number in it before; then take one."""
    store = Store.open(url)
    try:
        async with store.read() as conn:
            at = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).all()
        assert sorted(v for (v,) in at) == sorted(ScriptDirectory(str(MIGRATIONS)).get_heads())
        async with store.write() as conn:
            number = await counters_repo.next_number(conn, workspace_id="T0FRESH", kind="dispute")
        assert number == 1, f"{url} was used before this test"
    finally:
        await store.close()


def _given(url: str) -> None:
    assert url not in SEEN, f"{url} was given to another test"
    SEEN.add(url)


async def _template_untouched(
    url: str, sqlite_template: Path, postgres_template: PostgresTemplate
) -> None:
    if url.startswith("sqlite"):
        assert Path(url.removeprefix("sqlite:///")) != sqlite_template
        with sqlite3.connect(f"file:{sqlite_template}?mode=ro", uri=True) as conn:
            assert conn.execute("SELECT count(*) FROM counters").fetchone() == (0,)
        return
    assert postgres_template.name is not None
    assert url != postgres_url_of(postgres_template.name)
    conn = await asyncpg.connect(
        postgres_url_of(postgres_template.name).replace("postgresql://", "postgres://")
    )
    try:
        assert await conn.fetchval("SELECT count(*) FROM counters") == 0
    finally:
        await conn.close()


@pytest.mark.parametrize("turn", [1, 2, 3])
async def test_each_test_gets_a_migrated_empty_database_of_its_own(
    database_url: str,
    turn: int,
    sqlite_template: Path,
    postgres_template: PostgresTemplate,
) -> None:
    """Three turns on each engine: had any two been given one database (or the template),
    the later one would find the number its predecessor took."""
    _given(database_url)
    await _take_the_first_number(database_url)
    await _template_untouched(database_url, sqlite_template, postgres_template)


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_a_sqlite_file_of_its_own(
    sqlite_url: str, turn: int, sqlite_template: Path, tmp_path: Path
) -> None:
    _given(sqlite_url)
    assert Path(sqlite_url.removeprefix("sqlite:///")).parent == tmp_path
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT count(*) FROM counters").fetchone() == (0,)
        conn.execute("INSERT INTO counters (workspace_id, kind, value) VALUES ('T0FRESH', 'x', 1)")
    with sqlite3.connect(f"file:{sqlite_template}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM counters").fetchone() == (0,)


@pytest.mark.parametrize("turn", [1, 2])
async def test_each_test_gets_a_postgresql_database_of_its_own(
    postgres_url: str, turn: int, sqlite_template: Path, postgres_template: PostgresTemplate
) -> None:
    _given(postgres_url)
    await _take_the_first_number(postgres_url)
    await _template_untouched(postgres_url, sqlite_template, postgres_template)


async def test_a_database_for_migrations_is_empty(empty_database_url: str) -> None:
    store = Store.open(empty_database_url)
    try:
        async with store.read() as conn:
            tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    finally:
        await store.close()
    assert tables == []
