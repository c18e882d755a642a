"""Overdue stages: told once per stage (thread, owner's DM, card), or escalated when configured."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.config import parse_config
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.ticker import Ticker
from tests.conftest import COMPANY_CONFIG, START


async def open_d1(app: Running) -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


def dms(app: Running) -> list[dict[str, object]]:
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if str(c.args["channel"]).startswith("D")
    ]


async def kinds(app: Running) -> list[str]:
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        return [e.kind for e in await timeline_repo.events(conn, dispute_id=d1.id)]


async def test_overdue_is_told_once_per_stage(app: Running) -> None:
    root = await open_d1(app)
    await app.parley.tick()
    assert dms(app) == []  # not due yet (Acme: 2 working days)
    app.clock.advance(timedelta(days=2, minutes=1))  # Wed 25 Nov 10:01
    await app.parley.tick()
    thread = [
        c.args for c in app.slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == root
    ]
    assert len(thread) == 1 and "is overdue by 1 working day" in str(thread[0]["text"])
    assert "Escalate" not in str(thread[0])  # the suggestion is the owner's, never the thread's
    (dm,) = dms(app)
    assert "Escalate it to *Stage 2/4 · Multi-party*?" in str(dm["blocks"])
    assert "dispute_escalate" in str(dm["blocks"])
    assert "overdue by 1 working day" in str(app.slack.calls_to("chat.update")[-1].args["blocks"])

    for _ in range(3):
        app.clock.advance(timedelta(hours=5))
        await app.parley.tick()
    assert len(dms(app)) == 1
    assert (await kinds(app)).count("overdue") == 1
    listed = await app.driver.command("/dispute", "list overdue", user="U0ALICE", channel="C0DESK")
    assert "D-1" in listed.text

    await app.driver.command("/dispute", "escalate D-1 No answer", user="U0ALICE", channel="C0DESK")
    await app.settle()
    await app.parley.tick()
    assert len(dms(app)) == 1  # the new stage has a fresh clock
    app.clock.advance(timedelta(days=7))
    await app.parley.tick()
    assert len(dms(app)) == 2
    assert (await kinds(app)).count("overdue") == 2


async def test_the_dm_button_opens_the_escalate_form(app: Running) -> None:
    await open_d1(app)
    app.clock.advance(timedelta(days=3))
    await app.parley.tick()
    dm_call = [
        c for c in app.slack.calls_to("chat.postMessage") if str(c.args["channel"]).startswith("D")
    ][-1]
    reply = await app.driver.block_action(
        user="U0ALICE",
        channel=str(dm_call.args["channel"]),
        message_ts=str(dm_call.response["ts"]),
        action_id="dispute_escalate",
    )
    assert reply.status == 200
    await app.settle()
    assert app.slack.calls_to("views.open")[-1].args["view"]["title"]["text"] == "Escalate D-1"


async def test_auto_escalate_escalates_instead_of_suggesting(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    config = parse_config(
        COMPANY_CONFIG.replace(
            "company_process = 10\n", "company_process = 10\nauto_escalate = true\n"
        ),
        Path("auto.toml"),
    )
    assert config.ladder.auto_escalate
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as app:
        await open_d1(app)
        app.clock.advance(timedelta(days=3))
        await app.parley.tick()
        async with app.store.read() as conn:
            d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None and d1.stage.value == "multi_party"
        assert "escalated automatically" in str(dms(app)[-1]["blocks"])
        # Onwards to company_process, but never into legal on its own.
        for _ in range(3):
            app.clock.advance(timedelta(days=20))
            await app.parley.tick()
        async with app.store.read() as conn:
            d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None and d1.stage.value == "company_process"
        assert "ask an approver" in str(dms(app)[-1]["blocks"])
        assert slack.violations == []


async def test_a_failing_job_never_stops_the_others() -> None:
    ran: list[str] = []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        ran.append("fine")

    ticker = Ticker([("broken", broken), ("fine", fine)], interval=0.01)
    ticker.start()
    for _ in range(50):
        if len(ran) >= 2:
            break
        await asyncio.sleep(0.01)
    await ticker.stop()
    assert len(ran) >= 2
