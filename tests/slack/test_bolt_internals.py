"""What bot/commands/bolt_internals.py relies on in Bolt, checked against the Bolt installed.

A Bolt upgrade that renames, moves or changes any of these fails here, before it can fail
in production; the version pins are checked too, so an upgrade is a decision, made here."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack import internals
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.middleware.ignoring_self_events.async_ignoring_self_events import (
    AsyncIgnoringSelfEvents,
)
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.commands.acks import HandlerTasks
from bot.commands.bolt_internals import (
    PromptListenerRunner,
    SignalledAck,
    bolt_user_of,
    install_listener_runner,
    set_ack_response,
)
from tests.slack.test_acks import bare_app, command

ROOT = Path(__file__).resolve().parents[2]


def test_slack_bolt_is_pinned_to_the_minor_version_the_internals_were_checked_against() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "slack-bolt>=1.30,<1.31" in project["project"]["dependencies"]
    pinned = re.search(r"^slack-bolt==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert pinned is not None and pinned.group(1).startswith("1.30.")
    assert version("slack-bolt").startswith("1.30.")


def test_the_app_keeps_its_listener_runner_in_the_attribute_replaced() -> None:
    app = AsyncApp(token="xoxb-1", signing_secret="unused", request_verification_enabled=False)
    assert isinstance(app._async_listener_runner, AsyncioListenerRunner)
    assert app.listener_runner is app._async_listener_runner
    runner = install_listener_runner(app, HandlerTasks())
    assert isinstance(runner, PromptListenerRunner)
    assert app.listener_runner is runner and app._async_listener_runner is runner


def test_the_runner_is_built_from_the_keywords_bolt_takes_and_keeps() -> None:
    wanted = {
        "logger",
        "process_before_response",
        "listener_error_handler",
        "listener_start_handler",
        "listener_completion_handler",
        "lazy_listener_runner",
    }
    assert wanted <= set(inspect.signature(AsyncioListenerRunner.__init__).parameters)
    app = AsyncApp(token="xoxb-1", signing_secret="unused", request_verification_enabled=False)
    bolts = app.listener_runner
    ours = PromptListenerRunner.replacing(bolts, HandlerTasks())
    for name in wanted:
        assert getattr(ours, name) is getattr(bolts, name), name


def test_the_runner_is_called_with_the_arguments_overridden() -> None:
    ours = list(inspect.signature(PromptListenerRunner.run).parameters)
    bolts = list(inspect.signature(AsyncioListenerRunner.run).parameters)
    assert (
        ours
        == bolts
        == [
            "self",
            "request",
            "response",
            "listener_name",
            "listener",
            "starting_time",
        ]
    )


def test_listeners_and_requests_have_what_the_runner_reads() -> None:
    for name in ("lazy_functions", "auto_acknowledgement", "ack_timeout"):
        assert name in AsyncListener.__annotations__, name
    run_ack = inspect.signature(AsyncListener.run_ack_function).parameters
    assert {"request", "response"} <= set(run_ack)
    assert "lazy_only" in AsyncBoltRequest.__annotations__
    request = command("go")
    assert request.lazy_only is False and isinstance(request.context.ack, AsyncAck)
    mine = SignalledAck()
    request.context["ack"] = mine  # what the app's middleware does (bot/app.py)
    assert request.context.ack is mine


async def test_bolt_runs_listeners_through_the_runner_installed() -> None:
    handlers = HandlerTasks()
    app = bare_app(handlers)
    release = asyncio.Event()

    @app.command("/x")
    async def handler(ack: Any) -> None:
        await ack("taken")
        await release.wait()

    response = await app.async_dispatch(command("go"))
    assert response.status == 200 and "taken" in response.body
    assert len(handlers.running()) == 1  # the prompt runner started it, not Bolt's own
    release.set()
    await asyncio.gather(*handlers.running())


async def test_events_are_acknowledged_before_their_handler_runs() -> None:
    handlers = HandlerTasks()
    app = bare_app(handlers)
    release, ran = asyncio.Event(), asyncio.Event()

    @app.event("app_mention")
    async def handler() -> None:
        await release.wait()
        ran.set()

    body = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {"type": "app_mention", "user": "U1", "text": "hi", "ts": "1.0"},
    }
    request = AsyncBoltRequest(body=json.dumps(body), headers={"content-type": "application/json"})
    response = await app.async_dispatch(request)
    assert response.status == 200 and not ran.is_set()
    release.set()
    await asyncio.gather(*handlers.running())
    assert ran.is_set()


def test_set_response_is_there_with_the_keywords_used() -> None:
    parameters = inspect.signature(internals._set_response).parameters
    assert list(parameters)[:2] == ["self", "text_or_whole_response"]
    assert "response_type" in parameters


def test_an_ack_response_is_a_plain_attribute_bolt_assigns() -> None:
    plain = AsyncAck()  # type: ignore[no-untyped-call]
    assert "response" in vars(plain) and plain.response is None
    ack = SignalledAck()
    assert ack.response is None and not ack.given.is_set()
    answer = set_ack_response(ack, "on it", response_type="ephemeral")
    assert ack.given.is_set() and ack.response is answer
    assert answer.status == 200
    assert answer.body == json.dumps({"text": "on it", "response_type": "ephemeral"})


def test_the_self_event_filter_reads_the_user_bolt_places_a_request_on() -> None:
    """The edge drops Parley's own message events as Bolt's filter does (bot/commands/events.py):
    by the user Bolt puts in the context, compared with the bot user only."""
    assert "req.context.user_id" in inspect.getsource(AsyncIgnoringSelfEvents.async_process)
    compared = inspect.getsource(AsyncIgnoringSelfEvents._is_self_event)
    assert "user_id == auth_result.bot_user_id" in compared
    assert "bot_id == auth_result.bot_id" in compared  # None for Parley: `authorize` gives none
    own = {"type": "message", "user": "U0PARLEY", "text": "x", "ts": "1.1"}
    bodies: list[dict[str, Any]] = [
        {"type": "event_callback", "event": own},
        {"type": "event_callback", "user": "U0TOP", "event": own},
        {"type": "event_callback", "user": {"name": "no id"}, "event": own},
        {"type": "event_callback", "event": {"type": "message", "message": {"user": "U0NEW"}}},
        {
            "type": "event_callback",
            "event": {"type": "message", "previous_message": {"user": "U0OLD"}},
        },
        {"type": "event_callback", "event": {"type": "message", "subtype": "message_deleted"}},
    ]
    for body in bodies:
        assert bolt_user_of(body) == AsyncBoltRequest(body=body, mode="socket_mode").context.user_id
