"""PostgreSQL's hot statements run as asyncpg's own prepared statements, in SQLAlchemy's
transaction.

Through SQLAlchemy a one-row statement on PostgreSQL costs its full execution path (cache
key, execution context, the adapter's greenlet hop, the cursor emulation, result metadata)
before asyncpg sends a byte. `bot/store/prepared.py` compiles a hot statement once per
dialect to asyncpg's `$n` SQL; this module runs that SQL on the asyncpg connection under the
block's `AsyncConnection`:

- in the block's transaction: the one SQLAlchemy's adapter holds, begun here (as the
  adapter's own cursor begins it) when the block has run nothing yet; none on a connection
  in AUTOCOMMIT (Parley's PostgreSQL reads);
- as a server-side prepared statement, prepared once per statement and connection and kept
  with the connection (a statement is parsed and planned by PostgreSQL once, then only
  bound and executed);
- with asyncpg's errors translated the way SQLAlchemy's adapter translates them, so callers
  see the same exception classes (IntegrityError, ...).

Values are converted in and out by `prepared.py` with the columns' own processors; the
type codecs SQLAlchemy set on the connection (JSON as text) are the connection's, so they
apply here too.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

# Prepared statements kept per connection before the oldest are let go (a statement with an
# IN list has a form per list length).
STATEMENTS_PER_CONNECTION = 512
_STATUS = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+) (\d+)")

# The prepared statements of each asyncpg connection, by SQL; gone with the connection.
_prepared: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def asyncpg_adapter(conn: AsyncConnection) -> Any | None:
    """SQLAlchemy's adapter around the asyncpg connection under `conn` (it holds the block's
    transaction); None where `conn` is not on asyncpg."""
    if conn.dialect.driver != "asyncpg" or conn.sync_connection is None:
        return None
    return conn.sync_connection.connection.dbapi_connection


async def fetch(adapter: Any, sql: str, arguments: Sequence[Any]) -> tuple[list[Any], int]:
    """Run `sql` with these (converted) arguments on the adapter's connection, inside its
    transaction: (the rows as asyncpg records, the number of rows the statement changed or
    returned, -1 if PostgreSQL did not say)."""
    async with adapter._execute_mutex:
        try:
            if adapter._transaction is None:
                await adapter._start_transaction()  # nothing in AUTOCOMMIT
            connection = adapter._connection
            statement = await _statement(connection, sql)
            rows = await statement.fetch(*arguments)
            status = _STATUS.match(statement.get_statusmsg() or "")
        except Exception as exc:
            raise _translated(adapter, sql, arguments, exc) from exc
    return rows, int(status.group(1)) if status else -1


async def _statement(connection: Any, sql: str) -> Any:
    statements = _prepared.get(connection)
    if statements is None:
        statements = _prepared[connection] = {}
    statement = statements.get(sql)
    if statement is None:
        if len(statements) >= STATEMENTS_PER_CONNECTION:
            statements.pop(next(iter(statements)))
        statement = statements[sql] = await connection.prepare(sql)
    return statement


def forget(connection: Any) -> None:
    """Drop the statements prepared on this asyncpg connection (its schema changed)."""
    _prepared.pop(connection, None)


def prepared_count(connection: Any) -> int:
    """How many statements are prepared on this asyncpg connection (for tests)."""
    return len(_prepared.get(connection, ()))


def _translated(adapter: Any, sql: str, arguments: Sequence[Any], exc: Exception) -> Exception:
    """What SQLAlchemy raises for this asyncpg error: its adapter's DB-API error, wrapped."""
    import asyncpg  # type: ignore[import-untyped]

    if isinstance(exc, asyncpg.exceptions.InvalidCachedStatementError | asyncpg.InterfaceError):
        forget(adapter._connection)  # prepared again next time (a migration changed a table)
    try:
        adapter._handle_exception(exc)  # raises the DB-API error (and forgets a lost BEGIN)
    except Exception as dbapi_error:  # noqa: BLE001 - whatever the adapter made of it
        error = dbapi_error
    else:  # pragma: no cover - _handle_exception always raises
        error = exc
    wrapped = DBAPIError.instance(sql, list(arguments), error, adapter.dbapi.Error)
    return wrapped
