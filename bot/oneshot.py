"""Parley's services without serving: for commands that do one job and exit
(`parley digest send`, for platforms that prefer an external cron to a background task).

The pieces are the ones `Parley.start` uses (the store migrated, the Web API client, the
token checked, the config's parties on record), so a one-shot job sees exactly what the
served app sees; nothing listens and no ticker runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_deps, outbox_client, slack_session, web_client
from bot.clock import Clock
from bot.commands.delivery import Outbox
from bot.commands.deps import Deps
from bot.commands.digests import send_due_digests
from bot.config import ParleyConfig
from bot.domain.notices import DigestDue
from bot.server import check_token, close_client
from bot.settings import Settings, SettingsError
from bot.store import Store
from bot.store import outbox as outbox_repo
from bot.workflows.party_admin import sync_configured_parties


def require_bot_token(settings: Settings) -> None:
    """A one-shot job talks to the Web API only: it needs the bot token, no signing secret."""
    if settings.SLACK_BOT_TOKEN is None:
        raise SettingsError("SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…)")
    if not settings.SLACK_BOT_TOKEN.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")


@asynccontextmanager
async def services(
    settings: Settings, config: ParleyConfig, *, clock: Clock | None = None
) -> AsyncIterator[tuple[Deps, AsyncWebClient]]:
    """The store (migrated), the Web API client and the deps, closed afterwards."""
    store = Store.open(
        settings.DATABASE_URL,
        pool_size=settings.PARLEY_DB_POOL_SIZE,
        sqlite_sync=settings.PARLEY_SQLITE_SYNC,
    )
    try:
        await store.upgrade()
        client = web_client(settings, slack_session())
        try:
            identity = await check_token(client)
            deps = build_deps(settings, store, client, config=config, clock=clock)
            if identity is not None and identity.team_id:
                await sync_configured_parties(
                    store, workspace_id=identity.team_id, config=config, now=deps.clock.now()
                )
            yield deps, client
        finally:
            await close_client(client)
    finally:
        await store.close()


@dataclass(frozen=True)
class DigestRun:
    """What one `parley digest send` did."""

    posted: int = 0
    empty: int = 0
    failed: int = 0


async def send_digests(
    settings: Settings, config: ParleyConfig, *, clock: Clock | None = None
) -> DigestRun:
    """`parley digest send`: owe every digest that is due now and deliver what the outbox
    holds (digests and anything else still owed), then say what became of the digests."""
    require_bot_token(settings)
    async with services(settings, config, clock=clock) as (deps, client):
        async with deps.store.read() as conn:
            before = await outbox_repo.last_id(conn)
        await send_due_digests(deps)
        await Outbox(deps, outbox_client(settings, client.session)).drain()
        async with deps.store.read() as conn:
            counted = await outbox_repo.statuses(conn, kind=DigestDue.kind, after_id=before)
    return DigestRun(
        posted=counted.get(outbox_repo.DELIVERED, 0),
        empty=counted.get(outbox_repo.SKIPPED, 0),
        failed=sum(n for status, n in counted.items() if status in outbox_repo.UNFINISHED)
        + counted.get(outbox_repo.FAILED, 0),
    )
