"""`parley verify` over a filled database: how long it takes and the most memory it holds
(it reads the record in batches, so memory should not grow with the record)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import rss_mb


async def measure_verify(work: Path, database_url: str, events: int) -> dict[str, Any]:
    """Run `parley verify` as a process on the database; its time, peak resident size
    (sampled as it runs) and whether the chain held (exit 0)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "verify",
        cwd=work,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started = time.perf_counter()
    peak = 0.0
    while process.returncode is None:
        with contextlib.suppress(OSError, ValueError):
            peak = max(peak, rss_mb(process.pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 0.05)
    seconds = time.perf_counter() - started
    out = (await process.stdout.read()).decode() if process.stdout else ""
    return {
        "events": events,
        "seconds": round(seconds, 2),
        "events_per_second": round(events / seconds) if seconds else None,
        "max_rss_mb": round(peak, 1),
        "ok": process.returncode == 0,
        "said": out.strip(),
    }
