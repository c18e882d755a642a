"""What the complaint tests share: two customer parties (Globex, with its shared channel,
and Initech, with one of its own), the escalation channel, and helpers over HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ParleyConfig, parse_config
from bot.domain.complaints import Complaint, ComplaintEvent
from bot.sandbox.harness import Running
from bot.sandbox.slack_api import SlackStandIn
from bot.sandbox.workspace import ALICE, BOT_USER, INITECH, IVAN, NORTHWIND, Channel
from bot.store import complaints as complaints_repo
from tests import saying
from tests.conftest import COMPANY_CONFIG

CARE = "C0CARE"  # the complaints escalation channel
INITECH_SHARED = "C0INITECH"

CONFIG = (
    COMPANY_CONFIG.replace(
        'legal = "C0LEGAL"', f'legal = "C0LEGAL"\ncomplaints = "{CARE}"'
    ).replace(
        'kind = "third_party"\nslack_team = "T0GLOBEX"',
        'kind = "customer"\nslack_team = "T0GLOBEX"',
    )
    + f"""
[parties."Initech"]
kind = "customer"
slack_team = "{INITECH}"
complaints = {{ respond_within = 2, resolve_within = 8 }}

[complaints]
respond_within = 1
resolve_within = 5
confirm_within = 3
"""
)


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(CONFIG, Path("tests/company.toml"))


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as stand_in:
        ws = stand_in.workspace
        ws.add_channel(Channel(CARE, "customer-care", members=[BOT_USER]))
        ws.add_channel(
            Channel(
                INITECH_SHARED,
                "initech-shared",
                members=[ALICE, IVAN, BOT_USER],
                is_ext_shared=True,
                shared_team_ids=[NORTHWIND, INITECH],
                purpose="Northwind <> Initech",
            )
        )
        yield stand_in


async def run(app: Running, text: str, user: str = ALICE, channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/complaint", text, user=user, channel=channel)


async def opened(
    app: Running,
    text: str = "open The monthly report is late again with <@U0GRETA|greta>",
    channel: str = "C0DESK",
) -> str:
    """Open a complaint; the ts of its card."""
    answer = await run(app, text, channel=channel)
    assert "is open for" in answer, answer
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def complaint(app: Running, number: int = 1) -> Complaint:
    async with app.store.read() as conn:
        found = await complaints_repo.get(conn, workspace_id="T0PARLEY", number=number)
    assert found is not None
    return found


async def record(app: Running, number: int = 1) -> list[ComplaintEvent]:
    found = await complaint(app, number)
    async with app.store.read() as conn:
        return await complaints_repo.events(conn, complaint_id=found.id)


def posts(app: Running, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


def text_of(args: dict[str, Any]) -> str:
    return json.dumps([args.get("text"), args.get("blocks")], ensure_ascii=False)
