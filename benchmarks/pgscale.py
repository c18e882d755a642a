"""PostgreSQL as the scale-out store: thread replies per second into one `parley serve`, then
into two on one database, exactly once.

Each run gets a fresh PostgreSQL database and sends the same load: replies in the threads of
`THREADS` disputes (so no one dispute's row lock, which the record chain takes per event,
sets the pace), `WORKERS` concurrent senders per instance, and every `RETRY_EVERY`th event
delivered twice at once as Slack retries an event it thinks went unanswered (the same event
id with `X-Slack-Retry-Num`), to the other instance when there are two. Then: every reply
recorded once (no two timeline rows for one message), and `parley verify` holds.

CPU per reply is split three ways from the kernel's counters: the `parley serve` processes,
the PostgreSQL backends of the run's database (from `pg_stat_activity`; the server's shared
WAL writer and checkpointer are not in it) and this process (the load: signing, HTTP, the
Slack stand-in).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.harness import (
    POSTGRES_URL,
    SECRET,
    cards_in,
    cpu_seconds,
    drop_postgres,
    new_card,
    own_cpu_seconds,
    parley_serve,
    postgres_database,
)
from benchmarks.verify import measure_verify
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.schema import timeline

THREADS = 32  # disputes whose threads the replies go to
WORKERS = 8  # concurrent senders per instance
RETRY_EVERY = 10  # every tenth event is delivered twice at once (Slack's retry)
ONE_TARGET = 500  # replies/s on one instance
TWO_TARGET = 1.6  # two instances on one database over one


async def measure_pgscale(slack: SlackStandIn, work: Path, count: int) -> dict[str, Any] | None:
    """The one-instance and two-instance runs; None where no PostgreSQL server answers."""
    one = await _run(slack, work, count, instances=1)
    if one is None:
        return None
    two = await _run(slack, work, count, instances=2)
    assert two is not None
    ratio = two["per_second"] / one["per_second"] if one["per_second"] else 0.0
    # The machine may be shared: how busy it was (over the last minute) when the runs ended.
    load = round(os.getloadavg()[0], 1)
    return {"one": one, "two": two, "ratio": round(ratio, 2), "load_average": load}


async def _run(
    slack: SlackStandIn, work: Path, count: int, *, instances: int
) -> dict[str, Any] | None:
    database = await postgres_database()
    if database is None:
        return None
    try:
        async with parley_serve(slack, database, work) as first:
            # The second starts once the first has migrated the database.
            if instances == 1:
                return await _load(slack, work, database, [first], count)
            async with parley_serve(slack, database, work) as second:
                return await _load(slack, work, database, [first, second], count)
    finally:
        await drop_postgres(database)


async def _load(
    slack: SlackStandIn,
    work: Path,
    database: str,
    servers: list[tuple[str, int]],
    count: int,
) -> dict[str, Any]:
    drivers = [SlackDriver(url, SECRET, slack) for url, _ in servers]
    try:
        for driver in drivers:
            await driver.__aenter__()
        roots = []
        for i in range(THREADS):
            before = cards_in(slack, "C0ACME")
            opening = f"open Scale-out {i} with <@U0RAJ|raj>"
            await drivers[i % len(drivers)].command(
                "/dispute", opening, user="U0ALICE", channel="C0ACME"
            )
            roots.append(await new_card(slack, "C0ACME", before))
        sends: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
        for i in range(count):
            message = slack.post_human_message(
                "U0RAJ", "C0ACME", f"scale-out reply {i}", thread_ts=roots[i % THREADS]
            )
            sends.put_nowait((i, drivers[0].message_event(message)))
        retried = 0

        async def sender(home: int) -> None:
            nonlocal retried
            while not sends.empty():
                i, event = sends.get_nowait()
                event_id = f"Ev{uuid.uuid4().hex[:16]}"
                first = drivers[home].event(event, event_id=event_id)
                if i % RETRY_EVERY:
                    replies = [await first]
                else:  # Slack's retry, while the first delivery is still being answered
                    other = drivers[(home + 1) % len(drivers)]
                    again = other.event(
                        event, event_id=event_id, retry_num=1, retry_reason="http_timeout"
                    )
                    replies = list(await asyncio.gather(first, again))
                    retried += 1
                for reply in replies:
                    if reply.status != 200:
                        raise RuntimeError(f"pgscale HTTP {reply.status}")

        backends = await _backend_pids(database)
        cpu_before = _cpu(servers, backends)
        started = time.perf_counter()
        await asyncio.gather(*(sender(n % len(drivers)) for n in range(WORKERS * len(drivers))))
        elapsed = time.perf_counter() - started
        backends |= await _backend_pids(database)
        cpu_after = _cpu(servers, backends)
    finally:
        for driver in drivers:
            await driver.__aexit__(None, None, None)
    recorded, duplicated = await _recorded(database)
    verified = await measure_verify(work, database, recorded)
    cpu = {k: round((cpu_after[k] - cpu_before[k]) * 1000 / max(recorded, 1), 2) for k in cpu_after}
    return {
        "instances": len(servers),
        "replies": count,
        "retried": retried,
        "recorded": recorded,
        "duplicated": duplicated,
        "verified": verified["ok"],
        "seconds": round(elapsed, 2),
        "per_second": round(recorded / elapsed, 1),
        "cpu_ms_per_reply": {**cpu, "all": round(sum(cpu.values()), 2)},
    }


def _cpu(servers: list[tuple[str, int]], backends: set[int]) -> dict[str, float]:
    def seconds(pid: int) -> float:
        try:
            return cpu_seconds(pid)
        except (OSError, ValueError, IndexError):  # a backend that has ended
            return 0.0

    return {
        "parley": sum(seconds(pid) for _, pid in servers),
        "postgresql": sum(seconds(pid) for pid in backends),
        "load": own_cpu_seconds(),
    }


async def _backend_pids(database: str) -> set[int]:
    import asyncpg

    name = database.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql://", "postgres://"))
    try:
        rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await admin.close()
    return {int(r["pid"]) for r in rows}


async def _recorded(database: str) -> tuple[int, int]:
    """(reply rows on the record, messages recorded more than once)."""
    store = Store.open(database)
    try:
        async with store.read() as conn:
            replies = timeline.c.kind == "reply"
            total = sa.select(sa.func.count()).select_from(timeline).where(replies)
            twice = (
                sa.select(timeline.c.channel_id, timeline.c.message_ts)
                .where(replies)
                .group_by(timeline.c.channel_id, timeline.c.message_ts)
                .having(sa.func.count() > 1)
                .subquery()
            )
            duplicated = sa.select(sa.func.count()).select_from(twice)
            return (
                int((await conn.execute(total)).scalar_one()),
                int((await conn.execute(duplicated)).scalar_one()),
            )
    finally:
        await store.close()


def pgscale_targets(scale: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if scale is None:
        return {}
    one, two = scale["one"], scale["two"]
    once = all(r["recorded"] == r["replies"] and not r["duplicated"] for r in (one, two))
    return {
        f"PostgreSQL ingest, one instance ≥ {ONE_TARGET}/s": {
            "value": round(one["per_second"]),
            "ok": one["per_second"] >= ONE_TARGET,
        },
        f"PostgreSQL ingest, two instances ≥ {TWO_TARGET}× one": {
            "value": scale["ratio"],
            "ok": scale["ratio"] >= TWO_TARGET,
        },
        "PostgreSQL, two instances: exactly once, `parley verify` holds": {
            "value": f"{two['recorded']}/{two['replies']}, {two['duplicated']} twice",
            "ok": once and one["verified"] and two["verified"],
        },
    }
