"""Socket Mode end to end: Parley opens a websocket to the stand-in and answers envelopes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.config import ParleyConfig
from bot.sandbox.slack_api import SlackStandIn
from bot.server import Parley
from bot.settings import Settings
from bot.store import disputes as disputes_repo
from tests.conftest import START


def socket_settings(slack: SlackStandIn, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_APP_TOKEN=slack.app_token,
        SLACK_SIGNING_SECRET=None,
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )


def command_payload(slack: SlackStandIn, text: str, *, user: str, channel: str) -> dict[str, Any]:
    """What Slack puts in a ``slash_commands`` envelope: the HTTP form's fields as JSON."""
    return {
        "token": "sandbox-verification-token",
        "team_id": "T0PARLEY",
        "team_domain": "northwind-it",
        "channel_id": channel,
        "channel_name": "desk",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/dispute",
        "text": text,
        "api_app_id": slack.workspace.app_id,
        "is_enterprise_install": "false",
        "response_url": slack.response_url(channel, user),
        "trigger_id": slack.issue_trigger_id(user),
    }


def ack_text(ack: dict[str, Any]) -> str:
    payload = ack.get("payload") or {}
    blocks = payload.get("blocks") or []
    return "\n".join(
        [str(payload.get("text", ""))] + [str(b.get("text", {}).get("text", "")) for b in blocks]
    )


@pytest.fixture
async def parley(
    slack: SlackStandIn,
    config: ParleyConfig,
    tmp_path: Path,
    no_env: None,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[Parley]:
    caplog.set_level(logging.INFO)
    running = Parley(
        socket_settings(slack, f"sqlite:///{tmp_path}/socket.db"),
        config=config,
        clock=FakeClock(START),
    )
    try:
        await running.start(host="127.0.0.1", port=0)
        yield running
    finally:
        await running.stop()
    # Parley closed its websocket itself, normally (1000): the stand-in is still up.
    await slack.wait_until(lambda: slack.open_socket_connections == 0, timeout=2)
    closes = [(c.closed_by, c.close_code) for c in slack.socket.connections]
    assert closes == [("client", 1000)] * slack.socket_connections
    logged = caplog.get_records("setup") + caplog.get_records("call") + caplog.records
    errors = [r for r in logged if r.levelno >= logging.WARNING]
    assert errors == [], [r.getMessage() for r in errors]
    assert slack.violations == [], slack.violations


async def test_socket_mode_connects_answers_commands_and_posts_the_card(
    parley: Parley, slack: SlackStandIn
) -> None:
    opened = slack.calls_to("apps.connections.open")
    assert len(opened) == 1 and opened[0].ok
    assert opened[0].response is not None
    assert opened[0].response["url"].startswith(f"ws://127.0.0.1:{slack.port}/socket/")
    await slack.wait_for_socket()
    assert slack.socket_connections == 1

    help_ack = await slack.socket_send(
        "slash_commands", command_payload(slack, "help", user="U0ALICE", channel="C0DESK")
    )
    assert help_ack["envelope_id"] == slack.socket.envelopes[-1]["envelope_id"]
    assert help_ack["payload"]["response_type"] == "ephemeral"
    assert "/dispute open" in ack_text(help_ack)

    open_ack = await slack.socket_send(
        "slash_commands",
        command_payload(slack, "open Socket outage", user="U0ALICE", channel="C0DESK"),
    )
    assert not open_ack.get("payload")  # an empty ack: the card is the answer
    posted = await slack.wait_for("chat.postMessage")
    assert posted[0].args["channel"] == "C0DESK"
    assert posted[0].args["blocks"][0]["text"]["text"] == "D-1 · Socket outage"
    assert slack.socket_acks == [help_ack, open_ack]

    assert parley.store is not None
    await slack.wait_until(lambda: bool(slack.calls_to("chat.postMessage")[0].ok))
    async with parley.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None
    assert d1.title == "Socket outage" and d1.channel_id == "C0DESK"

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{parley.url}/healthz") as response,
    ):
        assert response.status == 200
        assert (await response.json())["database"] is True


async def test_socket_mode_reconnects_when_slack_asks(parley: Parley, slack: SlackStandIn) -> None:
    await slack.wait_for_socket()
    await slack.socket_disconnect("refresh_requested")
    await slack.wait_until(
        lambda: slack.socket_connections == 2 and slack.open_socket_connections == 1
    )
    assert len(slack.calls_to("apps.connections.open")) == 2
    ack = await slack.socket_send(
        "slash_commands", command_payload(slack, "help", user="U0ALICE", channel="C0DESK")
    )
    assert "/dispute open" in ack_text(ack)


async def test_only_an_app_token_opens_a_socket(slack: SlackStandIn) -> None:
    client = AsyncWebClient(base_url=slack.api_url)
    with pytest.raises(SlackApiError) as bot_token:
        await client.apps_connections_open(app_token=slack.bot_token)
    assert bot_token.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as wrong_token:
        await client.apps_connections_open(app_token="xapp-not-this-app")
    assert wrong_token.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as app_token_elsewhere:
        await AsyncWebClient(token=slack.app_token, base_url=slack.api_url).auth_test()
    assert app_token_elsewhere.value.response["error"] == "not_allowed_token_type"
    opened = await client.apps_connections_open(app_token=slack.app_token)
    assert opened["url"].startswith(f"ws://127.0.0.1:{slack.port}/socket/")
    assert slack.socket_connections == 0
