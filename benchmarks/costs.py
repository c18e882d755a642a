"""Where each path's CPU goes: the real app in this process (its HTTP server, the Slack
stand-in and the driver beside it), profiled while it takes one kind of request, and the
functions of Parley, Bolt and aiohttp that cost the most of it (own time)."""

from __future__ import annotations

import cProfile
import pstats
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bot
from benchmarks.ack import DROPPED, RECORDED
from benchmarks.openloop import Send, button, chatter, command, reply
from bot.config import ParleyConfig
from bot.sandbox.harness import running_parley

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
# Code this process runs for the app, not for the load it makes.
OURS = ("/bot/", "/slack_bolt/", "/slack_sdk/", "/aiohttp/", "/sqlalchemy/", "/pydantic")
# The stand-in's Block Kit check runs slack_sdk's models, which Parley never imports (it
# builds its blocks as dicts): their cost is the stand-in's, not the path's.
NOT_OURS = ("/bot/sandbox/", "/slack_sdk/models/")

ROOT = str(Path(bot.__file__).resolve().parent.parent) + "/"  # Parley's files, from the checkout

PATHS: dict[str, Send] = {
    DROPPED: chatter,
    RECORDED: reply,
    "/dispute list": command,
    "button press": button,
}


async def top_costs(requests: int, top: int = 6) -> dict[str, list[dict[str, Any]]]:
    """For each path, the `top` functions of the app's code by own time per request (µs)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="parley-costs-") as folder:
        async with running_parley(
            database_url=f"sqlite:///{folder}/costs.db", config=ParleyConfig(), start=START
        ) as app:
            await app.driver.command(
                "/dispute", "open The card the buttons are on", user="U0ALICE", channel="C0DESK"
            )
            await app.settle()
            card_ts = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
            for name, path in PATHS.items():
                for i in range(5):  # warm up
                    await path(app.driver, card_ts, i)
                profile = cProfile.Profile()
                profile.enable()
                for i in range(requests):
                    await path(app.driver, card_ts, 1000 + i)
                await app.settle()
                profile.disable()
                out[name] = _ours(pstats.Stats(profile), requests, top)
    return out


def _ours(stats: pstats.Stats, requests: int, top: int) -> list[dict[str, Any]]:
    rows = []
    for (file, line, function), (_, calls, own, _cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if any(part in file for part in OURS) and not any(part in file for part in NOT_OURS):
            where = file.split("/site-packages/")[-1].removeprefix(ROOT)
            rows.append(
                {
                    "function": f"{where}:{line} {function}",
                    "us_per_request": round(own * 1e6 / requests, 1),
                    "calls_per_request": round(calls / requests, 1),
                }
            )
    rows.sort(key=lambda r: r["us_per_request"], reverse=True)
    return rows[:top]


def costs_table(costs: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines = ["| top costs (own time) | function | µs per request | calls |", "|---|---|---:|---:|"]
    for name, rows in costs.items():
        for row in rows:
            lines.append(
                f"| {name} | `{row['function']}` | {row['us_per_request']} | "
                f"{row['calls_per_request']} |"
            )
    return lines
