"""Events are acknowledged (never 404, which makes Slack retry), and Slack's hiccups are retried."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.sandbox.harness import Running
from bot.store.schema import disputes, timeline


async def rows(app: Running) -> tuple[int, int]:
    async with app.store.read() as conn:
        d = (await conn.execute(sa.select(sa.func.count()).select_from(disputes))).scalar_one()
        t = (await conn.execute(sa.select(sa.func.count()).select_from(timeline))).scalar_one()
    return int(d), int(t)


async def test_subscribed_events_are_acknowledged(app: Running) -> None:
    _, reply = await app.driver.message("U0ALICE", "C0DESK", "hello there")
    assert reply.status == 200
    _, reply = await app.driver.message("U0RAJ", "C0ACME", "reply from a supplier")
    assert reply.status == 200
    assert (await app.driver.home_opened("U0ALICE")).status == 200
    for kind in ("channel_shared", "channel_unshared", "member_joined_channel"):
        event = {"type": kind, "channel": "C0DESK", "user": "U0BOB", "connected_team_id": "T0ACME"}
        assert (await app.driver.event(event)).status == 200
    assert await rows(app) == (0, 0)


async def test_a_retried_event_is_acknowledged_and_changes_nothing(app: Running) -> None:
    event = {"type": "message", "channel": "C0DESK", "user": "U0ALICE", "text": "x", "ts": "1.1"}
    first = await app.driver.event(event, event_id="Ev0RETRY")
    again = await app.driver.event(
        event, event_id="Ev0RETRY", retry_num=1, retry_reason="http_timeout"
    )
    assert first.status == again.status == 200
    assert await rows(app) == (0, 0)


async def test_channel_shared_refreshes_who_may_read_a_channel(app: Running) -> None:
    await app.driver.command(
        "/dispute", "open Acme outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    listed = await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0DESK")
    assert "Acme outage" in listed.text
    # #service-desk becomes a Slack Connect channel with Globex: Acme's business must vanish.
    desk = app.slack.workspace.channels["C0DESK"]
    desk.is_ext_shared = True
    desk.shared_team_ids = ["T0PARLEY", "T0GLOBEX"]
    await app.driver.event(
        {"type": "channel_shared", "channel": "C0DESK", "connected_team_id": "T0GLOBEX"}
    )
    listed = await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0DESK")
    assert "Acme outage" not in listed.text
    assert "No open disputes" in listed.text


async def test_server_errors_and_rate_limits_from_slack_are_retried(app: Running) -> None:
    # While answering, the client retries by itself (the person is waiting)...
    app.slack.fail_next(2, status=500, method="users.info")
    await app.driver.command("/dispute", "open Flaky Slack", user="U0ALICE", channel="C0DESK")
    await app.settle()
    # ...and what is owed after the ack is retried by the outbox, when Slack says it may
    app.slack.fail_next(1, status=429, retry_after=1, method="chat.postMessage")
    await app.driver.command("/dispute", "open Busy Slack", user="U0ALICE", channel="C0DESK")
    await app.settle()
    app.clock.advance(timedelta(seconds=1))
    await app.parley.tick()
    await app.settle()
    posted = [c for c in app.slack.calls_to("chat.postMessage") if c.ok]
    titles = [c.args["blocks"][0]["text"]["text"] for c in posted]
    assert titles == ["D-1 · Flaky Slack", "D-2 · Busy Slack"]
    assert any(c.faulted and c.status == 429 for c in app.slack.calls)
    assert sum(1 for c in app.slack.calls if c.faulted and c.status == 500) == 2
