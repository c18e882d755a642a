"""Parley's middleware steps run as one Bolt middleware with Bolt's contract for each step."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from slack_bolt.response import BoltResponse

from bot.commands import MIDDLEWARE
from bot.commands.identity import place_caller
from bot.commands.outgoing import guard_answers
from bot.commands.steps import Next, Steps


def _request() -> Any:
    return SimpleNamespace(body={"type": "event_callback"}, context={})


async def test_steps_run_in_order_and_hand_the_request_on_once() -> None:
    seen: list[str] = []

    def step(name: str) -> Any:
        async def run(body: dict[str, Any], context: Any, next: Next) -> BoltResponse | None:
            seen.append(name)
            context[name] = body["type"]
            return await next()

        run.__name__ = name
        return run

    handed_on: list[bool] = []

    async def bolt_next() -> BoltResponse:
        handed_on.append(True)
        return BoltResponse(status=200)

    req = _request()
    steps = Steps([step("first"), step("second"), step("third")])
    answer = await steps.async_process(req=req, resp=BoltResponse(status=200), next=bolt_next)
    assert seen == ["first", "second", "third"]
    assert req.context == {
        "first": "event_callback",
        "second": "event_callback",
        "third": "event_callback",
    }
    assert handed_on == [True]
    assert answer is None  # what the last step returned, as Bolt keeps it
    assert steps.name == "Steps(first, second, third)"


async def test_a_step_that_does_not_go_on_ends_the_request_with_its_answer() -> None:
    seen: list[str] = []

    async def refuse(body: dict[str, Any], context: Any, next: Next) -> BoltResponse | None:
        seen.append("refuse")
        return BoltResponse(status=500, body="")

    async def after(body: dict[str, Any], context: Any, next: Next) -> BoltResponse | None:
        seen.append("after")
        return await next()

    handed_on: list[bool] = []

    async def bolt_next() -> BoltResponse:
        handed_on.append(True)
        return BoltResponse(status=200)

    answer = await Steps([refuse, after]).async_process(
        req=_request(), resp=BoltResponse(status=200), next=bolt_next
    )
    assert answer is not None and answer.status == 500
    assert seen == ["refuse"] and handed_on == []


def test_the_isolation_door_and_the_caller_come_before_any_capture() -> None:
    assert MIDDLEWARE[:2] == (guard_answers, place_caller)
