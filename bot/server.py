"""Serving Slack: HTTP on $PORT (or Socket Mode), health checks, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot import __version__, envelopes
from bot.app import build_app
from bot.clock import Clock
from bot.commands import events
from bot.commands.acks import HandlerTasks
from bot.commands.delivery import Outbox
from bot.commands.deps import Deps
from bot.config import ParleyConfig
from bot.domain.parties import Person
from bot.metrics import Metrics
from bot.services import BACKGROUND_JOBS, Services, app_id_of, open_parley
from bot.settings import Settings, SettingsError
from bot.store import Store, replays
from bot.store import outbox as outbox_repo
from bot.ticker import Ticker

log = logging.getLogger(__name__)
request_log = logging.getLogger("bot.requests")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
LIVE_PATH = "/livez"
METRICS_PATH = "/metrics"
SHUTDOWN_GRACE_SECONDS = 20.0
TICK_SECONDS = 60.0
DEPS_KEY = web.AppKey("deps", Deps)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
METRICS_KEY = web.AppKey("metrics", Metrics)
# What kind of Slack request `slack_events` found, for the metrics middleware.
REQUEST_KIND = web.RequestKey("request_kind", str)
SECRET_KEY = web.AppKey("signing_secret", bytes)
Installed = Callable[[], Awaitable[envelopes.Installation]]
INSTALLATION_KEY: web.AppKey[Installed] = web.AppKey("installation")
Identity = Callable[[], Awaitable[Person]]
IDENTITY_KEY: web.AppKey[Identity] = web.AppKey("identity")


async def slack_events(request: web.Request) -> web.Response:
    """Every Slack request (commands, interactivity, events): checked at this edge in one
    place (signature, shape, audience, replay; `bot/envelopes.py`), then handed to Bolt; a
    `message` event is taken here (`bot/commands/events.py: take_message`)."""
    body = await request.read()
    if envelopes.is_ssl_check(body):
        # Slack checking the command URL's certificate; like Bolt, before the signature (the
        # check may come unsigned) and reading nothing else of the body.
        return web.Response(status=200)
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not envelopes.signature_valid(
        request.app[SECRET_KEY], body, timestamp, signature, now=time.time()
    ):
        # Never the body: it may hold anything, and a forger controls it.
        log.warning(
            "refused a request with an invalid or stale signature (remote %s, %d bytes)",
            request.remote,
            len(body),
        )
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        shape = envelopes.read_body(body.decode("utf-8"))
    except UnicodeDecodeError:
        log.warning("refused a Slack request whose body is not UTF-8 (%d bytes)", len(body))
        return web.json_response({"error": "body is not UTF-8"}, status=400)
    except envelopes.Malformed as exc:
        log.warning("refused a malformed Slack request (%d bytes): %s", len(body), exc)
        return web.json_response({"error": "malformed request"}, status=400)
    request[REQUEST_KIND] = request_kind(shape)
    refusal = await _refusal(request, shape, timestamp, signature)
    if refusal is not None:
        return refusal
    started = time.perf_counter()
    if envelopes.is_chatter(shape):  # the firehose: acknowledged here, Bolt never sees it
        _log_request(request, shape, 200, started)
        return web.Response(status=200)
    if envelopes.is_message(shape):  # a reply, an edit or a deletion in a thread
        deps = request.app[DEPS_KEY]
        status = await events.take_message(shape.body, deps, await request.app[IDENTITY_KEY]())
        _log_request(request, shape, status, started)
        return web.Response(status=status)
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
    except Exception as exc:  # a shape the edge's models let through and Bolt trips on
        log.warning("refused a malformed Slack request (%s)", type(exc).__name__)
        return web.json_response({"error": "malformed request"}, status=400)
    _log_request(request, shape, bolt_response.status, started)
    return await to_aiohttp_response(bolt_response)


def _log_request(request: web.Request, shape: envelopes.Shape, status: int, started: float) -> None:
    """One line per request; never a token, never what anybody wrote. In JSON logs each
    field is a key of its own (bot/logs.py)."""
    what, workspace, user = describe(shape)
    fields = {
        "request": what,
        "workspace": workspace,
        "user": user,
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "retry": request.headers.get("X-Slack-Retry-Num", "0"),
    }
    request_log.info(
        "%(request)s workspace=%(workspace)s user=%(user)s status=%(status)d "
        "latency_ms=%(latency_ms).1f retry=%(retry)s",
        fields,
        extra={"fields": fields},
    )


async def _refusal(
    request: web.Request, shape: envelopes.Shape, timestamp: str, signature: str
) -> web.Response | None:
    """The answer to a well-formed, signed request Parley does not serve; None to serve it.

    For another workspace or app, events are answered 200 and dropped: Slack retries an
    event it was not answered 2xx, and counts each such delivery against the app's failure
    rate, which can switch the app's event subscriptions off (ours too). Commands and
    interactions, which Slack never retries, are answered 403. A signed form seen before
    is a replay (Slack sends each command and interaction once): 401, like a bad signature.
    """
    if shape.kind == "url_verification":
        return None  # Bolt answers the challenge; it carries no workspace
    try:
        ours = await request.app[INSTALLATION_KEY]()
    except (RuntimeError, SettingsError):
        log.warning("refused a Slack request: Parley does not know its own workspace yet")
        return web.json_response({"error": "not ready"}, status=503)
    other = envelopes.foreign(shape, team_id=ours.team_id, app_id=ours.app_id)
    if other is not None:
        log.warning("refused a request for %s (%s)", other, shape.kind)
        if shape.is_event:
            return web.Response(status=200)
        return web.json_response({"error": "not this installation"}, status=403)
    if isinstance(shape.model, envelopes.AppRateLimited):
        log.warning(
            "Slack is dropping Parley's events for the minute starting %s "
            "(it delivers about 30,000 an hour per workspace to one app)",
            shape.model.minute_rate_limited,
        )
        return web.Response(status=200)
    if shape.is_event:
        return None  # events are deduplicated by their event id
    store = request.app[DEPS_KEY].store
    try:
        async with store.write() as conn:
            fresh = await replays.take(
                conn, signature=envelopes.replay_key(signature), signed_at=int(timestamp)
            )
    except (SQLAlchemyError, OSError) as exc:
        log.warning("refused a Slack request: the database did not answer (%s)", type(exc).__name__)
        return web.json_response({"error": "try again"}, status=503)
    if not fresh:
        log.warning("refused a replayed %s (its signature was used before)", shape.kind)
        return web.json_response({"error": "invalid request"}, status=401)
    return None


def describe(shape: envelopes.Shape) -> tuple[str, str, str]:
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
    command = form.get("command", "?")
    sub = (form.get("text", "").split() or [""])[0][:20]
    return (
        f"command:{command} {sub}".rstrip(),
        form.get("team_id", "-"),
        form.get("user_id", "-"),
    )


def request_kind(shape: envelopes.Shape) -> str:
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
    return f"command:{shape.form.get('command', '?')[:30]}"


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


def web_app(
    bolt: AsyncApp,
    deps: Deps,
    installation: Installed,
    identity: Identity,
    metrics: Metrics | None = None,
) -> web.Application:
    app = web.Application(middlewares=[count_requests])
    app[DEPS_KEY] = deps
    app[BOLT_KEY] = bolt
    app[METRICS_KEY] = metrics or Metrics(version=__version__)
    app[INSTALLATION_KEY] = installation
    app[IDENTITY_KEY] = identity
    secret = deps.settings.SLACK_SIGNING_SECRET
    if secret is not None:  # Socket Mode needs no signing secret, and then has no HTTP endpoint
        app[SECRET_KEY] = secret.encode()
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
        self.services: Services | None = None
        self._services_stack: contextlib.AsyncExitStack | None = None
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
        stack = contextlib.AsyncExitStack()
        try:
            services = await stack.enter_async_context(
                open_parley(self.settings, self.config, clock=self.clock, metrics=self.metrics)
            )
            if services.me is not None:
                services.app_id = await app_id_of(services.client, services.me)
        except BaseException:
            await stack.aclose()
            raise
        self._services_stack = stack
        self.services = services
        self.store, self.client, self.deps = services.store, services.client, services.deps
        self.outbox = services.outbox
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
        self.bolt = build_app(self.deps, self.client, self.identity)
        self.ticker = Ticker(
            [(name, functools.partial(job, services)) for name, job in BACKGROUND_JOBS],
            interval=self.tick_seconds or 60.0,
            observe=self.metrics.job_ran,
        )
        if self.tick_seconds is not None:
            self.ticker.start()
        self._runner = web.AppRunner(
            web_app(self.bolt, self.deps, self.installation, self.identity, self.metrics),
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
        assert self.services is not None
        return await self.services.identity()

    async def installation(self) -> envelopes.Installation:
        """The workspace and app Parley serves: requests for any other are refused."""
        me = await self.identity()
        assert self.services is not None
        return envelopes.Installation(team_id=me.team_id, app_id=self.services.app_id)

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
        if self.deps is not None:
            await drain_background_work(self.deps.runtime.handlers, SHUTDOWN_GRACE_SECONDS)
        if self._services_stack is not None:
            await self._services_stack.aclose()  # the outbox flushed, the client, the store
            self._services_stack = None
        self.services = None
        self.outbox = None
        self.store = None


async def drain_background_work(handlers: HandlerTasks, grace: float) -> None:
    """Wait for handlers still at work after their ack (`bot/commands/bolt_internals.py` runs
    every listener), so a shutdown does not cut one in half."""
    pending = handlers.running()
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
