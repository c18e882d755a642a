"""Every use of Bolt's private internals, in one module (tests/slack/test_bolt_internals.py checks
each one; pyproject.toml and constraints.txt pin slack-bolt to the minor version they were
written against: `>=1.30,<1.31`). What is relied on:

- `AsyncApp._async_listener_runner`: the app's listener runner, replaced by
  `install_listener_runner` with the prompt-ack runner below (Bolt has no setter).
- `slack_bolt.context.ack.internals._set_response`: what an ack builds its response with;
  `set_ack_response` uses it to answer without going through the ack's `__call__`.
- `AsyncAck.response` is a plain attribute Bolt assigns (in `__init__` and in
  `_set_response`): `SignalledAck` turns it into a property to learn when it is set.
- `AsyncioListenerRunner`'s constructor keywords, handlers and `run` signature, and
  `AsyncListener.run_ack_function`, `auto_acknowledgement`, `lazy_functions` and
  `ack_timeout`: `PromptListenerRunner` runs listeners the way Bolt's runner does.
- `slack_bolt.request.internals.extract_user_id`: whom Bolt places a request on, which its
  self-event filter (`IgnoringSelfEvents`) compares with the bot user; `bolt_user_of` lets
  the HTTP edge drop Parley's own message events exactly as Bolt would.

Answer Slack the moment a handler acks, not at Bolt's next look.

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
import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.ack.internals import _set_response
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import extract_user_id
from slack_bolt.response import BoltResponse

from bot.commands.acks import HandlerTasks


def bolt_user_of(body: dict[str, Any]) -> str | None:
    """The user Bolt places a request's body on (`context.user_id`): the body's own, else
    its event's, else an edit's new message's or a deletion's old one's."""
    return extract_user_id(body)


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


def set_ack_response(ack: AsyncAck, text: str, *, response_type: str) -> BoltResponse:
    """Give `ack` a text response as Bolt's ack would, without calling the ack itself."""
    return _set_response(ack, text_or_whole_response=text, response_type=response_type)


def install_listener_runner(app: AsyncApp, handlers: HandlerTasks) -> PromptListenerRunner:
    """Run `app`'s listeners with the prompt-ack runner (built from Bolt's own), each
    handler's continuation tracked in `handlers`."""
    runner = PromptListenerRunner.replacing(app.listener_runner, handlers)
    app._async_listener_runner = runner
    return runner


class PromptListenerRunner(AsyncioListenerRunner):
    """Bolt's listener runner, answering as soon as the ack is given (see the module)."""

    handlers: HandlerTasks

    @classmethod
    def replacing(
        cls, runner: AsyncioListenerRunner, handlers: HandlerTasks
    ) -> PromptListenerRunner:
        prompt = cls(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            lazy_listener_runner=runner.lazy_listener_runner,
        )
        prompt.handlers = handlers
        return prompt

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
        self.handlers.track(handler)
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
