"""The composition root: settings, store and clock in; a wired Bolt app out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, SystemClock
from bot.commands import register_all
from bot.commands.bolt_internals import SignalledAck, install_listener_runner
from bot.commands.deps import Deps
from bot.commands.directory import Directory
from bot.commands.pacing import PacedWebClient, Pacer
from bot.commands.steps import Next
from bot.commands.words.language import Languages
from bot.config import ParleyConfig, resolve_config
from bot.domain.calendar import calendar_for
from bot.domain.parties import Person
from bot.retry import BudgetedRetryHandler
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)


def retry_handlers(
    budget_seconds: float, observer: AsyncRetryHandler | None = None
) -> list[AsyncRetryHandler]:
    """The request path's retries (a list replaces slack_sdk's default): 429s after their
    Retry-After, 5xx and dropped connections after a backoff, within the budget (about a
    minute: `PARLEY_SLACK_RETRY_SECONDS`; bot/retry.py). An `observer` (bot/metrics.py: it
    counts every attempt, never retries) goes first."""
    return [*([observer] if observer is not None else []), BudgetedRetryHandler(budget_seconds)]


WEB_API_TIMEOUT_SECONDS = 10


def slack_session() -> aiohttp.ClientSession:
    """One pool of kept-alive connections for every Web API call of the process.

    Given no session, slack_sdk opens a new one, so a new TCP connection and TLS handshake,
    for every call. With one, the timeout is the session's (slack_sdk's own applies only to
    the sessions it opens). Whoever opens it closes it (`close_client`)."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT_SECONDS))


def web_client(
    settings: Settings,
    session: aiohttp.ClientSession | None = None,
    *,
    observer: AsyncRetryHandler | None = None,
) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(settings.PARLEY_SLACK_RETRY_SECONDS, observer),
        session=session,
    )


def outbox_client(
    settings: Settings,
    session: aiohttp.ClientSession | None = None,
    *,
    observer: AsyncRetryHandler | None = None,
    clock: Clock | None = None,
) -> AsyncWebClient:
    """The outbox worker's client retries nothing by itself: a retried post that had reached
    Slack would be posted twice, and a Retry-After slept inside the client holds a worker.
    The outbox schedules every retry itself, and looks before posting a message in doubt.
    It keeps Slack's rate limits before Slack has to say so (`bot/commands/pacing.py`).
    An `observer` only counts (bot/metrics.py)."""
    return PacedWebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[observer] if observer is not None else [],
        session=session,
        pacer=Pacer(
            scale=settings.PARLEY_SLACK_PACE,
            # A 429's hold counts on the clock the outbox schedules its retry by.
            held=(lambda: clock.now().timestamp()) if clock is not None else None,
        ),
    )


def load_config(settings: Settings) -> ParleyConfig:
    return resolve_config(settings.PARLEY_CONFIG, Path.cwd())


def build_deps(
    settings: Settings,
    store: Store,
    client: AsyncWebClient,
    *,
    config: ParleyConfig,
    clock: Clock | None = None,
) -> Deps:
    return Deps(
        store=store,
        clock=clock or SystemClock(),
        config=config,
        calendar=calendar_for(config.calendar.holidays, config.calendar.timezone),
        settings=settings,
        directory=Directory(client),
        languages=Languages(config.i18n.locale),
    )


def build_app(
    deps: Deps, client: AsyncWebClient, identity: Callable[[], Awaitable[Person]]
) -> AsyncApp:
    """A Bolt app with every listener registered and `deps` in each listener's context.

    Request signatures are checked by the HTTP layer (bot/server.py), which can refuse a
    forged request without logging its body; Socket Mode needs no signatures. Who Parley is
    comes from the auth.test made at start (`identity`), so no request waits on Slack for it.
    """

    async def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        me = await identity()
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=me.team_id,
            bot_user_id=me.user_id,
            bot_token=deps.settings.SLACK_BOT_TOKEN,
            user_id=user_id,
        )

    # Bolt makes each request's client from this one and the token `authorize` returns.
    tokenless = AsyncWebClient(
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=client.retry_handlers,
        session=client.session,
    )
    app = AsyncApp(
        client=tokenless,
        authorize=authorize,
        signing_secret=deps.settings.SLACK_SIGNING_SECRET or "",
        request_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger("bot.bolt"),
    )

    # Answer Slack as soon as a handler acks (Bolt's own runner looks every 10 ms).
    install_listener_runner(app, deps.runtime.handlers)

    async def provide_deps(
        body: dict[str, Any], context: AsyncBoltContext, next: Next
    ) -> BoltResponse | None:
        context["deps"] = deps
        context["ack"] = SignalledAck()
        return await next()

    register_all(app, provide_deps)
    return app
