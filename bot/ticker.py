"""The one background task: runs the periodic jobs, keeps its handle, logs errors, stops cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
# Told of each run: the job's name, how long it took, whether it failed (bot/metrics.py).
Observer = Callable[[str, float, bool], None]


class Ticker:
    def __init__(
        self,
        jobs: Sequence[tuple[str, Job]],
        *,
        interval: float,
        observe: Observer | None = None,
    ) -> None:
        self._jobs = list(jobs)
        self._observe = observe
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="parley-ticker")

    async def tick(self) -> None:
        """Run every job once; one job's failure never stops the others (or the next tick)."""
        async with self._lock:
            for name, job in self._jobs:
                started = time.perf_counter()
                failed = False
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    failed = True
                    log.exception("background job %s failed", name)
                if self._observe is not None:
                    self._observe(name, time.perf_counter() - started, failed)

    async def _run(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self._interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
