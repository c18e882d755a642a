"""`GET /metrics`, `/livez` and `/healthz` of the real app, read as Prometheus reads them."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot import __version__
from bot.metrics import Metrics
from bot.sandbox.harness import Running
from bot.ticker import Ticker
from tests.conftest import START

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of the page, by name and labels, through the client's own parser."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(app: Running) -> Samples:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{app.parley.url}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return parse(await response.text())


async def test_requests_slack_calls_and_the_outbox_move_the_counters(app: Running) -> None:
    before = await scrape(app)
    assert value(before, "parley_build_info", version=__version__) == 1
    assert value(before, "parley_database_up") == 1
    assert value(before, "parley_outbox_undelivered") == 0
    assert value(before, "parley_requests_total", kind="command:/dispute", outcome="ok") == 0

    reply = await app.driver.command("/dispute", "help", user="U0ALICE", channel="C0DESK")
    assert reply.status == 200
    # The card's post is throttled once: counted as a 429, and the card stays owed meanwhile.
    app.slack.fail_next(1, status=429, retry_after=30, method="chat.postMessage")
    reply = await app.driver.command(
        "/dispute", "open Metrics are missing", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    await app.settle()
    unsigned = await app.driver.raw(b"command=/dispute", {"X-Slack-Signature": "v0=forged"})
    assert unsigned.status == 401

    owed = await scrape(app)
    assert value(owed, "parley_requests_total", kind="command:/dispute", outcome="ok") == 2
    assert value(owed, "parley_requests_total", kind="unknown", outcome="unsigned") == 1
    assert value(owed, "parley_ack_seconds_count", kind="command") == 2
    assert value(owed, "parley_ack_seconds_bucket", kind="command", le="+Inf") == 2
    assert value(owed, "parley_ack_seconds_sum", kind="command") > 0
    assert (
        value(owed, "parley_slack_api_calls_total", method="chat.postMessage", error="ratelimited")
        == 1
    )
    assert value(owed, "parley_slack_api_calls_total", method="auth.test", error="none") >= 1
    assert value(owed, "parley_outbox_undelivered") >= 1
    assert value(owed, "parley_outbox_due") == 0  # not before Retry-After
    assert value(owed, "parley_outbox_oldest_undelivered_seconds") >= 0
    assert value(owed, "parley_outbox_failed") == 0

    app.clock.advance(timedelta(minutes=1))
    await app.parley.tick()
    await app.settle()
    after = await scrape(app)
    assert value(after, "parley_outbox_undelivered") == 0
    assert (
        value(after, "parley_slack_api_calls_total", method="chat.postMessage", error="none") >= 1
    )
    for job in ("overdue", "reviews", "agreements", "digests", "outbox"):
        assert value(after, "parley_ticker_job_runs_total", job=job) == 1, job
        assert value(after, "parley_ticker_job_seconds_count", job=job) == 1, job
        assert value(after, "parley_ticker_job_failures_total", job=job) == 0, job

    # An event is counted under its own kind.
    _, event_reply = await app.driver.message("U0ALICE", "C0DESK", "just chatting")
    assert event_reply.status == 200
    events = await scrape(app)
    assert value(events, "parley_requests_total", kind="event:message", outcome="ok") == 1
    assert value(events, "parley_ack_seconds_count", kind="event") == 1


async def test_waits_for_another_process_s_sqlite_lock_are_counted(app: Running) -> None:
    assert (await scrape(app))[("parley_sqlite_lock_waits_total", frozenset())] == 0
    path = app.store.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)  # another process, as far as SQLite knows
    try:
        other.execute("BEGIN IMMEDIATE")
        opening = asyncio.create_task(
            app.driver.command("/dispute", "open Locked out", user="U0ALICE", channel="C0DESK")
        )
        await asyncio.sleep(0.3)
        other.execute("COMMIT")
        assert (await opening).status == 200
    finally:
        other.close()
    await app.settle()
    samples = await scrape(app)
    assert value(samples, "parley_sqlite_lock_waits_total") == 1
    assert value(samples, "parley_sqlite_lock_wait_seconds_total") >= 0.2


async def test_livez_and_healthz_carry_the_version(app: Running) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{app.parley.url}/livez") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "version": __version__}
        async with session.get(f"{app.parley.url}/healthz") as response:
            assert response.status == 200
            health = await response.json()
    assert health["version"] == __version__ and health["database"] is True


async def test_a_failing_job_is_counted_and_each_app_has_its_own_registry() -> None:
    first, second = Metrics(version="1"), Metrics(version="2")  # the global registry would refuse

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        return None

    ticker = Ticker([("broken", broken), ("fine", fine)], interval=60, observe=first.job_ran)
    await ticker.tick()
    await ticker.tick()
    samples = parse((await first.render(now=START)).decode())
    assert value(samples, "parley_ticker_job_runs_total", job="broken") == 2
    assert value(samples, "parley_ticker_job_failures_total", job="broken") == 2
    assert value(samples, "parley_ticker_job_failures_total", job="fine") == 0
    assert value(samples, "parley_database_up") == 0  # this one watches no store
    other = parse((await second.render(now=START)).decode())
    assert value(other, "parley_ticker_job_runs_total", job="broken") == 0
    assert value(other, "parley_build_info", version="2") == 1
