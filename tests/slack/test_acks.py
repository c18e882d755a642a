"""The listener runner that answers Slack when the handler acks: Bolt's contract, kept.

No timings: each test proves the order of things with events the handler waits on."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.commands.acks import HandlerTasks
from bot.commands.bolt_internals import (
    PromptListenerRunner,
    SignalledAck,
    install_listener_runner,
)
from bot.sandbox.harness import Running


def bare_app(handlers: HandlerTasks | None = None) -> AsyncApp:
    async def authorize(**_: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_id="B1")

    app = AsyncApp(
        signing_secret="unused",
        authorize=authorize,
        request_verification_enabled=False,
    )
    install_listener_runner(app, handlers if handlers is not None else HandlerTasks())

    @app.middleware
    async def signalled(context: Any, next: Any) -> None:
        context["ack"] = SignalledAck()
        await next()

    return app


def command(text: str) -> AsyncBoltRequest:
    body = urlencode(
        {
            "command": "/x",
            "text": text,
            "user_id": "U1",
            "team_id": "T1",
            "channel_id": "C1",
            "response_url": "http://127.0.0.1:9/never",
            "trigger_id": "1.2.3",
        }
    )
    return AsyncBoltRequest(
        body=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def test_the_answer_goes_out_while_the_handler_goes_on() -> None:
    handlers = HandlerTasks()
    app = bare_app(handlers)
    acked, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    @app.command("/x")
    async def handler(ack: Any) -> None:
        await ack("stored")
        acked.set()
        await release.wait()  # the rest of the work, after the ack
        finished.set()

    response = await app.async_dispatch(command("go"))
    assert response.status == 200 and "stored" in response.body
    assert acked.is_set() and not finished.is_set()  # answered before the handler ended
    assert len(handlers.running()) == 1  # and a shutdown can still wait for it
    release.set()
    await asyncio.gather(*handlers.running())
    assert finished.is_set() and not handlers.running()


async def test_an_error_before_the_ack_answers_500(caplog: pytest.LogCaptureFixture) -> None:
    app = bare_app()

    @app.command("/x")
    async def handler(ack: Any) -> None:
        raise RuntimeError("boom before ack")

    with caplog.at_level(logging.ERROR):
        response = await app.async_dispatch(command("go"))
    assert response.status == 500
    assert "boom before ack" in caplog.text


async def test_an_error_after_the_ack_is_logged_and_the_ack_stands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handlers = HandlerTasks()
    app = bare_app(handlers)
    crashed = asyncio.Event()

    @app.command("/x")
    async def handler(ack: Any) -> None:
        await ack("done")
        await asyncio.sleep(0)
        crashed.set()
        raise RuntimeError("boom after ack")

    with caplog.at_level(logging.ERROR):
        response = await app.async_dispatch(command("go"))
        await asyncio.gather(*handlers.running())
    assert crashed.is_set()
    assert response.status == 200 and "done" in response.body
    assert "boom after ack" in caplog.text


async def test_a_handler_that_ends_without_acking_is_not_waited_for_until_the_timeout() -> None:
    app = bare_app()
    ran = asyncio.Event()

    @app.command("/x")
    async def handler(ack: Any) -> None:
        ran.set()

    # Bolt's own runner would look for an ack for 3 s; this one sees the handler end. The
    # wait_for bound is far above what it takes, only there to fail instead of hanging.
    response = await asyncio.wait_for(app.async_dispatch(command("go")), timeout=2.5)
    assert ran.is_set()
    assert response.status == 404  # nobody answered: Bolt's "unhandled request"


async def test_the_ack_says_when_it_is_given() -> None:
    ack = SignalledAck()
    assert ack.response is None and not ack.given.is_set()
    result = await ack("hello")
    assert isinstance(result, BoltResponse) and ack.response is result
    assert ack.given.is_set()


async def test_parley_runs_its_listeners_with_the_prompt_runner(app: Running) -> None:
    bolt = app.parley.bolt
    assert bolt is not None
    assert isinstance(bolt.listener_runner, PromptListenerRunner)
    reply = await app.driver.command("/dispute", "help", user="U0ALICE", channel="C0DESK")
    assert reply.status == 200 and "/dispute open" in reply.text
