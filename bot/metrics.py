"""What `GET /metrics` shows, in Prometheus' text format, through the official client.

Each running Parley has a registry of its own (never the client's global default), so the tests
and the demo can run several in one process. What changes with each request, Web API call or
job is counted as it happens; what the database holds (the outbox's backlog) and what the store
counted (waits for SQLite's write lock) is read when Prometheus scrapes, with the same
three counting queries `/healthz` runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy.exc import SQLAlchemyError

from bot.store import Store
from bot.store import outbox as outbox_repo

log = logging.getLogger(__name__)

# Slack answers within 3 s or the request counts as failed; the buckets are dense below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0)
_SLACK_METHOD = re.compile(r"^[a-zA-Z]+(?:\.[a-zA-Z]+)+$")
_ERROR_CODE = re.compile(r"[^a-z0-9_]")


@dataclass(frozen=True)
class _Backlog:
    undelivered: int
    due: int
    failed: int
    oldest_seconds: float | None


class Metrics:
    """The counters of one running Parley and the registry `/metrics` renders."""

    def __init__(self, *, version: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        Gauge("parley_build_info", "Parley's version", ["version"], registry=registry).labels(
            version=version
        ).set(1)
        self.requests = Counter(
            "parley_requests",
            "Slack requests answered, by kind (command, event or interaction type) and outcome",
            ["kind", "outcome"],
            registry=registry,
        )
        self.ack_seconds = Histogram(
            "parley_ack_seconds",
            "Seconds from a Slack request's arrival to Parley's answer (Slack allows 3)",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self.slack_calls = Counter(
            "parley_slack_api_calls",
            "Web API calls, every attempt, by method and error (none: ok; ratelimited: 429)",
            ["method", "error"],
            registry=registry,
        )
        self.job_runs = Counter(
            "parley_ticker_job_runs", "Background job runs", ["job"], registry=registry
        )
        self.job_failures = Counter(
            "parley_ticker_job_failures",
            "Background job runs that raised",
            ["job"],
            registry=registry,
        )
        self.job_seconds = Histogram(
            "parley_ticker_job_seconds",
            "Seconds a background job run took",
            ["job"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self._store: Store | None = None
        self._database_up = False
        self._backlog: _Backlog | None = None
        registry.register(_StoreCollector(self))

    # What happens, as it happens ------------------------------------------------------------

    def request_answered(self, kind: str, status: int, seconds: float) -> None:
        self.requests.labels(kind=kind, outcome=outcome_of(status)).inc()
        self.ack_seconds.labels(kind=kind.split(":", 1)[0]).observe(seconds)

    def job_ran(self, job: str, seconds: float, failed: bool) -> None:
        self.job_runs.labels(job=job).inc()
        self.job_seconds.labels(job=job).observe(seconds)
        if failed:
            self.job_failures.labels(job=job).inc()

    def slack_call(self, method: str, error: str) -> None:
        self.slack_calls.labels(method=method, error=error).inc()

    def web_api_observer(self) -> WebApiObserver:
        return WebApiObserver(self)

    # What the store holds, read at scrape time ------------------------------------------------

    def watch(self, store: Store | None) -> None:
        self._store = store

    async def render(self, *, now: datetime) -> bytes:
        """The text page: the store read now, then every metric of this registry."""
        await self._read_store(now)
        return generate_latest(self.registry)

    async def _read_store(self, now: datetime) -> None:
        self._backlog = None
        store = self._store
        self._database_up = False
        if store is None:
            return
        try:
            async with store.read() as conn:
                backlog = await outbox_repo.backlog(conn, now=now)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("metrics: reading the outbox failed: %s", type(exc).__name__)
            return
        self._database_up = True
        oldest = backlog.oldest_created_at
        self._backlog = _Backlog(
            undelivered=backlog.undelivered,
            due=backlog.due,
            failed=backlog.failed,
            oldest_seconds=(now - oldest).total_seconds() if oldest is not None else None,
        )


def outcome_of(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    return {400: "malformed", 401: "unsigned", 404: "unhandled"}.get(
        status, "error" if status >= 500 else f"http_{status}"
    )


class _StoreCollector(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        metrics = self._metrics
        yield GaugeMetricFamily(
            "parley_database_up",
            "1 when the database answered the last scrape",
            value=1 if metrics._database_up else 0,
        )
        backlog = metrics._backlog
        if backlog is not None:
            for name, text, value in (
                ("undelivered", "Outbox messages not delivered yet", backlog.undelivered),
                ("due", "Outbox messages due now", backlog.due),
                ("failed", "Outbox messages that failed for good (kept 14 days)", backlog.failed),
            ):
                yield GaugeMetricFamily(f"parley_outbox_{name}", text, value=value)
            yield GaugeMetricFamily(
                "parley_outbox_oldest_undelivered_seconds",
                "Age of the oldest undelivered outbox message (0 when none)",
                value=backlog.oldest_seconds or 0.0,
            )
        store = metrics._store
        if store is not None and store.dialect == "sqlite":
            yield CounterMetricFamily(
                "parley_sqlite_lock_waits",
                "Write transactions that waited for another process's SQLite lock",
                value=store.lock_waits,
            )
            yield CounterMetricFamily(
                "parley_sqlite_lock_wait_seconds",
                "Seconds write transactions waited for another process's SQLite lock",
                value=store.lock_wait_seconds,
            )


class WebApiObserver(AsyncRetryHandler):
    """Counts every attempt of every Web API call; never asks for a retry itself.

    slack_sdk asks a client's retry handlers about every response and every error, so the one
    place that sees all calls (Bolt copies a client's handlers into each request's client, and
    the outbox's client has only this one) is a handler placed first in each list."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        try:
            self._metrics.slack_call(_method(request.url), _error(response, error))
        except Exception:  # counting must never break a call
            log.exception("metrics: counting a Web API call failed")
        return False


def _method(url: str) -> str:
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name if _SLACK_METHOD.match(name) else "other"


def _error(response: HttpResponse | None, error: Exception | None) -> str:
    if error is not None:
        return type(error).__name__
    if response is None:
        return "no_response"
    if response.status_code == 429:
        return "ratelimited"
    body: Any = response.body
    if isinstance(body, dict) and body.get("ok") is False:
        code = _ERROR_CODE.sub("_", str(body.get("error") or "unknown").lower())[:60]
        return code or "unknown"
    if response.status_code >= 400:
        return f"http_{response.status_code}"
    return "none"
