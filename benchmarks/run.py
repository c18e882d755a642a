"""One command, one table: `python -m benchmarks.run` (add `--tiny` for a smoke run).

Measures on this machine, in one run:
1. ack latency of `/dispute open`, `/dispute list` and a button press over HTTP with signed
   requests at 1, 8 and 32 concurrent clients, against `parley serve` and a bare Bolt app
   (alternating runs), both talking to the Web API stand-in;
2. event ingest: thread replies recorded per second (exactly-once on), SQLite (with
   `PARLEY_SQLITE_SYNC` normal, the default, and full) and PostgreSQL;
3. scale: `/dispute list`, `/dispute show` of a dispute with 500 events, a channel digest and
   the App Home view, with 10,000 disputes and 200,000 timeline events in the database;
4. memory: resident set size of `parley serve` idle and after the load.
Prints a table, writes JSON (default `benchmarks/results.json`). `--only ingest` measures
the ingest rows alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from bot.domain.names import name_key
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store.schema import (
    counters,
    dispute_members,
    dispute_parties,
    dispute_threads,
    disputes,
    parties,
    timeline,
)

SECRET = "bench-signing-secret"
ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Sizes:
    per_client: int  # requests each client sends in one run
    rounds: int  # alternating runs per (command, concurrency)
    levels: tuple[int, ...]
    ingest: int
    disputes: int
    events: int
    show_events: int
    repeats: int  # samples per scale item


FULL = Sizes(
    per_client=25,
    rounds=2,
    levels=(1, 8, 32),
    ingest=1500,
    disputes=10_000,
    events=200_000,
    show_events=500,
    repeats=20,
)
TINY = Sizes(
    per_client=3,
    rounds=1,
    levels=(1, 2),
    ingest=20,
    disputes=50,
    events=600,
    show_events=20,
    repeats=3,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {"median": statistics.median(ordered), "p95": pct(95), "p99": pct(99), "n": len(ordered)}


async def wait_healthy(url: str, process: asyncio.subprocess.Process, wait: float = 60) -> None:
    deadline = time.monotonic() + wait
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"{url}: process exited with {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status in (200, 404, 405):
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} never answered")


@contextlib.asynccontextmanager
async def parley_serve(
    slack: SlackStandIn, database_url: str, folder: Path, extra_env: dict[str, str] | None = None
) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "PARLEY_", "DATABASE_URL", "PORT"))
        },
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        **(extra_env or {}),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}/slack/events", process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


@contextlib.asynccontextmanager
async def bare_bolt(slack: SlackStandIn) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.bare_bolt",
        "--port",
        str(port),
        "--api-url",
        slack.api_url,
        "--token",
        slack.bot_token,
        "--secret",
        SECRET,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), timeout=60)
        yield f"http://127.0.0.1:{port}/slack/events", process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


Request = Callable[[SlackDriver, int], Awaitable[Any]]


async def drained(events_url: str, wait: float = 600) -> tuple[int, float]:
    """Wait until Parley's outbox has delivered everything it owes Slack (`/healthz`).

    What a run owes after its acks (cards, Home views) is delivered while the run goes on and
    after it; the next run must not pay for it. Returns (undelivered at the start, seconds it
    took to deliver them)."""
    url = events_url.replace("/slack/events", "/healthz")
    started = time.perf_counter()
    first: int | None = None
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - started < wait:
            async with session.get(url) as response:
                health = await response.json()
            left = int((health.get("outbox") or {}).get("undelivered", 0))
            first = left if first is None else first
            if left == 0:
                return first, time.perf_counter() - started
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url}: the outbox still owes {left} messages after {wait:.0f} s")


async def new_card(slack: SlackStandIn, channel: str, before: int, wait: float = 60) -> str:
    """The ts of the next card Parley posts in `channel` (it posts after the ack)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        cards = [m for m in slack.messages(channel) if m.is_bot and not m.thread_ts]
        if len(cards) > before:
            return cards[before].ts
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no card appeared in {channel}")


def cards_in(slack: SlackStandIn, channel: str) -> int:
    return len([m for m in slack.messages(channel) if m.is_bot and not m.thread_ts])


