"""Storage: one SQLAlchemy Core layer over SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from bot.store.db import DatabaseError, NestedTransactionError, Store, normalise_database_url

__all__ = ["DatabaseError", "NestedTransactionError", "Store", "normalise_database_url"]
