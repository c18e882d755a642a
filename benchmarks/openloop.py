"""Open-loop latency: requests arrive at a fixed rate whatever the answers do (as Slack sends
them), a realistic mix of them, Parley and bare Bolt in alternating runs at each rate.

Latency is counted from when a request was due to be sent, so a server that falls behind
shows it in its latency instead of slowing the load down (closed-loop clients would wait for
it and hide the queue: coordinated omission)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.harness import SECRET, Sizes, cards_in, new_card, summary
from bot.sandbox.driver import SlackDriver
from bot.sandbox.slack_api import SlackStandIn

Send = Callable[[SlackDriver, str, int], Awaitable[Any]]
# Each request of the mix (also profiled, one kind at a time, by benchmarks/costs.py):
# the driver, the card's ts (for a reply in its thread, or its button) and a serial number.


async def chatter(d: SlackDriver, card_ts: str, i: int) -> Any:
    return (await d.message("U0BOB", "C0DESK", f"Anyone for lunch? ({i})"))[1]


async def reply(d: SlackDriver, card_ts: str, i: int) -> Any:
    return (await d.message("U0BOB", "C0DESK", f"Acme is on it ({i})", thread_ts=card_ts))[1]


async def command(d: SlackDriver, card_ts: str, i: int) -> Any:
    return await d.command("/dispute", "list", user="U0ALICE", channel="C0DESK")


async def button(d: SlackDriver, card_ts: str, i: int) -> Any:
    return await d.block_action(
        user="U0ALICE", channel="C0DESK", message_ts=card_ts, action_id="dispute_note"
    )


async def home(d: SlackDriver, card_ts: str, i: int) -> Any:
    return await d.home_opened("U0BOB")


# What a busy workspace sends: mostly channel messages, some thread replies, commands,
# buttons and Home opens (weights in percent).
MIX: dict[str, tuple[int, Send]] = {
    "channel message": (80, chatter),
    "thread reply": (8, reply),
    "/dispute list": (5, command),
    "button press": (4, button),
    "Home opened": (3, home),
}


async def _run(
    driver: SlackDriver, card_ts: str, rate: int, seconds: float, seed: int
) -> list[float]:
    """`rate` requests a second for `seconds`, in the mix, each timed from when it was due."""
    rng = random.Random(seed)
    count = max(1, int(rate * seconds))
    names = list(MIX)
    kinds = rng.choices(names, weights=[MIX[n][0] for n in names], k=count)
    loop = asyncio.get_running_loop()
    samples: list[float] = []

    async def one(kind: str, i: int, due: float) -> None:
        reply = await MIX[kind][1](driver, card_ts, seed * 100_000 + i)
        samples.append((loop.time() - due) * 1000)
        if getattr(reply, "status", 200) not in (200, 404):  # bare Bolt: 404 is "no listener"
            raise RuntimeError(f"{kind}: HTTP {reply.status}")

    start = loop.time() + 0.05
    tasks = []
    for i, kind in enumerate(kinds):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(kind, i, due)))
    await asyncio.gather(*tasks)
    return samples


async def measure_open_loop(
    slack: SlackStandIn, parley_url: str, bare_url: str, sizes: Sizes
) -> list[dict[str, Any]]:
    async with (
        SlackDriver(parley_url, SECRET, slack) as parley,
        SlackDriver(bare_url, SECRET, slack) as bare,
    ):
        before = cards_in(slack, "C0DESK")
        await parley.command(
            "/dispute", "open The card of the open-loop run", user="U0ALICE", channel="C0DESK"
        )
        card_ts = await new_card(slack, "C0DESK", before)
        await _run(parley, card_ts, 20, 0.5, 1)  # warm up
        await _run(bare, card_ts, 20, 0.5, 1)
        rows = []
        for rate in sizes.rates:
            ours = await _run(parley, card_ts, rate, sizes.open_seconds, rate)
            floor = await _run(bare, card_ts, rate, sizes.open_seconds, rate)
            rows.append({"rate": rate, "parley": summary(ours), "bare_bolt": summary(floor)})
        return rows


def open_loop_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| open loop (mix: 80% channel messages, 8% thread replies, 5% commands, 4% buttons, "
        "3% Home opens) | requests/s | Parley p50 ms | p99 | bare Bolt p50 ms | p99 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        p, b = r["parley"], r["bare_bolt"]
        lines.append(
            f"| | {r['rate']} | {p['median']:.1f} | {p['p99']:.1f} | "
            f"{b['median']:.1f} | {b['p99']:.1f} |"
        )
    return lines
