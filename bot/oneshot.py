"""Parley's services without serving: for commands that do one job and exit
(`parley digest send`, for platforms that prefer an external cron to a background task).

The pieces are the ones `Parley.start` uses (the store migrated, the Web API client, the
token checked, the config's parties on record), so a one-shot job sees exactly what the
served app sees; nothing listens and no ticker runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_deps, web_client
from bot.clock import Clock
from bot.commands.digests import DigestRun, send_due_digests
from bot.config import ParleyConfig
from bot.deps import Deps
from bot.server import check_token, close_client
from bot.settings import Settings, SettingsError
from bot.store import Store
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
    store = Store.open(settings.DATABASE_URL)
    try:
        await store.upgrade()
        client = web_client(settings)
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


async def send_digests(
    settings: Settings, config: ParleyConfig, *, clock: Clock | None = None
) -> DigestRun:
    """`parley digest send`: post every digest that is due now, then return what was done."""
    require_bot_token(settings)
    async with services(settings, config, clock=clock) as (deps, client):
        return await send_due_digests(deps, client)
