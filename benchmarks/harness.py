"""What every measurement stands on: the sizes, the servers under test (`parley serve` and a
bare Bolt app, each a process of its own), the Slack stand-in's view of what Parley posted,
statistics and the process's clocks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.sandbox.slack_api import SlackStandIn

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
    rates: tuple[int, ...] = (10, 50, 100, 200)  # open-loop arrival rates, requests/s
    open_seconds: float = 6.0  # how long each open-loop rate is held
    ten_times: bool = True  # also measure the scale items at ten times the data
    dossier_events: int = 5000  # the events of the dispute whose dossier is built
    fanout: int = 300  # channels whose digests fall due at once, and card edits in a burst
    complaints: int = 10_000  # complaints beside the disputes (`/complaint list`, the report)
    answers: int = 50_000  # survey answers read by `/report satisfaction`
    audit_disputes: int = 2000  # one supplier's disputes in last quarter (`/audit open`)
    audit_events: int = 100_000  # and its timeline events in that quarter


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
    rates=(10, 50),
    open_seconds=0.4,
    ten_times=False,
    dossier_events=200,
    fanout=20,
    complaints=60,
    answers=300,
    audit_disputes=40,
    audit_events=400,
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


# PARLEY_SLACK_PACE's highest value: Slack's limits times a thousand.
UNPACED = 1000.0


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
        # The stand-in keeps no rate limits here, and these rows measure Parley, not Slack's
        # pace: at Slack's own (one post a second to a channel) the cards of 1,200 opens in one
        # channel took twenty minutes to deliver between two runs. The pace is measured on its
        # own, against the stand-in keeping Slack's limits (benchmarks/fanout.py).
        "PARLEY_SLACK_PACE": str(UNPACED),
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
