"""Ack latency: each command over HTTP at each concurrency, Parley and bare Bolt in
alternating runs, with the CPU each process spent per request."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.harness import (
    SECRET,
    Sizes,
    cards_in,
    cpu_seconds,
    drained,
    new_card,
    own_cpu_seconds,
    summary,
)
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn

Request = Callable[[SlackDriver, int], Awaitable[Any]]


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

    async def chatter(d: SlackDriver, i: int) -> Any:
        """The firehose: a message in a busy channel, in no thread Parley keeps: dropped."""
        _, reply = await d.message("U0BOB", "C0DESK", f"Anyone for lunch at noon? ({i})")
        return reply

    async def reply(d: SlackDriver, i: int) -> Any:
        """A reply in a dispute's thread: recorded."""
        _, answer = await d.message(
            "U0BOB", "C0DESK", f"Acme says they are looking into it ({i})", thread_ts=card_ts
        )
        return answer

    return {
        "/dispute open": open_,
        "/dispute list": list_,
        "button press": button,
        DROPPED: chatter,
        RECORDED: reply,
        FLOOR: help_,
    }


DROPPED = "channel message (dropped)"
RECORDED = "thread reply (recorded)"
# Parley's CPU per request against bare Bolt's for the same request (whose handlers only ack):
# a dropped message may cost 1.5×, anything Parley does work for 3× (issue 21).
CPU_LIMITS = {
    DROPPED: 1.5,
    RECORDED: 3.0,
    "/dispute open": 3.0,
    "/dispute list": 3.0,
    "button press": 3.0,
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
