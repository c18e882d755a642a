"""Statements written once for both engines, run on SQLite without SQLAlchemy's execution.

A hot statement costs SQLAlchemy far more than SQLite: measured on the development machine, a
one-row SELECT built once and executed through SQLAlchemy (cache key, execution context, result
metadata, the async adapter's greenlet, type processors) takes ~45-85 µs of CPU, the same
SELECT through this path ~6-10 µs.
`Prepared` keeps the statement as a Core construct with `sa.bindparam()` placeholders, so its
SQL is written in one place for both engines, and:

- on SQLite compiles it once per dialect (and per length of each expanding `IN` list) and runs
  the SQL on the sqlite3 connection under the `AsyncConnection`, in the same transaction as the
  block's SQLAlchemy statements, converting values in and out with the columns' own
  `bind_processor` / `result_processor`, so values are exactly what SQLAlchemy would give;
- on PostgreSQL compiles it once per dialect to asyncpg's `$n` SQL and runs it as asyncpg's
  own prepared statement (prepared once per connection) on the asyncpg connection under the
  `AsyncConnection`, in the block's transaction (`inline_asyncpg.py`), with the same
  processors: a one-row SELECT measured ~45-50 µs of CPU this way against ~120-140 µs
  through `conn.execute` (asyncpg alone: ~30 µs);
- on any other connection executes the same statement with `conn.execute`.

Rows come back as plain tuples, in the order of the statement's columns.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import NullType

from bot.store import inline_asyncpg
from bot.store.inline_sqlite import InlineConnection

Statement = sa.Select[Any] | UpdateBase
Row = tuple[Any, ...]
Params = Mapping[str, Any]
_Processor = Callable[[Any], Any]
_NO_PARAMS: Params = {}
# Compiled forms kept per statement and dialect for different lengths of its IN lists.
PLANS_PER_STATEMENT = 64
# SQLite's `?` and asyncpg's `$n`: parameters by position, in the compiler's `positiontup`.
_POSITIONAL = ("qmark", "numeric_dollar")


@dataclass(frozen=True, slots=True)
class _Bind:
    """One `?` of the compiled SQL: which parameter (or which item of an expanding one)."""

    key: str
    item: int  # the position in an expanding parameter's list; -1 for a plain parameter
    process: _Processor | None
    default: Any
    required: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    """The statement compiled for one dialect (and one length of each IN list)."""

    sql: str
    binds: tuple[_Bind, ...]
    results: tuple[tuple[int, _Processor], ...]  # (column position, processor)

    def arguments(self, params: Params) -> list[Any]:
        arguments = []
        for bind in self.binds:
            if bind.key in params:
                value = params[bind.key]
            elif bind.required:
                raise InvalidRequestError(f"A value is required for bind parameter {bind.key!r}")
            else:
                value = bind.default
            if bind.item >= 0:
                value = value[bind.item]
            arguments.append(value if bind.process is None else bind.process(value))
        return arguments

    def run(self, connection: sqlite3.Connection, params: Params) -> sqlite3.Cursor:
        arguments: list[Any] = []
        try:
            arguments = self.arguments(params)
            return connection.execute(self.sql, arguments)
        except (sqlite3.Error, InvalidRequestError, ValueError, TypeError) as exc:
            # What SQLAlchemy raises: IntegrityError, OperationalError, ... for the database's
            # errors, StatementError for a value a processor refused (a naive datetime).
            raise DBAPIError.instance(self.sql, arguments, exc, sqlite3.Error) from exc

    async def fetch(self, adapter: Any, params: Params) -> tuple[list[Row], int]:
        """Run on PostgreSQL through asyncpg (`inline_asyncpg`): (the rows, the row count)."""
        arguments: list[Any] = []
        try:
            arguments = self.arguments(params)
        except (InvalidRequestError, ValueError, TypeError) as exc:
            raise DBAPIError.instance(self.sql, arguments, exc, adapter.dbapi.Error) from exc
        records, count = await inline_asyncpg.fetch(adapter, self.sql, arguments)
        return self.converted([tuple(record) for record in records]), count

    def rows(self, cursor: sqlite3.Cursor) -> list[Row]:
        return self.converted(cursor.fetchall())

    def converted(self, rows: list[Row]) -> list[Row]:
        if not self.results:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for position, process in self.results:
                values[position] = process(values[position])
            converted.append(tuple(values))
        return converted


def sqlite_connection(conn: AsyncConnection) -> sqlite3.Connection | None:
    """The sqlite3 connection under `conn`, inside the block's transaction (begun here if the
    block has run nothing yet); None where `conn` is not Parley's inline SQLite."""
    if conn.dialect.name != "sqlite":
        return None
    driver = conn.sync_connection.connection.driver_connection if conn.sync_connection else None
    if not isinstance(driver, InlineConnection):
        return None
    return driver.connection_in_transaction()


