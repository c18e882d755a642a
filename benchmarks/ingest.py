"""Event ingest: thread replies recorded per second, exactly-once on, per engine."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.harness import SECRET, Sizes, cards_in, new_card, parley_serve
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.schema import timeline

INGEST_NAMES = {
    "sqlite": "sqlite (PARLEY_SQLITE_SYNC=normal)",
    "sqlite_full": "sqlite (PARLEY_SQLITE_SYNC=full)",
    "postgresql": "postgresql",
}


async def measure_sqlite_full_ingest(
    slack: SlackStandIn, work: Path, sizes: Sizes
) -> dict[str, float]:
    """Ingest on a fresh SQLite file with `synchronous=FULL`: an fsync at every commit."""
    db = f"sqlite:///{work}/ingest-full.db"
    async with parley_serve(slack, db, work, {"PARLEY_SQLITE_SYNC": "full"}) as (url, _):
        return await measure_ingest(slack, url, db, sizes.ingest)


async def measure_ingest(
    slack: SlackStandIn, url: str, database_url: str, count: int
) -> dict[str, float]:
    already = await _replies(database_url)  # the other rows' replies share the database
    async with SlackDriver(url, SECRET, slack) as driver:
        before = cards_in(slack, "C0ACME")
        await driver.command(
            "/dispute", "open Ingest target with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
        )
        root = await new_card(slack, "C0ACME", before)
        events = []
        for i in range(count):
            message = slack.post_human_message("U0RAJ", "C0ACME", f"reply {i}", thread_ts=root)
            events.append(driver.message_event(message))
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for event in events:
            queue.put_nowait(event)

        async def worker() -> None:
            while not queue.empty():
                event = queue.get_nowait()
                reply = await driver.event(event, event_id=f"Ev{uuid.uuid4().hex[:16]}")
                if reply.status != 200:
                    raise RuntimeError(f"ingest HTTP {reply.status}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(8)))
        elapsed = time.perf_counter() - started
    recorded = await _replies(database_url) - already
    return {
        "replies": count,
        "recorded": int(recorded),
        "seconds": elapsed,
        "per_second": int(recorded) / elapsed,
    }


async def _replies(database_url: str) -> int:
    store = Store.open(database_url)
    try:
        async with store.read() as conn:
            query = sa.select(sa.func.count()).select_from(timeline)
            return int((await conn.execute(query.where(timeline.c.kind == "reply"))).scalar_one())
    finally:
        await store.close()