async def timed_load(
    driver: SlackDriver, request: Request, clients: int, per_client: int
) -> list[float]:
    samples: list[float] = []

    async def client(number: int) -> None:
        for i in range(per_client):
            started = time.perf_counter()
            reply = await request(driver, number * 10_000 + i)
            samples.append((time.perf_counter() - started) * 1000)
            if reply.status != 200:
                raise RuntimeError(f"HTTP {reply.status}: {reply.text[:200]}")

    # Like timeit: no garbage collection in this process while it measures. It holds the
    # stand-in's record of every call, and a full collection of that paused the clients (a
    # 100 ms p99 for bare Bolt itself); the collector runs between runs instead.
    gc.disable()
    try:
        await asyncio.gather(*(client(n) for n in range(clients)))
    finally:
        gc.enable()
        gc.collect()
    return samples


def requests_for(card_ts: str) -> dict[str, Request]:
    async def open_(d: SlackDriver, i: int) -> Any:
        return await d.command(
            "/dispute", f"open Bench dispute {i}", user="U0ALICE", channel="C0DESK"
        )

    async def list_(d: SlackDriver, i: int) -> Any:
        return await d.command("/dispute", "list", user="U0ALICE", channel="C0DESK")

    async def button(d: SlackDriver, i: int) -> Any:
        return await d.block_action(
            user="U0ALICE", channel="C0DESK", message_ts=card_ts, action_id="dispute_note"
        )

    async def help_(d: SlackDriver, i: int) -> Any:
        return await d.command("/dispute", "help", user="U0ALICE", channel="C0DESK")

    return {
        "/dispute open": open_,
        "/dispute list": list_,
        "button press": button,
        FLOOR: help_,
    }


# Not a target: what Parley costs when a command does no work of its own (its usage text), to
# set beside bare Bolt's handler that only acks.
FLOOR = "/dispute help (Parley's own floor)"