class Prepared:
    """A Core statement declared once, run through the fast path on SQLite and PostgreSQL.

    Parameters are `sa.bindparam(name)` placeholders (`expanding=True` for an `IN` list);
    statements must not need Python-side column defaults. The methods take the block's
    connection and a mapping of parameter values, like `conn.execute`."""

    __slots__ = ("statement", "_returns_rows", "_shapes")

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._returns_rows = bool(_columns(statement))
        self._shapes: weakref.WeakKeyDictionary[Dialect, _Shape] = weakref.WeakKeyDictionary()

    async def rows(self, conn: AsyncConnection, params: Params = _NO_PARAMS) -> list[Row]:
        """Every row the statement returns."""
        connection = sqlite_connection(conn)
        if connection is not None:
            plan = self.plan(conn.dialect, params)
            return plan.rows(plan.run(connection, params))
        adapter = inline_asyncpg.asyncpg_adapter(conn)
        if adapter is not None:
            return (await self._fetch(conn, adapter, params))[0]
        return [tuple(r) for r in await conn.execute(self.statement, dict(params))]

    async def first(self, conn: AsyncConnection, params: Params = _NO_PARAMS) -> Row | None:
        """The first row, or None."""
        rows = await self.rows(conn, params)
        return rows[0] if rows else None

    async def scalar(self, conn: AsyncConnection, params: Params = _NO_PARAMS) -> Any:
        """The first column of the first row, or None when there is no row."""
        rows = await self.rows(conn, params)
        return rows[0][0] if rows else None

    async def execute(self, conn: AsyncConnection, params: Params = _NO_PARAMS) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        if self._returns_rows:  # its rows must be read (`rows`), or SQLite is left mid-statement
            raise TypeError("execute() is for statements without rows; use rows() or first()")
        connection = sqlite_connection(conn)
        if connection is not None:
            return int(self.plan(conn.dialect, params).run(connection, params).rowcount)
        adapter = inline_asyncpg.asyncpg_adapter(conn)
        if adapter is not None:
            return (await self._fetch(conn, adapter, params))[1]
        return int((await conn.execute(self.statement, dict(params))).rowcount)

    async def _fetch(
        self, conn: AsyncConnection, adapter: Any, params: Params
    ) -> tuple[list[Row], int]:
        try:
            return await self.plan(conn.dialect, params).fetch(adapter, params)
        except DBAPIError as exc:
            # A lost connection is dropped from the pool, as SQLAlchemy drops it.
            lost = conn.dialect.is_disconnect(exc.orig, adapter, None)  # type: ignore[arg-type]
            if exc.orig is not None and lost:
                exc.connection_invalidated = True
                await conn.invalidate()
            raise

    def plan(self, dialect: Dialect, params: Params = _NO_PARAMS) -> _Plan:
        """The statement compiled for this dialect (SQLite's or asyncpg's) and these lengths
        of its IN lists."""
        shape = self._shapes.get(dialect)
        if shape is None:
            shape = self._shapes[dialect] = _Shape(self.statement, dialect)
        return shape.plan(params)


