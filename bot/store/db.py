"""The database handle: engine set-up for both engines, transactions, health and migrations."""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import await_

from bot.store import inline_sqlite

log = logging.getLogger(__name__)

ENQUEUED_FLAG = "parley_outbox_enqueued"  # set by bot.store.outbox.enqueue
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# How long a writer waits, in all, for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 5000
# The write-ahead log is copied into the database on a thread after this many commits.
CHECKPOINT_EVERY_COMMITS = 200
# A PostgreSQL connection that sat in the pool longer than this is pinged before it is used.
PING_AFTER_IDLE_SECONDS = 2.0
_IDLE_SINCE = "parley_idle_since"


class DatabaseError(Exception):
    """The database cannot be used; `str()` is one line for the person starting Parley."""


class NestedTransactionError(RuntimeError):
    """A programming error: a task opened `store.write()` or `store.read()` inside its own
    `store.write()` block. Raised before any lock or connection is taken, on both engines:
    a nested write would wait forever for the SQLite write lock its own task holds, or open a
    second, independent transaction on PostgreSQL; a read would run on another connection
    that cannot see the block's uncommitted rows. Pass the block's connection down instead."""


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


SQLITE_SYNC_MODES = ("normal", "full")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, sync: str = "normal") -> None:
    # Take over transaction control from the driver so BEGIN is ours (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL loses nothing when the process dies (SIGKILL, a deploy); only an OS
    # crash or power cut can lose the last commits. FULL fsyncs on every commit and survives
    # those too (PARLEY_SQLITE_SYNC; the benchmark measures both).
    assert sync in SQLITE_SYNC_MODES, sync
    cursor.execute(f"PRAGMA synchronous={sync.upper()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Statements run on the event loop's thread (inline_sqlite): a wait for another
    # process's lock blocks it for one short step at most; Store.write waits out the rest.
    cursor.execute(f"PRAGMA busy_timeout={inline_sqlite.BUSY_STEP_MS}")
    # Checkpoints (an fsync) run on a thread of their own, not inside a commit on the loop.
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def _locked(exc: BaseException) -> bool:
    return "database is locked" in str(getattr(exc, "orig", exc))


def _sqlite_begin(conn: sa.Connection) -> None:
    """SQLAlchemy's BEGIN on SQLite, issued on the driver (not as a statement of its own).

    Writers take the lock at BEGIN: two deferred transactions that both upgrade to write would
    otherwise fail with "database is locked" instead of waiting on busy_timeout. Store.write
    begins its transaction so (BEGIN IMMEDIATE) before the block, and a prepared statement
    first in a read block begins the read's: SQLAlchemy takes those over."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, inline_sqlite.InlineConnection), driver
    if driver.take_over():
        return
    try:
        driver.begin(immediate=False)
    except sqlite3.Error as exc:
        raise DBAPIError.instance("BEGIN", (), exc, sqlite3.Error) from exc
    driver.take_over()  # SQLAlchemy's own, from the start


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A PostgreSQL connection that sat idle in the pool is pinged (one round trip) before it
    is handed out; one that does not answer (the server restarted, an idle timeout, an
    administrator's pg_terminate_backend) is replaced by a new one, transparently.

    In place of `pool_pre_ping`, which pings at every checkout: a reply took two connections,
    and three of its sixteen round trips each were the ping's BEGIN, `;` and ROLLBACK. A
    connection in steady use is not pinged; if its backend dies between two uses, the
    statement that meets it fails and SQLAlchemy drops the connection."""
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
        return
    try:
        await_(record.driver_connection.fetchrow(";"))
    except Exception as exc:  # noqa: BLE001 - whatever a dead connection raises
        log.info("a pooled PostgreSQL connection did not answer (%s): replaced", type(exc).__name__)
        raise DisconnectionError() from exc  # the pool opens a new connection and retries


def _inline(conn: AsyncConnection) -> inline_sqlite.InlineConnection:
    driver = conn.sync_connection.connection.driver_connection if conn.sync_connection else None
    assert isinstance(driver, inline_sqlite.InlineConnection), driver
    return driver


class Store:
    """Owns the engine. Repositories take the connection these contexts yield."""

    def __init__(self, engine: AsyncEngine, url: URL) -> None:
        self.engine = engine
        self.url = url
        # Called after a transaction that owed Slack a message commits (the outbox worker).
        self.on_enqueued: list[Callable[[], None]] = []
        sqlite_file = url.database if url.get_backend_name() == "sqlite" else None
        self._sqlite_file = sqlite_file
        # SQLite has one writer at a time: this process's writers queue here, on the loop,
        # rather than in SQLite's busy handler (which would block the loop, see inline_sqlite).
        self._write_lock = asyncio.Lock() if sqlite_file else None
        # The tasks inside a write block of this store. A set of tasks rather than a
        # ContextVar: a task started inside a block copies the context but is not inside it.
        self._writing: set[asyncio.Task[Any]] = set()
        self._commits = 0
        self._checkpointing: asyncio.Task[None] | None = None
        # Waits for another process's SQLite write lock ("database is locked"), for /metrics.
        self.lock_waits = 0
        self.lock_wait_seconds = 0.0

    @classmethod
    def open(cls, raw_url: str, *, pool_size: int = 10, sqlite_sync: str = "normal") -> Store:
        """The store for `raw_url`. `pool_size` is PostgreSQL's (PARLEY_DB_POOL_SIZE): that many
        connections kept, as many more opened in a burst. `sqlite_sync` is SQLite's
        `synchronous` (PARLEY_SQLITE_SYNC): "normal" or "full"."""
        if sqlite_sync not in SQLITE_SYNC_MODES:
            raise DatabaseError(f"PARLEY_SQLITE_SYNC must be normal or full, not {sqlite_sync!r}")
        url = normalise_database_url(raw_url)
        if url.get_backend_name() == "sqlite":
            assert url.database is not None
            parent = Path(url.database).expanduser().resolve().parent
            if not parent.is_dir():
                raise DatabaseError(f"DATABASE_URL: folder {parent} does not exist")
            engine = create_async_engine(
                url,
                pool_size=5,
                max_overflow=5,
                async_creator=inline_sqlite.connector(url.database),
            )
            event.listen(
                engine.sync_engine, "connect", functools.partial(_sqlite_pragmas, sync=sqlite_sync)
            )
            event.listen(engine.sync_engine, "begin", _sqlite_begin)
        else:
            engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
            event.listen(engine.sync_engine.pool, "checkin", _checked_in)
            event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
        return cls(engine, url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _refuse_nesting(self, opening: str) -> asyncio.Task[Any] | None:
        task = asyncio.current_task()
        if task is not None and task in self._writing:
            raise NestedTransactionError(
                f"store.{opening}() inside this task's own store.write() block: "
                "use the connection that block yields"
            )
        return task

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reading, outside any write block of the same task (which
        raises NestedTransactionError: it could not see that block's uncommitted rows).

        On PostgreSQL the connection is in AUTOCOMMIT: no BEGIN and ROLLBACK around the
        reads (two of a one-statement read's three round trips). Under READ COMMITTED each
        statement saw its own snapshot inside a transaction too, so the rows are the same;
        a read block must not write (nothing would roll it back)."""
        self._refuse_nesting("read")
        async with self.engine.connect() as conn:
            if self._write_lock is None:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back if it raises.

        A task may hold one write block at a time: another `write()` or a `read()` inside it
        raises NestedTransactionError at once, before any lock or connection is taken."""
        task = self._refuse_nesting("write")
        if task is not None:
            self._writing.add(task)
        try:
            async with self._transaction() as conn:
                yield conn
        finally:
            if task is not None:
                self._writing.discard(task)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self.engine.connect() as conn:
                conn.info.pop(ENQUEUED_FLAG, None)
                async with conn.begin():
                    yield conn
                enqueued = conn.info.pop(ENQUEUED_FLAG, False)
        else:
            async with self._write_lock, self.engine.connect() as conn:
                conn.info.pop(ENQUEUED_FLAG, None)
                driver = _inline(conn)
                await self._begin_immediate(driver)
                try:
                    yield conn
                except BaseException:
                    await self._end(conn, driver, commit=False)
                    raise
                await self._end(conn, driver, commit=True)
                enqueued = conn.info.pop(ENQUEUED_FLAG, False)
            self._committed()
        if enqueued:
            for wake in self.on_enqueued:
                wake()

    async def _begin_immediate(self, driver: inline_sqlite.InlineConnection) -> None:
        """BEGIN IMMEDIATE, waiting for another process's write lock with the loop free.

        "database is locked" is retried in short steps for up to SQLITE_BUSY_TIMEOUT_MS (a
        long checkpoint, `parley digest send` writing): the person's command waits rather
        than fails. Once BEGIN IMMEDIATE holds the lock, the transaction's own statements
        cannot meet "database is locked" from another writer. It is begun on the driver,
        and taken over by SQLAlchemy at the block's first Core statement (_sqlite_begin)."""
        started = time.monotonic()
        deadline = started + SQLITE_BUSY_TIMEOUT_MS / 1000
        waited = False
        try:
            while True:
                try:
                    driver.begin(immediate=True)
                    return
                except sqlite3.Error as exc:
                    if not _locked(exc) or time.monotonic() > deadline:
                        raise DBAPIError.instance(
                            "BEGIN IMMEDIATE", (), exc, sqlite3.Error
                        ) from exc
                if not waited:
                    waited = True
                    self.lock_waits += 1
                await asyncio.sleep(inline_sqlite.BUSY_STEP_MS / 1000)
        finally:
            if waited:
                self.lock_wait_seconds += time.monotonic() - started

    @staticmethod
    async def _end(
        conn: AsyncConnection, driver: inline_sqlite.InlineConnection, *, commit: bool
    ) -> None:
        """Commit or roll back the write block: through SQLAlchemy if it took the transaction
        over (the block ran a Core statement), else on the driver (only prepared ones)."""
        if conn.in_transaction():
            await (conn.commit() if commit else conn.rollback())
            return
        try:
            driver.end(commit=commit)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(
                "COMMIT" if commit else "ROLLBACK", (), exc, sqlite3.Error
            ) from exc

    def _committed(self) -> None:
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY_COMMITS or self._sqlite_file is None:
            return
        if self._checkpointing is not None and not self._checkpointing.done():
            return
        self._commits = 0
        self._checkpointing = asyncio.create_task(self._checkpoint(self._sqlite_file))

    @staticmethod
    async def _checkpoint(path: str) -> None:
        try:
            await asyncio.to_thread(inline_sqlite.checkpoint, path)
        except sqlite3.Error as exc:  # the next one copies what this one could not
            log.warning("SQLite checkpoint failed: %s", exc)

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
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        await self.engine.dispose()

    async def revisions(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the migrations the database is at, the newest ones this Parley has)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        await self.check()

        def current(conn: sa.Connection) -> tuple[str, ...]:
            return tuple(MigrationContext.configure(conn).get_current_heads())

        async with self.engine.connect() as conn:
            at = await conn.run_sync(current)
        heads = ScriptDirectory.from_config(_alembic_config(self.url)).get_heads()
        return tuple(sorted(at)), tuple(sorted(heads))

    async def upgrade(self) -> None:
        """Apply migrations (idempotent). Alembic runs its own loop, so it gets a thread."""
        await self.check()
        await asyncio.to_thread(upgrade_database, self.url)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _alembic_config(url: URL) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade_database(url: URL | str) -> None:
    """Run Alembic's `upgrade head` for this URL (blocking; call from a thread or the CLI)."""
    from alembic import command

    if isinstance(url, str):
        url = normalise_database_url(url)
    cfg = _alembic_config(url)
    try:
        command.upgrade(cfg, "heads")
    except (SQLAlchemyError, OSError) as exc:
        raise DatabaseError(f"migrations failed: {_first_line(exc)}") from None
