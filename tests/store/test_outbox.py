"""The outbox: what a change owes Slack is stored with it, then delivered in order, once.

Slack is the stand-in, failing on cue: 5xx and 429 are retried with backoff (by the fake
clock), final errors are recorded and the owner told once, a message whose answer was lost
is found by its metadata instead of being posted twice, and edits of one card are coalesced.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from bot.config import ParleyConfig
from bot.domain.disputes import Dispute
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import RecordedCall, SlackStandIn
from bot.store import Store
from bot.store import disputes as disputes_repo
from bot.store.schema import outbox
from tests.conftest import START


async def rows(app: Running) -> list[dict[str, Any]]:
    async with app.store.read() as conn:
        found = await conn.execute(sa.select(outbox).order_by(outbox.c.id))
        return [dict(r._mapping) for r in found]


async def dispute(app: Running, number: int = 1) -> Dispute:
    async with app.store.read() as conn:
        found = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=number)
    assert found is not None
    return found


def posts(app: Running, channel: str | None = None) -> list[RecordedCall]:
    return [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.ok and (channel is None or c.args.get("channel") == channel)
    ]


async def later(app: Running, seconds: float) -> None:
    app.clock.advance(timedelta(seconds=seconds))
    await app.parley.tick()
    await app.settle()


async def test_a_change_and_what_it_owes_are_stored_together_and_delivered_in_order(
    app: Running,
) -> None:
    await app.driver.command("/dispute", "open Core outage", user="U0ALICE", channel="C0DESK")
    await app.driver.command(
        "/dispute", "escalate D-1 No answer in two days", user="U0ALICE", channel="C0DESK"
    )
    await app.driver.command(
        "/dispute", "escalate D-1 Still broken", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    owed = await rows(app)
    assert [r["kind"] for r in owed] == [
        "dispute.card",
        "dispute.line",
        "dispute.refresh",
        "dispute.line",
        "dispute.refresh",
        "dispute.tell",  # company_process tells the dispute-process channel
    ]
    assert {r["status"] for r in owed} <= {"delivered", "skipped"}
    assert all(r["lane"] == owed[0]["lane"] for r in owed)
    d1 = await dispute(app)
    card, *lines = posts(app, "C0DESK")
    assert owed[0]["ts"] == card.response["ts"] == d1.root_ts  # type: ignore[index]
    assert [c.args.get("thread_ts") for c in lines] == [d1.root_ts, d1.root_ts]
    assert "No answer in two days" in str(lines[0].args["text"])
    assert "Still broken" in str(lines[1].args["text"])
    # every post carries its outbox id, so a try in doubt can find it
    assert card.args["metadata"]["event_payload"]["outbox_id"] == owed[0]["id"]


async def test_slack_down_loses_nothing_and_keeps_the_thread_in_order(app: Running) -> None:
    app.slack.fail_next(1, status=503, method="chat.postMessage")  # the outbox's client: no retry
    reply = await app.driver.command(
        "/dispute", "open Outage during an outage", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    await app.driver.command(
        "/dispute", "escalate D-1 Supplier silent", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    assert posts(app, "C0DESK") == []  # nothing could be posted yet
    owed = await rows(app)
    assert owed[0]["status"] == "pending" and owed[0]["attempts"] == 1
    assert owed[0]["error"] == "fatal_error" and owed[0]["in_doubt"]  # 5xx: it may have landed
    assert all(r["status"] == "pending" and r["attempts"] == 0 for r in owed[1:])  # waiting
    async with aiohttp.ClientSession() as http, http.get(f"{app.parley.url}/healthz") as health:
        report = await health.json()
    assert health.status == 200
    assert report["outbox"]["undelivered"] == len(owed)
    assert report["outbox"]["due"] == 0  # the card waits for its backoff, the rest for the card
    await later(app, 2)
    card, line = posts(app, "C0DESK")
    d1 = await dispute(app)
    assert card.response is not None and d1.root_ts == card.response["ts"]
    assert line.args["thread_ts"] == d1.root_ts and "Supplier silent" in str(line.args["text"])
    assert len(app.slack.calls_to("conversations.history")) == 1  # looked before posting again
    async with aiohttp.ClientSession() as http, http.get(f"{app.parley.url}/healthz") as health:
        report = await health.json()
    assert report["outbox"]["undelivered"] == 0
    assert report["outbox"]["oldest_undelivered_seconds"] is None


async def test_a_reply_lost_after_slack_posted_is_not_posted_twice(app: Running) -> None:
    # Slack posts the card, but its answer never comes back (a 502 from a proxy, a time-out)
    app.slack.fail_next(1, status=502, method="chat.postMessage", after_doing=True)
    await app.driver.command("/dispute", "open Lost answer", user="U0ALICE", channel="C0DESK")
    await app.settle()
    assert len(posts(app, "C0DESK")) == 1  # on Slack, though Parley never heard back
    (card,) = await rows(app)
    assert card["status"] == "pending" and card["in_doubt"]
    await later(app, 2)
    assert len(posts(app, "C0DESK")) == 1  # the outbox found it by its metadata: no copy
    (card,) = await rows(app)
    first = posts(app, "C0DESK")[0]
    assert first.response is not None
    assert card["status"] == "delivered" and card["ts"] == first.response["ts"]
    assert (await dispute(app)).root_ts == card["ts"]


async def test_a_rate_limit_is_waited_out_as_slack_asks(app: Running) -> None:
    app.slack.fail_next(1, status=429, retry_after=7, method="chat.postMessage")
    await app.driver.command("/dispute", "open Throttled", user="U0ALICE", channel="C0DESK")
    await app.settle(grace=60)
    (card,) = await rows(app)
    assert (card["status"], card["error"]) == ("pending", "ratelimited")
    assert card["next_attempt_at"] - card["created_at"] >= timedelta(seconds=7)
    await later(app, 3)
    assert posts(app, "C0DESK") == []
    await later(app, 5)
    assert len(posts(app, "C0DESK")) == 1


async def test_an_error_that_cannot_succeed_is_recorded_and_the_owner_told_once(
    app: Running,
) -> None:
    app.slack.fail_next(1, status=500, method="chat.postMessage")
    await app.driver.command("/dispute", "open Archived soon", user="U0ALICE", channel="C0DESK")
    await app.settle()
    channel = app.slack.workspace.channel("C0DESK")
    assert channel is not None
    channel.is_archived = True
    await later(app, 2)
    card, told = await rows(app)
    assert (card["status"], card["error"]) == ("failed", "is_archived")
    assert told["kind"] == "delivery.failed" and told["status"] == "delivered"
    (dm,) = posts(app, "D0ALICE")
    assert "couldn't deliver the card of D-1" in str(dm.args["text"])
    assert "archived" in str(dm.args["text"])
    for _ in range(3):
        await later(app, 600)
    assert len(app.slack.calls_to("chat.postMessage")) == 1 + 1 + 1  # no retry, one DM
    assert (await dispute(app)).root_ts is None  # on record, without a card


async def test_edits_of_one_card_queued_together_go_out_once(app: Running) -> None:
    await app.driver.command("/dispute", "open Busy day", user="U0ALICE", channel="C0DESK")
    await app.settle()
    updates = len(app.slack.calls_to("chat.update"))
    # Slack fails for a while: the escalation's line waits, and the edits of three more
    # changes pile up behind it
    app.slack.fail_next(1, status=500, method="chat.postMessage")
    await app.driver.command("/dispute", "escalate D-1 Too slow", user="U0ALICE", channel="C0DESK")
    for who in ("<@U0BOB|bob>", "<@U0CAROL|carol>", "<@U0RAJ|raj>"):
        reply = await app.driver.command(
            "/dispute", f"add D-1 {who}", user="U0ALICE", channel="C0DESK"
        )
        assert "Added" in reply.text
    await app.settle()
    assert len(app.slack.calls_to("chat.update")) == updates
    await later(app, 2)
    kinds = [(r["kind"], r["status"]) for r in await rows(app)][1:]
    assert kinds == [
        ("dispute.line", "delivered"),
        ("dispute.refresh", "delivered"),  # shows all four changes
        ("dispute.refresh", "skipped"),
        ("dispute.refresh", "skipped"),
        ("dispute.refresh", "skipped"),
    ]
    assert len(app.slack.calls_to("chat.update")) == updates + 1
    card = app.slack.calls_to("chat.update")[-1]
    assert "Stage 2/4" in str(card.args["text"]) or "Multi" in str(card.args["blocks"])
    (line,) = [c for c in posts(app, "C0DESK") if c.args.get("thread_ts")]
    assert "Too slow" in str(line.args["text"])


async def test_what_a_stop_could_not_send_goes_out_after_the_start(app: Running) -> None:
    app.slack.fail_next(1, status=500, method="chat.postMessage")
    await app.driver.command(
        "/dispute", "open Before the restart", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    assert posts(app, "C0DESK") == []
    assert app.parley.outbox is not None
    # a clean stop flushes what it can: Slack is still failing, so the card waits on disk
    app.slack.fail_next(30, status=500, method="chat.postMessage")
    await app.parley.outbox.stop(flush_seconds=1)
    app.slack.clear_faults()
    app.parley.outbox.start()
    await later(app, 3600)
    assert len(posts(app, "C0DESK")) == 1


async def test_sqlite_database_is_locked_is_waited_out(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = Store.open(f"sqlite:///{path}")
    await store.upgrade()
    held = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(5)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert await asyncio.to_thread(held.wait, 5)
        loop = asyncio.get_running_loop()
        # held far longer than SQLite's own busy wait: BEGIN fails "database is locked" and
        # is tried again until the lock is free
        loop.call_later(0.5, release.set)
        async with store.write() as conn:
            await conn.execute(sa.text("CREATE TABLE after_the_lock (x INTEGER)"))
        async with store.read() as conn:
            await conn.execute(sa.text("SELECT x FROM after_the_lock"))
    finally:
        release.set()
        holder.join()
        await store.close()


async def test_finished_rows_are_pruned_after_two_weeks_and_owed_ones_never(
    app: Running,
) -> None:
    await app.driver.command("/dispute", "open Old news", user="U0ALICE", channel="C0DESK")
    await app.settle()
    app.slack.fail_next(1, status=500, method="chat.postMessage")
    await app.driver.command("/dispute", "open Still owed", user="U0ALICE", channel="C0DESK")
    await app.settle()
    assert [r["status"] for r in await rows(app)] == ["delivered", "pending"]
    outbox_worker = app.parley.outbox
    assert outbox_worker is not None
    app.clock.advance(timedelta(days=13))
    assert await outbox_worker.prune() == 0
    app.clock.advance(timedelta(days=1, hours=1))
    assert await outbox_worker.prune() == 1
    assert [r["status"] for r in await rows(app)] == ["pending"]  # still owed: kept


async def test_two_instances_on_one_postgresql_share_the_outbox(
    slack: SlackStandIn, config: ParleyConfig, postgres_url: str
) -> None:
    async with (
        running_parley(database_url=postgres_url, config=config, start=START, slack=slack) as a,
        running_parley(database_url=postgres_url, config=config, start=START, slack=slack) as b,
    ):
        # Slack fails a while: both instances' workers then find the same rows due at once
        slack.fail_next(4, status=500, method="chat.postMessage")
        for n in range(12):
            instance = a if n % 2 else b
            await instance.driver.command(
                "/dispute", f"open Shared outbox {n}", user="U0ALICE", channel="C0DESK"
            )
        await asyncio.gather(a.settle(), b.settle())
        for _ in range(4):
            for one in (a, b):
                one.clock.advance(timedelta(seconds=30))
            await asyncio.gather(a.parley.tick(), b.parley.tick(), a.parley.tick())
            await asyncio.gather(a.settle(), b.settle())
        owed = await rows(a)
        cards = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    assert len(owed) == 12 and {r["status"] for r in owed} == {"delivered"}
    assert sorted(c.args["metadata"]["event_payload"]["outbox_id"] for c in cards) == sorted(
        r["id"] for r in owed
    )  # each card exactly once, whichever instance sent it
    assert slack.violations == []
