"""Parley's own middleware, run by Bolt as one middleware.

Bolt runs a function middleware (`app.middleware(fn)`) by building its keyword arguments for
every request: thirty-odd payload look-ups and a dict of every argument Bolt knows, to hand
the function the three it asks for. Parley has five such steps, so every request Slack sent,
the firehose's dropped messages included, paid for five of those builds: measured, about a
tenth of the CPU of a recorded thread reply. `Steps` is a Bolt middleware object
(`AsyncMiddleware`, which Bolt calls directly) that runs Parley's steps in order with what
they take (the body, the context, `next`) and keeps Bolt's contract for each:

- a step that calls `next()` hands the request on to the next step (Bolt's `next` does not
  run the rest of the chain: it only marks that the request goes on);
- a step that returns without calling `next()` ends the request with what it returned, as
  Bolt does for a middleware of its own (nothing returned: Bolt's "unhandled" 404).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

Next = Callable[[], Awaitable[BoltResponse | None]]
Step = Callable[[dict[str, Any], AsyncBoltContext, Next], Awaitable[BoltResponse | None]]


class Steps(AsyncMiddleware):
    """Parley's middleware steps, in the order given, as one Bolt middleware."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        body, context = req.body, req.context
        went_on = False

        async def go_on() -> None:
            nonlocal went_on
            went_on = True

        answer: BoltResponse | None = resp
        for step in self.steps:
            went_on = False
            answer = await step(body, context, go_on)
            if not went_on:
                return answer
        await next()
        return answer

    @property
    def name(self) -> str:
        return "Steps(" + ", ".join(getattr(s, "__name__", repr(s)) for s in self.steps) + ")"
