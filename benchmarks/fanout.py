"""Fan-out within Slack's limits: 300 digests due the same minute, a burst of 300 card
edits, a lane that must not starve behind them, and a burst of 429s.

The real app (in process, `running_parley`) against the stand-in keeping Slack's published
limits (`bot/sandbox/limits.py`); both run `SCALE` times as fast as Slack (the stand-in's
windows are that much shorter, Parley's pace that much quicker), so the figures are given in
Slack's seconds: what a workspace would see. The fake clock follows real time here, since a
retry after Retry-After is scheduled by it.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any

from bot.clock import FakeClock
from bot.config import ParleyConfig
from bot.domain.digests import DigestKind
from bot.domain.notices import DisputeRefresh
from bot.domain.parties import Person
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import BOT_USER, Channel
from bot.workflows import digests, notices
from bot.workflows.disputes import open_dispute

SCALE = 10.0
# A working Tuesday, 08:59 in Shanghai (the default calendar's zone is UTC here).
START = datetime(2026, 12, 1, 8, 59, 0, tzinfo=UTC)
ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")


@contextlib.asynccontextmanager
async def following(clock: FakeClock) -> AsyncIterator[None]:
    """The fake clock keeps time with the real one while the block runs."""

    async def follow() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            clock.advance(timedelta(seconds=now - last))  # a jump set meanwhile stays
            last = now

    task = asyncio.create_task(follow())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _posts(slack: SlackStandIn, method: str, since: int) -> list[Any]:
    return [c for c in slack.calls[since:] if c.method == method]


async def _until(
    app: Running, method: str, since: int, count: int, limit: float = 600
) -> tuple[float, list[Any]]:
    """Wait until `count` successful calls of `method` since call `since`; the real seconds."""
    limit = limit / SCALE * 2
    began = time.monotonic()
    while True:
        done = [c for c in _posts(app.slack, method, since) if not c.faulted and c.ok]
        if len(done) >= count:
            return time.monotonic() - began, done
        if time.monotonic() - began > limit:
            raise TimeoutError(f"{len(done)} of {count} {method} after {limit} s")
        await asyncio.sleep(0.05)


def _figures(
    app: Running, method: str, since: int, count: int, seconds: float, done: list[Any]
) -> dict[str, Any]:
    calls = _posts(app.slack, method, since)
    span = (max(c.at for c in done) - min(c.at for c in done)) if done else 0.0
    return {
        "messages": count,
        "slack_seconds_to_last": round(seconds * SCALE, 1),
        "calls_per_second": round(len(calls) / max(span, 1e-9) / SCALE, 2),
        "calls": len(calls),
        "refused_429": sum(1 for c in calls if c.status == 429),
    }


async def measure_fanout(channels: int = 300, edits: int = 300) -> dict[str, Any]:
    report: dict[str, Any] = {"scale": SCALE}
    with tempfile.TemporaryDirectory(prefix="parley-fanout-") as folder:
        async with SlackStandIn() as slack:
            ids = [f"C0FAN{n:04d}" for n in range(channels)]
            for cid in ids:
                slack.workspace.channels[cid] = Channel(
                    id=cid, name=cid.lower(), members=["U0ALICE", BOT_USER]
                )
            limits = slack.keep_limits(scale=SCALE)
            async with running_parley(
                database_url=f"sqlite:///{Path(folder) / 'fanout.db'}",
                config=ParleyConfig(),
                start=START,
                slack=slack,
                pace=SCALE,
            ) as app:
                deps = app.parley.deps
                assert deps is not None
                async with following(app.clock):
                    # Setup: a dispute in each channel (its card goes out first) and a
                    # digest at 09:00 in each.
                    mark = len(slack.calls)
                    found = []
                    for cid in ids:
                        found.append(
                            await open_dispute(
                                app.store,
                                workspace_id="T0PARLEY",
                                channel_id=cid,
                                owner=ALICE,
                                title=f"Fan-out {cid}",
                                people=[],
                                config=deps.config,
                                calendar=deps.calendar,
                                now=app.clock.now(),
                            )
                        )
                        await digests.subscribe(
                            app.store,
                            workspace_id="T0PARLEY",
                            kind=DigestKind.CHANNEL,
                            target=cid,
                            at=wall_time(9, 0),
                            zone="UTC",
                            actor=ALICE,
                            now=app.clock.now(),
                        )
                    await _until(app, "chat.postMessage", mark, channels)

                    # 1. 300 digests due the same minute.
                    app.clock.set(START.replace(hour=9, minute=0, second=5))
                    mark = len(slack.calls)
                    began = time.monotonic()
                    await app.parley.tick()
                    seconds, done = await _until(app, "chat.postMessage", mark, channels)
                    seconds = time.monotonic() - began
                    report["digests"] = _figures(
                        app, "chat.postMessage", mark, channels, seconds, done
                    )

                    # 2. A burst of card edits, and one new card owed in the middle of it.
                    mark = len(slack.calls)
                    began = time.monotonic()
                    async with app.store.write() as conn:
                        for dispute in found[:edits]:
                            await notices.owe(conn, DisputeRefresh.of(dispute), now=app.clock.now())
                    app.parley.outbox.wake()  # type: ignore[union-attr]
                    await asyncio.sleep(2.0 / SCALE * 10)
                    lone_mark = len(slack.calls)
                    lone_began = time.monotonic()
                    await open_dispute(
                        app.store,
                        workspace_id="T0PARLEY",
                        channel_id=ids[0],
                        owner=ALICE,
                        title="A new dispute during the burst",
                        people=[],
                        config=deps.config,
                        calendar=deps.calendar,
                        now=app.clock.now(),
                    )
                    app.parley.outbox.wake()  # type: ignore[union-attr]
                    await _until(app, "chat.postMessage", lone_mark, 1)
                    report["lone_post_during_burst_slack_seconds"] = round(
                        (time.monotonic() - lone_began) * SCALE, 1
                    )
                    seconds, done = await _until(app, "chat.update", mark, edits)
                    seconds = time.monotonic() - began
                    report["edits"] = _figures(app, "chat.update", mark, edits, seconds, done)

                    # 3. Fifty more edits, then fifty whose first Slack answers with 429
                    # (Retry-After 2 s): the second should cost about that wait, no more.
                    again = min(50, edits)
                    for faulted in (False, True):
                        mark = len(slack.calls)
                        if faulted:
                            slack.fail_next(1, status=429, retry_after=2, method="chat.update")
                        began = time.monotonic()
                        async with app.store.write() as conn:
                            for dispute in found[:again]:
                                await notices.owe(
                                    conn, DisputeRefresh.of(dispute), now=app.clock.now()
                                )
                        app.parley.outbox.wake()  # type: ignore[union-attr]
                        seconds, done = await _until(app, "chat.update", mark, again)
                        seconds = time.monotonic() - began
                        key = "edits_with_429s" if faulted else "edits_again"
                        report[key] = _figures(app, "chat.update", mark, again, seconds, done)
                        report[key]["real_seconds"] = round(seconds, 2)
                    report["cost_of_429s_real_seconds"] = round(
                        report["edits_with_429s"]["real_seconds"]
                        - report["edits_again"]["real_seconds"],
                        2,
                    )
                    pacer = app.parley.outbox.client.pacer  # type: ignore[union-attr]
                    report["pacer_put_off"] = pacer.put_off
            report["stand_in_refused"] = limits.refused
    return report


if __name__ == "__main__":
    import json

    print(json.dumps(asyncio.run(measure_fanout()), indent=2))
