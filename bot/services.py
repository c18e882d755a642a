"""Opening Parley's services, once for every way it runs: `parley serve` (bot/server.py),
`parley digest send` (bot/oneshot.py), `parley demo` and the test harness (both through
bot/sandbox/harness.py, which runs the server).

`open_parley` opens the store (migrated), the Web API client (the token checked), the
deps, the config's parties on record and the outbox, and closes them in the reverse order:
the outbox flushed for a moment, then the client, then the store. The background jobs are
listed once, here (`BACKGROUND_JOBS`); the server's ticker runs them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import envelopes
from bot.app import build_deps, outbox_client, slack_session, web_client
from bot.clock import Clock
from bot.commands.agreements import expire_agreements
from bot.commands.audits import make_scheduled_drafts
from bot.commands.complaints import watch_complaints
from bot.commands.contracts import owe_renewals
from bot.commands.delivery import Outbox
from bot.commands.deps import Deps
from bot.commands.digests import send_due_digests
from bot.commands.overdue import notify_overdue
from bot.commands.review_reminders import remind_reviews
from bot.commands.surveys import watch_surveys
from bot.config import ParleyConfig
from bot.config.contracts import contract_check
from bot.domain.parties import Person
from bot.metrics import Metrics
from bot.settings import Settings, SettingsError
from bot.store import Store, replays
from bot.store import outbox as outbox_repo
from bot.workflows.party_admin import sync_configured_parties

log = logging.getLogger(__name__)

OUTBOX_FLUSH_SECONDS = 5.0


@dataclass
class Services:
    """What `open_parley` opened, for as long as it is open."""

    store: Store
    client: AsyncWebClient
    deps: Deps
    outbox: Outbox
    me: Person | None
    app_id: str | None = None

    async def identity(self) -> Person:
        """Parley's own bot user, as the actor of what it does by itself (asked of Slack
        again if it could not be reached at start)."""
        if self.me is None:
            found = await check_token(self.client)
            if found is None:
                raise RuntimeError("Slack is not reachable: bot identity unknown")
            self.me = found
            self.app_id = await app_id_of(self.client, found)
        return self.me


@asynccontextmanager
async def open_parley(
    settings: Settings,
    config: ParleyConfig,
    *,
    clock: Clock | None = None,
    metrics: Metrics | None = None,
    deliver: bool = True,
) -> AsyncIterator[Services]:
    """Parley's services, open (see the module). With `deliver` the outbox worker runs (and
    is flushed on the way out); without it the caller drains the outbox itself (`parley
    digest send`). `metrics` watches the store and counts every Web API call. Raises
    DatabaseError (one line) when the database cannot be opened or migrated."""
    store = Store.open(
        settings.DATABASE_URL,
        pool_size=settings.PARLEY_DB_POOL_SIZE,
        sqlite_sync=settings.PARLEY_SQLITE_SYNC,
    )
    if metrics is not None:
        metrics.watch(store)
    for line in contract_check(config):  # a business problem to fix: start-up goes on
        log.warning("contract short of its SLA: %s", line)
    try:
        await store.upgrade()
        observer = metrics.web_api_observer() if metrics is not None else None
        client = web_client(settings, slack_session(), observer=observer)
        try:
            me = await check_token(client)
            deps = build_deps(settings, store, client, config=config, clock=clock)
            if me is not None and me.team_id:
                # The config's parties are on record (and win their names) before anyone speaks.
                await sync_configured_parties(
                    store, workspace_id=me.team_id, config=config, now=deps.clock.now()
                )
            outbox = Outbox(
                deps,
                outbox_client(settings, client.session, observer=observer, clock=deps.clock),
            )
            services = Services(store=store, client=client, deps=deps, outbox=outbox, me=me)
            if not deliver:
                yield services
                return
            store.on_enqueued.append(outbox.wake)
            try:
                if store.dialect == "sqlite":
                    # One process per SQLite file: what it was sending when it died is ours again.
                    async with store.write() as conn:
                        released = await outbox_repo.release_all(conn, now=deps.clock.now())
                    if released:
                        log.info("outbox: %d message(s) in doubt after the last stop", released)
                outbox.start()
                yield services
            finally:
                if outbox.wake in store.on_enqueued:
                    store.on_enqueued.remove(outbox.wake)
                await outbox.stop(OUTBOX_FLUSH_SECONDS)
        finally:
            await close_client(client)
    finally:
        if metrics is not None:
            metrics.watch(None)
        await store.close()


async def _overdue(services: Services) -> None:
    await notify_overdue(services.deps, await services.identity())


async def _reviews(services: Services) -> None:
    await remind_reviews(services.deps)


async def _agreements(services: Services) -> None:
    await expire_agreements(services.deps, await services.identity())


async def _complaints(services: Services) -> None:
    await watch_complaints(services.deps)


async def _surveys(services: Services) -> None:
    await watch_surveys(services.deps, services.client)


async def _contracts(services: Services) -> None:
    await owe_renewals(services.deps, (await services.identity()).team_id)


async def _audits(services: Services) -> None:
    await make_scheduled_drafts(services.deps)


async def _digests(services: Services) -> None:
    await send_due_digests(services.deps)


async def _forget_requests(services: Services) -> None:
    """Drop the signatures of requests no valid signature can repeat any more."""
    cutoff = int(time.time()) - envelopes.SIGNATURE_WINDOW_SECONDS - 60
    async with services.store.write() as conn:
        await replays.forget_before(conn, signed_before=cutoff)


async def _outbox(services: Services) -> None:
    await services.outbox.drain()
    await services.outbox.prune()


Job = Callable[[Services], Awaitable[None]]

# Every background job, in the order a tick runs them, each every tick (the server's
# TICK_SECONDS, or a test's `parley.tick()`).
BACKGROUND_JOBS: tuple[tuple[str, Job], ...] = (
    ("overdue", _overdue),
    ("reviews", _reviews),
    ("agreements", _agreements),
    ("complaints", _complaints),
    ("surveys", _surveys),
    ("contracts", _contracts),
    ("audits", _audits),
    ("digests", _digests),
    ("outbox", _outbox),
    ("requests", _forget_requests),
)


async def check_token(client: AsyncWebClient) -> Person | None:
    """Refuse to start with a token Slack rejects; start anyway if Slack cannot be reached.

    Returns Parley's own bot user (None when Slack could not be asked)."""
    try:
        found = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in ("invalid_auth", "not_authed", "account_inactive", "token_revoked"):
            raise SettingsError(f"SLACK_BOT_TOKEN was refused by Slack ({error})") from None
        log.warning("auth.test failed (%s); starting anyway", error)
        return None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        log.warning("Slack is not reachable (%s); starting anyway", type(exc).__name__)
        return None
    return Person(
        user_id=str(found.get("user_id") or ""),
        team_id=str(found.get("team_id") or ""),
        name=str(found.get("user") or "parley"),
    )


async def app_id_of(client: AsyncWebClient, me: Person) -> str | None:
    """Parley's own app id, so a request for another app is refused: a bot user's profile
    in `users.info` carries its `api_app_id` (auth.test does not say it for every token).
    None when Slack cannot say; requests are then checked against the workspace only."""
    try:
        found = await client.users_info(user=me.user_id)
    except SlackApiError as exc:
        log.warning("users.info failed for Parley's bot user (%s)", exc.response.get("error"))
        return None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        log.warning("Slack is not reachable (%s): Parley's app id unknown", type(exc).__name__)
        return None
    profile = (found.get("user") or {}).get("profile") or {}
    app_id = profile.get("api_app_id")
    if not isinstance(app_id, str) or not app_id:
        log.warning("Slack did not say Parley's app id: requests are checked by workspace only")
        return None
    return app_id


async def close_client(client: AsyncWebClient) -> None:
    session = getattr(client, "session", None)
    if session is not None:
        await session.close()
