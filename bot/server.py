"""Serving Slack: HTTP on $PORT (or Socket Mode), health checks, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot import __version__
from bot.app import build_app, build_deps, outbox_client, slack_session, web_client
from bot.clock import Clock
from bot.commands.acks import handlers_running
from bot.commands.agreements import expire_agreements
from bot.commands.delivery import Outbox
from bot.commands.digests import send_due_digests
from bot.commands.overdue import notify_overdue
from bot.commands.review_reminders import remind_reviews
from bot.config import ParleyConfig
from bot.deps import Deps
from bot.metrics import Metrics
from bot.settings import Settings, SettingsError
from bot.store import Store
from bot.store import outbox as outbox_repo
from bot.ticker import Ticker
from bot.workflows.models import Person
from bot.workflows.party_admin import sync_configured_parties

log = logging.getLogger(__name__)
request_log = logging.getLogger("bot.requests")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
LIVE_PATH = "/livez"
METRICS_PATH = "/metrics"
SHUTDOWN_GRACE_SECONDS = 20.0
OUTBOX_FLUSH_SECONDS = 5.0
TICK_SECONDS = 60.0
DEPS_KEY = web.AppKey("deps", Deps)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
VERIFIER_KEY = web.AppKey("verifier", SignatureVerifier)
METRICS_KEY = web.AppKey("metrics", Metrics)
# What kind of Slack request `slack_events` found, for the metrics middleware.
REQUEST_KIND = web.RequestKey("request_kind", str)


async def slack_events(request: web.Request) -> web.Response:
    """Every Slack request (commands, interactivity, events): verified, then handed to Bolt."""
    body = await request.read()
    verifier = request.app[VERIFIER_KEY]
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    # slack_sdk's verifier raises on a timestamp that is not a number: refuse it first.
    if not (timestamp.isascii() and timestamp.isdigit()) or not verifier.is_valid(
        body, timestamp, signature
    ):
        # Never the body: it may hold anything, and a forger controls it.
        log.warning(
            "refused a request with an invalid or stale signature (remote %s, %d bytes)",
            request.remote,
            len(body),
        )
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return web.json_response({"error": "body is not UTF-8"}, status=400)
    shape = well_formed(text)
    if shape is None:
        log.warning("refused a malformed Slack request (%d bytes)", len(body))
        return web.json_response({"error": "malformed request"}, status=400)
    request[REQUEST_KIND] = request_kind(shape)
    started = time.perf_counter()
    try:
        # Bolt gets the body as parsed here. Its own HTTP-mode parser takes any body with the
        # word "payload" in it for an interactive payload, so `/dispute open Payload API is
        # down` reached no listener. A parsed body is taken only with the socket-mode flag,
        # which otherwise only skips Bolt's signature check (disabled: it was done above).
        bolt_request = AsyncBoltRequest(
            body=shape.body,
            query=request.query_string,
            headers=dict(request.headers),
            mode="socket_mode",
        )
        bolt_response = await request.app[BOLT_KEY].async_dispatch(bolt_request)
    except Exception as exc:  # Bolt's own parsing trips on payloads of the wrong shape
        log.warning("refused a malformed Slack request (%s)", type(exc).__name__)
        return web.json_response({"error": "malformed request"}, status=400)
    what, workspace, user = describe(shape)
    # One line per request; never a token, never what anybody wrote. In JSON logs each field
    # is a key of its own (bot/logs.py).
    fields = {
        "request": what,
        "workspace": workspace,
        "user": user,
        "status": bolt_response.status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "retry": request.headers.get("X-Slack-Retry-Num", "0"),
    }
    request_log.info(
        "%(request)s workspace=%(workspace)s user=%(user)s status=%(status)d "
        "latency_ms=%(latency_ms).1f retry=%(retry)s",
        fields,
        extra={"fields": fields},
    )
    return await to_aiohttp_response(bolt_response)


def describe(shape: Shape) -> tuple[str, str, str]:
    """(what, workspace, user) of a well-formed Slack request, for the request log."""
    if shape.json is not None:
        body = shape.json
        event = body.get("event") or {}
        kind = f"event:{event.get('type')}" + (
            f"/{event['subtype']}" if event.get("subtype") else ""
        )
        return kind, str(body.get("team_id") or "-"), str(event.get("user") or "-")[:20]
    if shape.payload is not None:
        payload = shape.payload
        name = ",".join(str(a.get("action_id")) for a in payload.get("actions") or []) or str(
            (payload.get("view") or {}).get("callback_id") or payload.get("callback_id") or ""
        )
        team = (payload.get("team") or {}).get("id") or "-"
        return (
            f"{payload.get('type')}:{name}"[:80],
            str(team),
            str((payload.get("user") or {}).get("id") or "-"),
        )
    form = shape.form
    command = form.get("command", ["?"])[0]
    sub = (form.get("text", [""])[0].split() or [""])[0][:20]
    return (
        f"command:{command} {sub}".rstrip(),
        form.get("team_id", ["-"])[0],
        form.get("user_id", ["-"])[0],
    )


def request_kind(shape: Shape) -> str:
    """A request's kind for metrics: Slack's names only, never what somebody typed (which
    would make a new time series of every command's text)."""
    if shape.json is not None:
        body = shape.json
        event = body.get("event")
        if body.get("type") == "event_callback" and isinstance(event, dict):
            return f"event:{str(event.get('type'))[:40]}"
        return str(body.get("type"))[:40]
    if shape.payload is not None:
        return f"interaction:{str(shape.payload.get('type'))[:40]}"
    return f"command:{shape.form.get('command', ['?'])[0][:30]}"


def _is_text(value: object) -> bool:
    return isinstance(value, str)


@dataclass(frozen=True)
class Shape:
    """A request body as read once: an Events API JSON body, an interactive payload, or a
    slash command's form."""

    json: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    form: dict[str, list[str]] = field(default_factory=dict)

    @property
    def body(self) -> dict[str, Any]:
        """The body as Bolt reads it: the JSON, the payload, or the form's fields."""
        if self.json is not None:
            return self.json
        if self.payload is not None:
            return self.payload
        return {key: values[0] for key, values in self.form.items()}


def well_formed(text: str) -> Shape | None:
    """The shapes Slack sends, checked before Bolt, which assumes them and raises otherwise."""
    if text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
        except ValueError:
            return None
        if not isinstance(body, dict) or not _is_text(body.get("type")):
            return None
        if "event" in body and not isinstance(body["event"], dict):
            return None
        if body["type"] == "event_callback":
            event = body.get("event")
            if not (isinstance(event, dict) and _is_text(event.get("type"))):
                return None
        return Shape(json=body)
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except ValueError:
            return None
        if not isinstance(payload, dict) or not _is_text(payload.get("type")):
            return None
        user = payload.get("user")
        if user is not None and not (isinstance(user, dict) and _is_text(user.get("id"))):
            return None
        for key in ("team", "channel", "container", "view", "message"):
            if payload.get(key) is not None and not isinstance(payload.get(key), dict):
                return None
        actions = payload.get("actions")
        if actions is None or (
            isinstance(actions, list) and all(isinstance(a, dict) for a in actions)
        ):
            return Shape(payload=payload)
        return None
    if "command" in form and all(
        _is_text(form.get(k, [None])[0]) for k in ("command", "user_id", "channel_id")
    ):
        return Shape(form=form)
    return None


async def health(request: web.Request) -> web.Response:
    """200 with the database reachable, 503 otherwise; with the outbox's backlog."""
    deps = request.app[DEPS_KEY]
    ok = await deps.store.ping()
    report: dict[str, object] = {
        "status": "ok" if ok else "unavailable",
        "version": __version__,
        "database": ok,
    }
    if ok:
        now = deps.clock.now()
        try:
            async with deps.store.read() as conn:
                backlog = await outbox_repo.backlog(conn, now=now)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("healthz: reading the outbox failed: %s", type(exc).__name__)
        else:
            oldest = backlog.oldest_created_at
            report["outbox"] = {
                "undelivered": backlog.undelivered,
                "due": backlog.due,
                "failed": backlog.failed,
                "oldest_undelivered_seconds": (
                    round((now - oldest).total_seconds(), 1) if oldest is not None else None
                ),
            }
    return web.json_response(report, status=200 if ok else 503, dumps=json.dumps)


async def live(request: web.Request) -> web.Response:
    """Liveness: the process answers (whatever the database does)."""
    return web.json_response({"status": "ok", "version": __version__})


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus' text format; the outbox's backlog is read from the store now."""
    deps = request.app[DEPS_KEY]
    page = await request.app[METRICS_KEY].render(now=deps.clock.now())
    return web.Response(body=page, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every Slack request counted by kind and outcome, and how long its answer took."""
    if request.path != EVENTS_PATH:
        return await handler(request)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        request.app[METRICS_KEY].request_answered(
            request.get(REQUEST_KIND, "unknown"), status, time.perf_counter() - started
        )


def web_app(bolt: AsyncApp, deps: Deps, metrics: Metrics | None = None) -> web.Application:
    app = web.Application(middlewares=[count_requests])
    app[DEPS_KEY] = deps
    app[BOLT_KEY] = bolt
    app[METRICS_KEY] = metrics or Metrics(version=__version__)
    secret = deps.settings.SLACK_SIGNING_SECRET
    if secret is not None:  # Socket Mode needs no signing secret, and then has no HTTP endpoint
        app[VERIFIER_KEY] = SignatureVerifier(secret)
        app.router.add_post(EVENTS_PATH, slack_events)
    app.router.add_get(HEALTH_PATH, health)
    app.router.add_get(LIVE_PATH, live)
    app.router.add_get(METRICS_PATH, metrics_page)
    return app


class Parley:
    """One running Parley: store, Bolt app, HTTP site and, with an app token, Socket Mode."""

    def __init__(
        self,
        settings: Settings,
        *,
        config: ParleyConfig,
        clock: Clock | None = None,
        tick_seconds: float | None = TICK_SECONDS,
    ):
        self.settings = settings
        self.tick_seconds = tick_seconds
        self.ticker: Ticker | None = None
        self._identity: Person | None = None
        self.config = config
        self.clock = clock
        self.store: Store | None = None
        self.client: AsyncWebClient | None = None
        self.bolt: AsyncApp | None = None
        self.deps: Deps | None = None
        self.outbox: Outbox | None = None
        self._runner: web.AppRunner | None = None
        self._socket: object | None = None
        self.port: int | None = None
        self.metrics = Metrics(version=__version__)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, *, host: str = "0.0.0.0", port: int | None = None) -> None:
        """Open and migrate the store, then listen. Raises DatabaseError with one line."""
        self.store = Store.open(
            self.settings.DATABASE_URL,
            pool_size=self.settings.PARLEY_DB_POOL_SIZE,
            sqlite_sync=self.settings.PARLEY_SQLITE_SYNC,
        )
        self.metrics.watch(self.store)
        try:
            await self.store.upgrade()
        except BaseException:
            await self.store.close()
            raise
        mode = "socket" if self.settings.socket_mode else "http"
        log.info(
            "Parley %s starting (database migrated): %s mode, %s database",
            __version__,
            mode,
            self.store.dialect,
            extra={
                "fields": {
                    "version": __version__,
                    "mode": mode,
                    "database": self.store.dialect,
                }
            },
        )
        observer = self.metrics.web_api_observer()
        self.client = web_client(self.settings, slack_session(), observer=observer)
        try:
            self._identity = await check_token(self.client)
        except BaseException:
            await self.store.close()
            await close_client(self.client)
            raise
        self.deps = build_deps(
            self.settings, self.store, self.client, config=self.config, clock=self.clock
        )
        if self._identity is not None and self._identity.team_id:
            # The config's parties are on record (and win their names) before anyone speaks.
            await sync_configured_parties(
                self.store,
                workspace_id=self._identity.team_id,
                config=self.config,
                now=self.deps.clock.now(),
            )
        self.outbox = Outbox(
            self.deps, outbox_client(self.settings, self.client.session, observer=observer)
        )
        self.store.on_enqueued.append(self.outbox.wake)
        if self.store.dialect == "sqlite":
            # One process per SQLite file: what it was sending when it died is ours again.
            async with self.store.write() as conn:
                released = await outbox_repo.release_all(conn, now=self.deps.clock.now())
            if released:
                log.info("outbox: %d message(s) in doubt after the last stop", released)
        self.outbox.start()
        self.bolt = build_app(self.deps, self.client, self.identity)
        self.ticker = Ticker(
            [
                ("overdue", self._overdue),
                ("reviews", self._reviews),
                ("agreements", self._agreements),
                ("digests", self._digests),
                ("outbox", self._outbox),
            ],
            interval=self.tick_seconds or 60.0,
            observe=self.metrics.job_ran,
        )
        if self.tick_seconds is not None:
            self.ticker.start()
        self._runner = web.AppRunner(
            web_app(self.bolt, self.deps, self.metrics),
            shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
            access_log=None,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, self.settings.PORT if port is None else port)
        await site.start()
        sockets = [s for s in self._runner.addresses if isinstance(s, tuple)]
        self.port = int(sockets[0][1]) if sockets else None
        if self.settings.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(self.bolt, self.settings.SLACK_APP_TOKEN)
            await handler.connect_async()  # type: ignore[no-untyped-call]
            self._socket = handler
            log.info("Parley is connected in Socket Mode; health checks on port %s", self.port)
        else:
            log.info("Parley is serving Slack at %s on port %s", EVENTS_PATH, self.port)

    async def identity(self) -> Person:
        """Parley's own bot user, as the actor of what it does by itself."""
        if self._identity is None:
            assert self.client is not None
            found = await check_token(self.client)
            if found is None:
                raise RuntimeError("Slack is not reachable: bot identity unknown")
            self._identity = found
        return self._identity

    async def _overdue(self) -> None:
        assert self.deps is not None
        await notify_overdue(self.deps, await self.identity())

    async def _outbox(self) -> None:
        assert self.outbox is not None
        await self.outbox.drain()
        await self.outbox.prune()

    async def _reviews(self) -> None:
        assert self.deps is not None and self.client is not None
        await remind_reviews(self.deps)

    async def _agreements(self) -> None:
        assert self.deps is not None and self.client is not None
        await expire_agreements(self.deps, await self.identity())

    async def _digests(self) -> None:
        assert self.deps is not None and self.client is not None
        await send_due_digests(self.deps)

    async def tick(self) -> None:
        """Run the background jobs once now (the ticker does this every TICK_SECONDS)."""
        assert self.ticker is not None
        await self.ticker.tick()

    async def stop(self) -> None:
        """Stop taking requests, let the ones in flight and their follow-up work finish, close."""
        if self.ticker is not None:
            await self.ticker.stop()
        if self._socket is not None:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            assert isinstance(self._socket, AsyncSocketModeHandler)
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await drain_background_work(SHUTDOWN_GRACE_SECONDS)
        if self.outbox is not None:
            if self.store is not None and self.outbox.wake in self.store.on_enqueued:
                self.store.on_enqueued.remove(self.outbox.wake)
            await self.outbox.stop(OUTBOX_FLUSH_SECONDS)
            self.outbox = None
        if self.client is not None:
            await close_client(self.client)
        if self.store is not None:
            self.metrics.watch(None)
            await self.store.close()
            self.store = None


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


async def close_client(client: AsyncWebClient) -> None:
    session = getattr(client, "session", None)
    if session is not None:
        await session.close()


async def drain_background_work(grace: float) -> None:
    """Wait for handlers still at work after their ack (`bot/commands/acks.py` runs every
    listener), so a shutdown does not cut one in half."""
    pending = handlers_running()
    if not pending:
        return
    _, still = await asyncio.wait(pending, timeout=grace)
    if still:
        log.warning("shutdown: %d handler(s) still running after %.0f s", len(still), grace)


async def serve_forever(settings: Settings, config: ParleyConfig) -> None:
    """`parley serve`: run until SIGTERM or SIGINT, then shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parley = Parley(settings, config=config)
    await parley.start()
    # What start-up built (modules, the app, caches) lives as long as the process: kept out
    # of the collector's way, a full collection no longer walks it, which had put 50-100 ms
    # pauses in the slowest 1 % of answers under load.
    gc.collect()
    gc.freeze()
    try:
        await stop.wait()
        log.info("Parley is shutting down: finishing requests in flight")
    finally:
        with contextlib.suppress(Exception):
            await parley.stop()
    log.info("Parley stopped")
