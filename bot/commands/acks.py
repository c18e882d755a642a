"""Answer Slack the moment a handler acks, not at Bolt's next look.

Bolt's asyncio runner starts the handler as a task and then looks for its ack every 10 ms
(`asyncio.sleep(0.01)` in a loop), so every request waits up to 10 ms after its ack, and
every request in flight wakes the loop 100 times a second to look: measured, that was a
fifth of the latency of a fast command and a steady share of the CPU under load.

Here the ack itself says when it has been given (`SignalledAck`), and the runner waits for
that or for the handler to end, whichever is first, up to the listener's ack timeout. Bolt's
contract is kept: the handler goes on after its ack; an error before the ack answers 500
through the error handler; an error after it is only logged; no ack at all answers nothing.
Lazy listeners and `process_before_response` are left to Bolt's own runner.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

# Handlers still running after their ack, in every app of this process (kept until done, so
# they are not collected, and so a shutdown or a test can wait for them).
_running: set[asyncio.Task[None]] = set()


def handlers_running() -> set[asyncio.Task[None]]:
    """The handlers still at work after their ack."""
    return {task for task in _running if not task.done()}


def after_ack(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Run `work` after Slack has been answered, tracked like a handler's continuation (a
    shutdown and a test's `settle()` wait for it; an error is logged, never lost)."""

    async def logged() -> None:
        try:
            await work
        except Exception:
            logging.getLogger(__name__).exception("work after the ack failed")

    task = asyncio.get_running_loop().create_task(logged())
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


class SignalledAck(AsyncAck):
    """Bolt's ack, which also sets an event once it holds a response."""

    def __init__(self) -> None:
        self.given = asyncio.Event()
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None:
            self.given.set()


class PromptListenerRunner(AsyncioListenerRunner):
    """Bolt's listener runner, answering as soon as the ack is given (see the module)."""

    @classmethod
    def replacing(cls, runner: AsyncioListenerRunner) -> PromptListenerRunner:
        return cls(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            lazy_listener_runner=runner.lazy_listener_runner,
        )

    async def run(
        self,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: AsyncListener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        ack = request.context.ack
        if (
            self.process_before_response
            or request.lazy_only
            or listener.lazy_functions
            or not isinstance(ack, SignalledAck)
        ):
            return await super().run(request, response, listener_name, listener, starting_time)
        started = starting_time if starting_time is not None else time.time()
        if listener.auto_acknowledgement:  # events: acknowledged before the handler runs
            await ack()
        handler = asyncio.create_task(self._handle(ack, request, response, listener))
        _running.add(handler)
        handler.add_done_callback(_running.discard)
        if ack.response is None:
            given = asyncio.create_task(ack.given.wait())
            left = listener.ack_timeout - (time.time() - started)
            await asyncio.wait(
                {given, handler}, timeout=max(left, 0), return_when="FIRST_COMPLETED"
            )
            given.cancel()
        if ack.response is None:
            self.logger.warning(f"{listener_name} did not acknowledge the request in time")
        return ack.response

    async def _handle(
        self,
        ack: SignalledAck,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener: AsyncListener,
    ) -> None:
        answer: BoltResponse | None = response
        try:
            await self.listener_start_handler.handle(request=request, response=response)
            await listener.run_ack_function(request=request, response=response)
        except Exception as error:
            if answer is None:
                answer = BoltResponse(status=500)
            answer.status = 500
            if ack.response is not None:  # acknowledged already: the error is only logged
                answer = None
            await self.listener_error_handler.handle(
                error=error,
                request=request,
                response=answer,
            )
            if ack.response is None:
                ack.response = answer
        finally:
            await self.listener_completion_handler.handle(request=request, response=answer)
