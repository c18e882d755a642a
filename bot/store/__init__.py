"""Storage: one SQLAlchemy Core layer over SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from bot.store.db import DatabaseError, Store, normalise_database_url

__all__ = ["DatabaseError", "Store", "normalise_database_url"]
