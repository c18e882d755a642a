"""Fixtures: a fixed clock, the company config, databases on both engines, and Parley running."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

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
        conn = await asyncpg.connect(
            POSTGRES_URL.replace("postgresql://", "postgres://"), timeout=3
        )
    except (OSError, asyncpg.PostgresError) as exc:
        return f"no PostgreSQL server answers at {POSTGRES_URL} ({type(exc).__name__}); set PARLEY_TEST_POSTGRES_URL or start it"
    await conn.close()
    return None


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; skips where there is no server."""
    reason = await _postgres_available()
    if reason:
        pytest.skip(reason)
    import asyncpg

    admin_url = POSTGRES_URL.replace("postgresql://", "postgres://")
    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/parley.db"


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each storage test runs on both engines."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/parley.db"
    else:
        async with fresh_postgres_database() as url:
            yield url


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
