"""Fixtures: a fixed clock, the company config, databases on both engines, and Parley running."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.schema import metadata
from bot.store.schema import seen_requests as seen

# Monday 23 November 2026, 10:00 in Shanghai.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

T = TypeVar("T")

POSTGRES_URL = os.environ.get(
    "PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

COMPANY_CONFIG = """
[calendar]
timezone = "Asia/Shanghai"
holidays = "CN"

[channels]
dispute_process = "C0PROCESS"
legal = "C0LEGAL"

[people]
approvers = ["U0CAROL"]

[ladder]
coordination = 3
multi_party = 5
company_process = 10

[parties."Acme Networks"]
kind = "supplier"
slack_team = "T0ACME"
ladder = { coordination = 2, multi_party = 3 }

[parties."Globex Audit"]
kind = "third_party"
slack_team = "T0GLOBEX"
"""


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(COMPANY_CONFIG, Path("tests/company.toml"))


async def _postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason to skip."""
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return "asyncpg is not installed"
    try:
        conn = await asyncpg.connect(postgres_admin_url(), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"no PostgreSQL server answers at {POSTGRES_URL} ({type(exc).__name__}); set PARLEY_TEST_POSTGRES_URL or start it"
    await conn.close()
    return None


def postgres_admin_url() -> str:
    return POSTGRES_URL.replace("postgresql://", "postgres://")


def postgres_url_of(name: str) -> str:
    return f"{POSTGRES_URL.rpartition('/')[0]}/{name}"


def _worker() -> str:
    """This process's part of a database's name: the pytest-xdist worker ("gw0") or "main"."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


async def _migrated(url: str) -> None:
    """Migrate `url` as Parley does at start (Store.upgrade, the store's own pragmas)."""
    store = Store.open(url)
    try:
        await store.upgrade()
    finally:
        await store.close()


# Templates: every test gets a database of its own, but migrating one takes 0.3-1 s. Each
# process (each xdist worker) migrates one template per engine, the first time a test asks
# for a migrated database on it, and each test gets a fresh copy (SQLite: the file copied;
# PostgreSQL: CREATE DATABASE ... TEMPLATE). tests/store/test_fresh_databases.py proves that
# no two tests share a database and that no test writes into a template.


def _run_apart(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a loop of its own, leaving the current loop (pytest-asyncio's) as it is."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per process; tests get copies, never the file."""
    path = tmp_path_factory.mktemp("template") / "parley.db"
    _run_apart(_migrated(f"sqlite:///{path}"))
    # The store's last connection checkpointed its write-ahead log into the file: the one
    # file is the whole database (WAL mode is kept in the file itself).
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the template's WAL was not checkpointed"
    return path


def _copy_sqlite(template: Path, folder: Path) -> str:
    target = folder / "parley.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class PostgresTemplate:
    """A PostgreSQL database migrated to head, made the first time a test asks for one in
    this process and dropped when the session ends; or why there is none (the test skips)."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.skip_reason: str | None = None
        self._made = False

    async def get(self) -> str:
        """The template's name; skips the test where no PostgreSQL server answers."""
        if not self._made:
            self.skip_reason = await _postgres_available()
            if self.skip_reason is None:
                name = f"parley_template_{_worker()}_{uuid.uuid4().hex[:8]}"
                await _create_postgres(name)
                try:
                    await _migrated(postgres_url_of(name))
                except BaseException:
                    await _drop_postgres(name)
                    raise
                self.name = name
            self._made = True
        if self.name is None:
            pytest.skip(self.skip_reason or "no PostgreSQL template")
        return self.name


async def _create_postgres(name: str, template: str | None = None) -> None:
    import asyncpg

    # PostgreSQL 15's default strategy (WAL_LOG) copies a template this small in about a third
    # of the time migrating takes; FILE_COPY's checkpoints make it slower here. No session may
    # be connected to the template meanwhile: none is, its store was closed once migrated.
    copy = f' TEMPLATE "{template}"' if template is not None else ""
    admin = await asyncpg.connect(postgres_admin_url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()


async def _drop_postgres(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(postgres_admin_url())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    template = PostgresTemplate()
    yield template
    if template.name is not None:
        _run_apart(_drop_postgres(template.name))


@asynccontextmanager
async def fresh_postgres_database(
    template: PostgresTemplate | None = None,
) -> AsyncIterator[str]:
    """A new PostgreSQL database of this test's own, dropped afterwards: a copy of the migrated
    `template` when given, else empty. Skips where there is no server."""
    if template is not None:
        source: str | None = await template.get()
    else:
        reason = await _postgres_available()
        if reason:
            pytest.skip(reason)
        source = None
    name = f"parley_test_{_worker()}_{uuid.uuid4().hex[:12]}"
    await _create_postgres(name, source)
    try:
        yield postgres_url_of(name)
    finally:
        await _drop_postgres(name)


@pytest.fixture
async def postgres_url(postgres_template: PostgresTemplate) -> AsyncIterator[str]:
    """A PostgreSQL database of this test's own, migrated to head."""
    async with fresh_postgres_database(postgres_template) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A SQLite file of this test's own, migrated to head."""
    return _copy_sqlite(sqlite_template, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_template: PostgresTemplate,
) -> AsyncIterator[str]:
    """Each storage test runs on both engines, on a database of its own migrated to head."""
    if request.param == "sqlite":
        yield _copy_sqlite(sqlite_template, tmp_path)
    else:
        async with fresh_postgres_database(postgres_template) as url:
            yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Both engines, on an empty database of this test's own: for the tests of migrations."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/parley.db"
    else:
        async with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite file of this test's own: for the tests of migrations."""
    return f"sqlite:///{tmp_path}/parley.db"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated store on each engine (PostgreSQL skips with the reason where none answers)."""
    s = Store.open(database_url)
    await s.upgrade()
    yield s
    await s.close()


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def app(slack: SlackStandIn, config: ParleyConfig, sqlite_url: str) -> AsyncIterator[Running]:
    """Parley serving on loopback (SQLite) against the stand-in; the clock starts at START."""
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as running:
        yield running
    assert slack.violations == [], slack.violations


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PORT",
        "PARLEY_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    yield


# Not Parley's record: the signatures of requests already taken, kept five minutes so a
# replay is refused. Every signed command and interaction adds one, refused or not.
PROTOCOL_TABLES = frozenset({"seen_requests"})


async def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of Parley's record: a refused request must leave this
    exactly as it was."""
    async with store.read() as conn:
        return {
            table.name: [tuple(r) for r in (await conn.execute(sa.select(table))).all()]
            for table in metadata.sorted_tables
            if table.name not in PROTOCOL_TABLES
        }


async def seen_requests(store: Store) -> int:
    """How many request signatures Parley holds (replay protection)."""
    async with store.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(seen))).scalar_one())
