"""The handlers still at work after their ack, in one Parley (on its `Runtime`).

Bolt's listener runner is replaced by one that answers Slack the moment a handler acks
(bot/commands/bolt_internals.py); the handler goes on after the answer, as a task kept here
until it is done, so it is not collected, and so a shutdown or a test can wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class HandlerTasks:
    """The work running after Slack has been answered, in one Parley."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def track(self, task: asyncio.Task[None]) -> None:
        """Keep `task` until it is done."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def running(self) -> set[asyncio.Task[None]]:
        """The handlers still at work after their ack."""
        return {task for task in self._tasks if not task.done()}

    def after_ack(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` after Slack has been answered, tracked like a handler's continuation (a
        shutdown and a test's `settle()` wait for it; an error is logged, never lost)."""

        async def logged() -> None:
            try:
                await work
            except Exception:
                log.exception("work after the ack failed")

        task = asyncio.get_running_loop().create_task(logged())
        self.track(task)
        return task
