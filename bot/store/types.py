"""Column types that behave the same on both engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime on the way in and out, whatever the engine keeps.

    SQLite has no time zones and hands back naive values; PostgreSQL keeps `timestamptz`.
    Naive values are refused on the way in: every time in Parley is aware.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _EPOCH.replace(tzinfo=None)  # SQLite keeps UTC without a zone
_MICROSECOND = timedelta(microseconds=1)


class UTCMicroseconds(sa.TypeDecorator[int]):
    """A `UTCDateTime` column read as whole microseconds since the epoch (exact), for figures
    counted over thousands of rows: `sa.type_coerce(column, UTCMicroseconds())`. The same
    instant `UTCDateTime` reads (naive values are UTC), without an aware datetime per value."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        raise TypeError("UTCMicroseconds only reads: compare with the UTCDateTime column")

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], int | None]:
        # One function for the value as the driver gives it: SQLite's text (parsed as
        # SQLAlchemy parses it, `datetime.fromisoformat`) or asyncpg's datetime.
        return _microseconds


def _microseconds(value: Any) -> int | None:
    if value.__class__ is str:  # SQLite's text, read as SQLAlchemy reads it
        value = _fromisoformat(value)
    elif value is None:
        return None
    if value.tzinfo is None:
        return (value - _NAIVE_EPOCH) // _MICROSECOND  # type: ignore[no-any-return]
    return (value - _EPOCH) // _MICROSECOND  # type: ignore[no-any-return]


_fromisoformat = datetime.fromisoformat
