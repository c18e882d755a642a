"""SQLite for the async engine without a thread hop per call.

aiosqlite runs every call (cursor, execute, fetch, close, commit) on a worker thread and wakes
the event loop when it is done. Measured on the 2-core development machine, that costs about
350 µs of CPU per statement (four round trips between threads), against about 12 µs for the
statement itself: the hops, not SQLite, were most of what a reply, a list or a digest cost.

This module gives SQLAlchemy's aiosqlite dialect a connection with the same interface that
runs each call at once on the caller's thread. That is safe because the calls that could
wait do not wait here: the store lets one writer of this process at a time into a write
transaction (so BEGIN IMMEDIATE never waits on this process's own writers), WAL readers never
wait for writers, and checkpoints (the only other slow call, with an fsync) run on a thread
of their own (`checkpoint`). A lock held by another process (`parley digest send`, a second
instance) is waited for in short blocking steps (`BUSY_STEP_MS`) with the event loop free in
between.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# How long one blocking wait for another process's lock may hold up the event loop.
BUSY_STEP_MS = 20


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: SQLAlchemy puts a few calls there
    directly (setting the isolation level); they run at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, like aiosqlite does
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineCursor:
    """aiosqlite's cursor interface over a sqlite3 cursor, run on the caller's thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        self._cursor.execute(sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """aiosqlite's connection interface over a sqlite3 connection, run on the caller's thread."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()
        # A transaction begun by `begin` that SQLAlchemy has not taken over yet.
        self._begun_outside = False

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    def begin(self, *, immediate: bool) -> None:
        """BEGIN (IMMEDIATE: taking the write lock now) on the sqlite3 connection itself.

        Cheaper than SQLAlchemy's own BEGIN (a statement through its execution machinery,
        behind a hop into a greenlet); SQLAlchemy takes this transaction over when the block
        runs its first Core statement (`take_over`, asked by the store's `begin` event), and
        then ends it with its commit or rollback. Raises sqlite3 errors as they come."""
        self._conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        self._begun_outside = True

    def connection_in_transaction(self) -> sqlite3.Connection:
        """The sqlite3 connection, for statements run without SQLAlchemy (bot/store/prepared.py),
        inside the block's transaction.

        A write block began its transaction (BEGIN IMMEDIATE) before its first statement; a read
        block's begins with the first statement it runs. When that is one of these, BEGIN is
        issued here (`begin`). A transaction SQLAlchemy never took over ends with `end` (a
        write block's) or the pool's rollback when the block's connection goes back."""
        if not self._conn.in_transaction:
            self.begin(immediate=False)
        return self._conn

    def take_over(self) -> bool:
        """True if `begin` began the open transaction: SQLAlchemy's BEGIN is then already
        done. Asked once per SQLAlchemy transaction, at its BEGIN."""
        begun, self._begun_outside = self._begun_outside, False
        return begun and self._conn.in_transaction

    def end(self, *, commit: bool) -> None:
        """Commit or roll back a transaction SQLAlchemy did not take over."""
        self._begun_outside = False
        if commit:
            self._conn.commit()
        else:
            self._conn.rollback()

    async def commit(self) -> None:
        self._begun_outside = False
        self._conn.commit()

    async def rollback(self) -> None:
        self._begun_outside = False
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(path: str) -> Callable[[], Any]:
    """The `async_creator` for `create_async_engine`: a new inline connection to `path`."""

    async def connect() -> InlineConnection:
        # check_same_thread: SQLAlchemy may close a connection from its pool's finaliser.
        return InlineConnection(sqlite3.connect(path, check_same_thread=False))

    return connect


def checkpoint(path: str) -> None:
    """Copy the write-ahead log into the database (blocking: call it on a thread).

    PASSIVE never waits for readers or writers; what it cannot copy now, the next one does."""
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_STEP_MS}")
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()
