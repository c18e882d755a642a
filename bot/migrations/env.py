"""Alembic environment: runs migrations on the async engine of either database."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.schema import metadata

# An arbitrary constant: instances starting together take turns at migrating.
PG_MIGRATION_LOCK = 7_300_451


def _migrate(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})"))
        context.run_migrations()


async def _run(url: URL) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_migrate)
            await conn.commit()
    finally:
        await engine.dispose()


url = context.config.attributes.get("database_url")
if url is None:
    from bot.settings import Settings
    from bot.store.db import normalise_database_url

    url = normalise_database_url(Settings().DATABASE_URL)
if context.is_offline_mode():
    raise SystemExit("Parley's migrations run online only: use `parley db upgrade`")
asyncio.run(_run(url))
