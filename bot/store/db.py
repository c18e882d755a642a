"""The database handle: engine set-up for both engines, transactions, health and migrations."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncTransaction,
    create_async_engine,
)

log = logging.getLogger(__name__)

ENQUEUED_FLAG = "parley_outbox_enqueued"  # set by bot.store.outbox.enqueue
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
LOCKED_RETRIES = 5
LOCKED_BACKOFF_SECONDS = 0.05


class DatabaseError(Exception):
    """The database cannot be used; `str()` is one line for the person starting Parley."""


def normalise_database_url(raw: str) -> URL:
    """Turn the contract's `sqlite:///…` / `postgresql://…` into the async driver's URL."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise DatabaseError(
            f"DATABASE_URL {raw!r} is not a database URL: use sqlite:///path.db "
            "or postgresql://user@host/db"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseError(
                "DATABASE_URL must name a SQLite file (sqlite:///parley.db): "
                "an in-memory database would lose everything on restart"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        query = dict(url.query)
        # libpq's sslmode is spelled ssl for asyncpg.
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return url.set(drivername="postgresql+asyncpg", query=query)
    raise DatabaseError(
        f"DATABASE_URL scheme {url.drivername!r} is not supported: use sqlite:/// or postgresql://"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_timeout_ms: int) -> None:
    # Take over transaction control from the driver so BEGIN is ours (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL loses nothing when the process dies (SIGKILL, a deploy); only an OS
    # crash or power cut can lose the last commits. FULL would fsync on every commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # Writers take the lock at BEGIN: two deferred transactions that both upgrade to write
    # would otherwise fail with "database is locked" instead of waiting on busy_timeout.
    immediate = conn.get_execution_options().get("parley_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """Owns the engine. Repositories take the connection these contexts yield."""

    def __init__(self, engine: AsyncEngine, url: URL) -> None:
        self.engine = engine
        self.url = url
        # Called after a transaction that owed Slack a message commits (the outbox worker).
        self.on_enqueued: list[Callable[[], None]] = []

    @classmethod
    def open(cls, raw_url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Store:
        url = normalise_database_url(raw_url)
        if url.get_backend_name() == "sqlite":
            assert url.database is not None
            parent = Path(url.database).expanduser().resolve().parent
            if not parent.is_dir():
                raise DatabaseError(f"DATABASE_URL: folder {parent} does not exist")
            engine = create_async_engine(url, pool_size=5, max_overflow=5)
            event.listen(
                engine.sync_engine,
                "connect",
                functools.partial(_sqlite_pragmas, busy_timeout_ms=busy_timeout_ms),
            )
            event.listen(engine.sync_engine, "begin", _sqlite_begin)
        else:
            engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
        return cls(engine, url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(parley_write=True)
            conn.info.pop(ENQUEUED_FLAG, None)
            transaction = await self._begin(conn)
            try:
                yield conn
            except BaseException:
                await transaction.rollback()
                raise
            await transaction.commit()
            if conn.info.pop(ENQUEUED_FLAG, False):
                for wake in self.on_enqueued:
                    wake()

    async def _begin(self, conn: AsyncConnection) -> AsyncTransaction:
        """BEGIN (IMMEDIATE, on SQLite), retried while SQLite says the database is locked.

        SQLite already waits `busy_timeout` for the lock; a writer that still finds it taken
        (a long checkpoint, another process holding it) backs off and tries again rather than
        failing the person's command. Once BEGIN IMMEDIATE holds the lock, the transaction's
        own statements cannot meet "database is locked" from another writer.
        """
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                return await conn.begin()
            except OperationalError as exc:
                if attempt == LOCKED_RETRIES or "database is locked" not in str(exc):
                    raise
                log.warning("the database is locked; trying again (%d)", attempt + 1)
                await conn.rollback()
                await asyncio.sleep(LOCKED_BACKOFF_SECONDS * 2**attempt)
        raise AssertionError("unreachable")

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
            return True
        except (SQLAlchemyError, OSError) as exc:
            log.warning("database ping failed: %s", type(exc).__name__)
            return False

    async def check(self) -> None:
        """Raise DatabaseError with one clear line if the database cannot be opened."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            raise DatabaseError(
                f"cannot open the database {self.url.render_as_string(hide_password=True)}: "
                f"{_first_line(exc)}"
            ) from None

    async def close(self) -> None:
        await self.engine.dispose()

    async def upgrade(self) -> None:
        """Apply migrations (idempotent). Alembic runs its own loop, so it gets a thread."""
        await self.check()
        await asyncio.to_thread(upgrade_database, self.url)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def upgrade_database(url: URL | str) -> None:
    """Run Alembic's `upgrade head` for this URL (blocking; call from a thread or the CLI)."""
    from alembic import command
    from alembic.config import Config

    if isinstance(url, str):
        url = normalise_database_url(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = url
    try:
        command.upgrade(cfg, "heads")
    except (SQLAlchemyError, OSError) as exc:
        raise DatabaseError(f"migrations failed: {_first_line(exc)}") from None
