"""What refusing replayed requests costs a command: `python -m benchmarks.replay_guard`.

1. The guard alone: one write block with the insert that takes a signature, on SQLite and
   (where one answers) PostgreSQL: wall and CPU time per take.
2. Over HTTP: `/dispute help` (Parley's cheapest command, so the guard's share is at its
   largest), sent one at a time, with the guard and with it bypassed, alternating rounds.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.config import parse_config
from bot.sandbox.harness import running_parley
from bot.store import Store, replays

POSTGRES_URL = os.environ.get(
    "PARLEY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TAKES = 2000
COMMANDS = 300
ROUNDS = 3


async def guard_alone(url: str) -> tuple[float, float]:
    """(wall µs, CPU µs) per take, median of the rounds."""
    store = Store.open(url)
    await store.upgrade()
    walls, cpus = [], []
    try:
        for _ in range(ROUNDS):
            keys = [secrets.token_hex(32) for _ in range(TAKES)]
            now = int(time.time())
            wall, cpu = time.perf_counter(), time.process_time()
            for key in keys:
                async with store.write() as conn:
                    await replays.take(conn, signature=key, signed_at=now)
            walls.append((time.perf_counter() - wall) / TAKES * 1e6)
            cpus.append((time.process_time() - cpu) / TAKES * 1e6)
            async with store.write() as conn:
                await replays.forget_before(conn, signed_before=now + 1)
    finally:
        await store.close()
    return statistics.median(walls), statistics.median(cpus)


async def guard_on_postgres() -> tuple[float, float]:
    """The guard alone on a fresh PostgreSQL database, dropped afterwards."""
    import asyncpg

    admin_url = POSTGRES_URL.replace("postgresql://", "postgres://")
    name = f"parley_bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(admin_url, timeout=3)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        return await guard_alone(f"{POSTGRES_URL.rpartition('/')[0]}/{name}")
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def over_http(folder: str) -> dict[str, tuple[float, float]]:
    """Per mode: (median ms per command, CPU ms per command in this process)."""
    config = parse_config("", Path("bench.toml"))
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    results: dict[str, list[tuple[float, float]]] = {"guarded": [], "bypassed": []}
    real_take = replays.take

    async def always_fresh(*_: object, **__: object) -> bool:
        return True

    async with running_parley(
        database_url=f"sqlite:///{folder}/bench.db", config=config, start=start
    ) as running:

        async def run() -> tuple[float, float]:
            latencies = []
            cpu = time.process_time()
            for _ in range(COMMANDS):
                began = time.perf_counter()
                await running.driver.command("/dispute", "help", user="U0ALICE", channel="C0DESK")
                latencies.append((time.perf_counter() - began) * 1000)
            return statistics.median(latencies), (time.process_time() - cpu) / COMMANDS * 1000

        await run()  # warm up
        for _ in range(ROUNDS):
            for mode in ("guarded", "bypassed"):
                replays.take = real_take if mode == "guarded" else always_fresh  # type: ignore[assignment]
                results[mode].append(await run())
        replays.take = real_take
    return {
        mode: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for mode, runs in results.items()
    }


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        print(f"guard alone, {TAKES} takes x {ROUNDS} rounds (one write block each):")
        engines: list[tuple[str, Callable[[], Awaitable[tuple[float, float]]]]] = [
            ("SQLite", lambda: guard_alone(f"sqlite:///{folder}/guard.db")),
            ("PostgreSQL", guard_on_postgres),
        ]
        for name, measure in engines:
            try:
                wall, cpu = await measure()
            except OSError as exc:
                print(f"  {name}: skipped ({type(exc).__name__})")
                continue
            print(f"  {name}: {wall:.0f} µs wall, {cpu:.0f} µs CPU per take")
        print(f"/dispute help over HTTP, {COMMANDS} one at a time x {ROUNDS} rounds (SQLite):")
        found = await over_http(folder)
        for mode, (median, cpu) in found.items():
            print(f"  {mode}: median {median:.2f} ms, {cpu:.2f} ms CPU per command (this process)")
        extra = found["guarded"][0] - found["bypassed"][0]
        print(f"  the guard adds {extra * 1000:.0f} µs to the median")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