class _Shape:
    """A statement's parameters on one dialect, and its plans by the lengths of its IN lists."""

    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError("a prepared statement cannot use Python-side column defaults")
        if dialect.paramstyle not in _POSITIONAL:
            style = dialect.paramstyle
            raise TypeError(f"prepared statements need positional parameters, not {style}")
        self.statement = statement
        self.dialect = dialect
        # By key: what a parameter defaults to and whether it must be given, as declared.
        self.binds = {bind.key: bind for bind in compiled.binds.values()}
        untyped = [key for key, bind in self.binds.items() if isinstance(bind.type, NullType)]
        if untyped:  # its value would reach sqlite3 unconverted: give it `type_=`
            raise TypeError(f"parameters {untyped} of a prepared statement have no type")
        self.expanding = tuple(key for key, bind in self.binds.items() if bind.expanding)
        self.plans: dict[tuple[int, ...], _Plan] = {}
        results = []
        for position, column in enumerate(_columns(statement)):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((position, process))
        self.results = tuple(results)

    def plan(self, params: Params) -> _Plan:
        if not self.expanding:
            lengths: tuple[int, ...] = ()
        else:
            lengths = tuple(len(self._value(key, params)) for key in self.expanding)
        plan = self.plans.get(lengths)
        if plan is None:
            if len(self.plans) >= PLANS_PER_STATEMENT:
                self.plans.clear()
            plan = self.plans[lengths] = self._compile(lengths)
        return plan

    def _value(self, key: str, params: Params) -> Any:
        if key in params:
            return params[key]
        bind = self.binds[key]
        if bind.required:
            raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
        return bind.value

    def _compile(self, lengths: tuple[int, ...]) -> _Plan:
        if self.expanding:
            # The compiler renders a list's `?`s from its value, and wants a value for every
            # parameter then: stand-ins, each list as long as this one and None for the rest.
            values: dict[str, Any] = {k: None for k, bind in self.binds.items() if bind.required}
            values.update((k, [None] * n) for k, n in zip(self.expanding, lengths, strict=True))
            compiled = with_values(self.statement, values).compile(
                dialect=self.dialect, compile_kwargs={"render_postcompile": True}
            )
        else:
            compiled = self.statement.compile(dialect=self.dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        binds = []
        for name in compiled.positiontup:
            found = compiled.binds.get(name)
            item = -1
            if found is None:  # one item of an expanding list: `ids_1`, `ids_2`, ...
                base, _, number = name.rpartition("_")
                found = compiled.binds[base]
                assert found.expanding and number.isdigit(), name
                item = int(number) - 1
            elif found.literal_execute or found.expanding:
                raise TypeError(f"parameter {name!r} would be rendered into the SQL")
            # As declared (the stand-ins are not); one the compiler made (SQLite's OFFSET 0)
            # is new in each compilation, with its value.
            declared = self.binds.get(found.key, found)
            binds.append(
                _Bind(
                    key=found.key,
                    item=item,
                    process=found.type.dialect_impl(self.dialect).bind_processor(self.dialect),
                    default=declared.value,
                    required=declared.required,
                )
            )
        return _Plan(sql=compiled.string, binds=tuple(binds), results=self.results)


_Element = TypeVar("_Element", bound=sa.ClauseElement)


def with_values(element: _Element, values: Mapping[str, Any]) -> _Element:
    """A copy of a statement or condition with these values for its parameters: what
    `.params()` does (keeping each parameter's key), which INSERT, UPDATE and DELETE and
    conditions do not offer."""

    def given(bind: sa.BindParameter[Any]) -> None:
        if bind.key in values:
            bind.value = values[bind.key]
            bind.required = False

    options = {"maintain_key": True, "detect_subquery_cols": True}
    return visitors.cloned_traverse(element, options, {"bindparam": given})


def column_params(table: sa.Table, *names: str) -> dict[str, sa.BindParameter[Any]]:
    """`.values()` for an insert of these columns, each from the parameter of its name."""
    return {name: sa.bindparam(name, type_=table.c[name].type) for name in names}


def _columns(statement: Statement) -> Sequence[sa.ColumnElement[Any]]:
    """The columns of the rows the statement returns (a SELECT's, or a DML's RETURNING)."""
    if isinstance(statement, sa.Select):
        return list(statement.selected_columns)
    return list(statement.exported_columns)