async def measure_ack(
    slack: SlackStandIn,
    parley_url: str,
    bare_url: str,
    sizes: Sizes,
    pids: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Ack latency per command and concurrency, with the CPU each process spent per request
    (`pids` = Parley's and bare Bolt's): what says whether the server or this process (load,
    driver and the Slack stand-in Parley calls after its acks) is the limit."""
    async with (
        SlackDriver(parley_url, SECRET, slack) as parley,
        SlackDriver(bare_url, SECRET, slack) as bare,
    ):
        before = cards_in(slack, "C0DESK")
        await parley.command(
            "/dispute", "open The card the buttons are on", user="U0ALICE", channel="C0DESK"
        )
        kinds = requests_for(await new_card(slack, "C0DESK", before))
        for request in kinds.values():  # warm both up
            await timed_load(parley, request, 2, 3)
            await timed_load(bare, request, 2, 3)
        rows = []
        for name, request in kinds.items():
            for clients in sizes.levels:
                ours: list[float] = []
                floor: list[float] = []
                cpu = {"parley": 0.0, "bare_bolt": 0.0, "bench_parley": 0.0, "bench_bare": 0.0}
                owed, drain = 0, 0.0
                for _ in range(sizes.rounds):
                    marks = (own_cpu_seconds(), *(cpu_seconds(p) for p in pids or ()))
                    floor += await timed_load(bare, request, clients, sizes.per_client)
                    if pids:
                        cpu["bare_bolt"] += cpu_seconds(pids[1]) - marks[2]
                    cpu["bench_bare"] += own_cpu_seconds() - marks[0]
                    marks = (own_cpu_seconds(), *(cpu_seconds(p) for p in pids or ()))
                    ours += await timed_load(parley, request, clients, sizes.per_client)
                    if pids:
                        cpu["parley"] += cpu_seconds(pids[0]) - marks[1]
                    cpu["bench_parley"] += own_cpu_seconds() - marks[0]
                    left, seconds = await drained(parley_url)
                    owed, drain = max(owed, left), max(drain, seconds)
                p, b = summary(ours), summary(floor)
                rows.append(
                    {
                        "command": name,
                        "clients": clients,
                        "parley": p,
                        "bare_bolt": b,
                        "ratio": p["median"] / b["median"],
                        # Messages still owed to Slack when the run's last ack came back, and
                        # how long the outbox then took to deliver them (not in the CPU).
                        "owed_at_end": owed,
                        "delivered_within_s": round(drain, 2),
                        "cpu_ms_per_request": {
                            k: round(v * 1000 / len(ours), 2) for k, v in cpu.items()
                        },
                    }
                )
        return rows


async def measure_ingest(
    slack: SlackStandIn, url: str, database_url: str, count: int
) -> dict[str, float]:
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
    store = Store.open(database_url)
    try:
        async with store.read() as conn:
            recorded = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(timeline)
                    .where(timeline.c.kind == "reply")
                )
            ).scalar_one()
    finally:
        await store.close()
    return {
        "replies": count,
        "recorded": int(recorded),
        "seconds": elapsed,
        "per_second": int(recorded) / elapsed,
    }


async def populate(database_url: str, sizes: Sizes) -> None:
    """Years of business: disputes with parties and a timeline, D-1 with `show_events` events."""
    store = Store.open(database_url)
    try:
        await store.upgrade()
        # Relative to today: `parley serve` runs on the real clock, and the digest's "new replies
        # since the last digest" must find the latest of them (a fixed date found none a week on).
        now = datetime.now(UTC).replace(microsecond=0)
        async with store.write() as conn:
            party_ids = []
            for name, team in (
                ("Acme Networks", "T0ACME"),
                ("Globex Audit", "T0GLOBEX"),
                ("Initech", "T0INITECH"),
            ):
                result = await conn.execute(
                    sa.insert(parties)
                    .values(
                        workspace_id="T0PARLEY",
                        name=name,
                        name_key=name_key(name),
                        kind="supplier",
                        slack_team=team,
                        created_at=now,
                    )
                    .returning(parties.c.id)
                )
                party_ids.append(result.scalar_one())
            rows = []
            for number in range(1, sizes.disputes + 1):
                opened = now - timedelta(days=number % 900, minutes=number)
                status = "open" if number % 10 < 3 else ("resolved" if number % 2 else "withdrawn")
                rows.append(
                    {
                        "id": number,
                        "workspace_id": "T0PARLEY",
                        "number": number,
                        "title": f"Historic dispute {number}",
                        "status": status,
                        "stage": ("coordination", "multi_party", "company_process")[number % 3],
                        "channel_id": "C0DESK",
                        "root_ts": f"{1700000000 + number}.000100",
                        "owner_id": ("U0ALICE", "U0BOB", "U0CAROL")[number % 3],
                        "opened_at": opened,
                        "stage_started_at": opened,
                        "stage_due_at": opened + timedelta(days=3),
                        "legal_hold": False,
                    }
                )
            for start in range(0, len(rows), 2000):
                await conn.execute(sa.insert(disputes), rows[start : start + 2000])
            await conn.execute(
                sa.insert(dispute_parties),
                [
                    {"dispute_id": n, "party_id": party_ids[n % 3], "added_at": now}
                    for n in range(1, sizes.disputes + 1)
                ],
            )
            await conn.execute(
                sa.insert(dispute_members),
                [
                    {"dispute_id": n, "user_id": "U0RAJ", "party_id": party_ids[0], "added_at": now}
                    for n in range(1, sizes.disputes + 1, 3)
                ],
            )
            await conn.execute(
                sa.insert(dispute_threads),
                [
                    {
                        "channel_id": "C0DESK",
                        "ts": f"{1700000000 + n}.000100",
                        "dispute_id": n,
                        "kind": "home",
                    }
                    for n in range(1, sizes.disputes + 1)
                ],
            )
            await conn.execute(
                sa.insert(counters).values(
                    workspace_id="T0PARLEY", kind="dispute", value=sizes.disputes
                )
            )
            events = [
                {
                    "dispute_id": 1,
                    "kind": "reply",
                    "at": now - timedelta(minutes=i),
                    "actor_id": "U0RAJ",
                    "party_id": party_ids[0],
                    "text": f"Reply {i} on the big one",
                }
                for i in range(sizes.show_events)
            ]
            rest = sizes.events - sizes.show_events
            events += [
                {
                    "dispute_id": 2 + (i % (sizes.disputes - 1)),
                    "kind": "reply",
                    "at": now - timedelta(minutes=i),
                    "actor_id": "U0RAJ",
                    "party_id": party_ids[i % 3],
                    "text": f"History {i}",
                }
                for i in range(rest)
            ]
            for start in range(0, len(events), 5000):
                await conn.execute(sa.insert(timeline), events[start : start + 5000])
        if store.dialect == "postgresql":
            async with store.write() as conn:
                for table in ("disputes", "timeline"):
                    await conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
    finally:
        await store.close()


async def measure_scale(
    slack: SlackStandIn, url: str, database_url: str, sizes: Sizes
) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    async with SlackDriver(url, SECRET, slack) as driver:
        for name, text in (
            ("/dispute list", "list"),
            ("/dispute list all", "list all"),
            (f"/dispute show ({sizes.show_events} events)", "show D-1"),
        ):
            await driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
            samples = []
            for _ in range(sizes.repeats):
                started = time.perf_counter()
                reply = await driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
                samples.append((time.perf_counter() - started) * 1000)
                assert reply.status == 200, reply.text
            results[name] = summary(samples)
        for name, measure in extra_scale_items().items():
            samples = []
            for _ in range(sizes.repeats):
                samples.append(await measure(driver, database_url))
            results[name] = summary(samples)
    return results


def extra_scale_items() -> dict[str, Callable[[SlackDriver, str], Awaitable[float]]]:
    """The digest and the App Home, measured when those features are present."""
    items: dict[str, Callable[[SlackDriver, str], Awaitable[float]]] = {}
    with contextlib.suppress(ImportError):
        import bot.commands.home  # noqa: F401

        async def home(driver: SlackDriver, database_url: str) -> float:
            mark = len(driver.slack.calls_to("views.publish"))
            started = time.perf_counter()
            await driver.home_opened("U0ALICE")
            await driver.slack.wait_for("views.publish", count=mark + 1)
            return (time.perf_counter() - started) * 1000

        items["App Home view (views.publish)"] = home
    with contextlib.suppress(ImportError):
        import bot.commands.digests  # noqa: F401

        async def digest(driver: SlackDriver, database_url: str) -> float:
            started = time.perf_counter()
            reply = await driver.command("/digest", "now", user="U0ALICE", channel="C0DESK")
            assert reply.status == 200
            return (time.perf_counter() - started) * 1000

        items["channel digest (/digest now)"] = digest
    return items


async def postgres_database() -> str | None:
    try:
        import asyncpg

        admin = await asyncpg.connect(
            POSTGRES_URL.replace("postgresql://", "postgres://"), timeout=3
        )
    except Exception:
        return None
    name = f"parley_bench_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


async def drop_postgres(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql://", "postgres://"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await admin.close()


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


async def run_ingest(sizes: Sizes) -> dict[str, Any]:
    """`--only ingest`: the ingest rows, each on a fresh `parley serve` and database."""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes.__dict__,
        "ingest": {},
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        work = Path(folder)
        async with SlackStandIn() as slack:
            slack.workspace.channels["C0ACME"].members.append("U0RAJ")
            db = f"sqlite:///{work}/ingest.db"
            async with parley_serve(slack, db, work) as (url, _):
                report["ingest"]["sqlite"] = await measure_ingest(slack, url, db, sizes.ingest)
            report["ingest"]["sqlite_full"] = await measure_sqlite_full_ingest(slack, work, sizes)
            pg = await postgres_database()
            report["ingest"]["postgresql"] = None
            if pg is not None:
                try:
                    async with parley_serve(slack, pg, work) as (url, _):
                        report["ingest"]["postgresql"] = await measure_ingest(
                            slack, url, pg, sizes.ingest
                        )
                finally:
                    await drop_postgres(pg)
    return report


async def run(sizes: Sizes) -> dict[str, Any]:
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": sys.version.split()[0],
        },
        "sizes": sizes.__dict__,
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        work = Path(folder)
        async with SlackStandIn() as slack:
            slack.workspace.channels["C0ACME"].members.append("U0RAJ")
            db = f"sqlite:///{work}/ack.db"
            async with (
                parley_serve(slack, db, work) as (url, pid),
                bare_bolt(slack) as (bare_url, bare_pid),
            ):
                idle = rss_mb(pid)
                report["ack"] = await measure_ack(slack, url, bare_url, sizes, (pid, bare_pid))
                report["ingest"] = {"sqlite": await measure_ingest(slack, url, db, sizes.ingest)}
                report["memory"] = {"idle_mb": idle, "after_load_mb": rss_mb(pid)}
            report["ingest"]["sqlite_full"] = await measure_sqlite_full_ingest(slack, work, sizes)
            pg = await postgres_database()
            if pg is not None:
                try:
                    async with parley_serve(slack, pg, work) as (url, _):
                        report["ingest"]["postgresql"] = await measure_ingest(
                            slack, url, pg, sizes.ingest
                        )
                finally:
                    await drop_postgres(pg)
            else:
                report["ingest"]["postgresql"] = None
            big = f"sqlite:///{work}/scale.db"
            started = time.perf_counter()
            await populate(big, sizes)
            report["populate_seconds"] = time.perf_counter() - started
            async with parley_serve(slack, big, work) as (url, pid):
                report["scale"] = await measure_scale(slack, url, big, sizes)
                report["memory"]["after_scale_mb"] = rss_mb(pid)
    report["targets"] = targets(report)
    return report


def targets(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    top = max(row["clients"] for row in report["ack"])
    for row in report["ack"]:
        if row["clients"] == top and row["command"] != FLOOR:
            out[f"{row['command']} @{top}: median ≤ 1.5× bare Bolt"] = {
                "value": round(row["ratio"], 2),
                "ok": row["ratio"] <= 1.5,
            }
            out[f"{row['command']} @{top}: p99 < 150 ms"] = {
                "value": round(row["parley"]["p99"], 1),
                "ok": row["parley"]["p99"] < 150,
            }
    sqlite_rate = report["ingest"]["sqlite"]["per_second"]
    out["ingest ≥ 300 replies/s (SQLite)"] = {"value": round(sqlite_rate), "ok": sqlite_rate >= 300}
    for name, stats in report["scale"].items():
        out[f"{name} < 100 ms"] = {"value": round(stats["median"], 1), "ok": stats["median"] < 100}
    peak = max(report["memory"].values())
    out["RSS < 150 MB"] = {"value": round(peak, 1), "ok": peak < 150}
    return out


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def ingest_table(report: dict[str, Any]) -> list[str]:
    lines = [row("event ingest", "replies", "recorded", "replies/s"), "|---|---:|---:|---:|"]
    for engine, result in report["ingest"].items():
        name = INGEST_NAMES.get(engine, engine)
        if result is None:
            lines.append(row(name, "—", "—", "not measured (no server)"))
        else:
            lines.append(
                row(name, result["replies"], result["recorded"], f"{result['per_second']:.0f}")
            )
    return lines


def table(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        f"Parley benchmark — {report['date']} — {machine['cpus']} CPUs, "
        f"{machine['memory_gb']} GB, Python {machine['python']}",
        "",
        row(
            "ack latency (ms)",
            "clients",
            "Parley median",
            "p95",
            "p99",
            "bare Bolt median",
            "p95",
            "p99",
            "ratio",
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["ack"]:
        p, b = r["parley"], r["bare_bolt"]
        lines.append(
            row(
                r["command"],
                r["clients"],
                f"{p['median']:.1f}",
                f"{p['p95']:.1f}",
                f"{p['p99']:.1f}",
                f"{b['median']:.1f}",
                f"{b['p95']:.1f}",
                f"{b['p99']:.1f}",
                f"{r['ratio']:.2f}",
            )
        )
    lines += [
        "",
        row(
            "CPU ms per request",
            "clients",
            "Parley",
            "bare Bolt",
            "this process (Parley runs)",
            "owed to Slack at the end",
            "delivered within s",
        ),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["ack"]:
        cpu = r.get("cpu_ms_per_request") or {}
        lines.append(
            row(
                r["command"],
                r["clients"],
                cpu.get("parley", "—"),
                cpu.get("bare_bolt", "—"),
                cpu.get("bench_parley", "—"),
                r.get("owed_at_end", "—"),
                r.get("delivered_within_s", "—"),
            )
        )
    lines += ["", *ingest_table(report)]
    sizes = report["sizes"]
    scale = f"scale ({sizes['disputes']:,} disputes, {sizes['events']:,} events)"
    lines += ["", row(scale, "median ms", "p95 ms"), "|---|---:|---:|"]
    for name, stats in report["scale"].items():
        lines.append(row(name, f"{stats['median']:.1f}", f"{stats['p95']:.1f}"))
    lines += ["", row("memory of `parley serve`", "RSS MB"), "|---|---:|"]
    for name, value in report["memory"].items():
        lines.append(row(name.removesuffix("_mb").replace("_", " "), f"{value:.0f}"))
    lines += ["", row("target", "measured", "met"), "|---|---:|:---:|"]
    for name, t in report["targets"].items():
        lines.append(row(name, t["value"], "yes" if t["ok"] else "NO"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tiny", action="store_true", help="a smoke run at a tiny size")
    parser.add_argument(
        "--json", default=str(ROOT / "benchmarks" / "results.json"), help="where to write the JSON"
    )
    parser.add_argument("--only", choices=["ingest"], default=None, help="measure only these rows")
    args = parser.parse_args()
    sizes = TINY if args.tiny else FULL
    if args.only == "ingest":
        report = asyncio.run(run_ingest(sizes))
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print("\n".join(ingest_table(report)))
        print(f"\n(JSON written to {args.json})")
        return
    report = asyncio.run(run(sizes))
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"\n(JSON written to {args.json})")


if __name__ == "__main__":
    main()
