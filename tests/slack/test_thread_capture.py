"""Thread capture: every human message in a dispute's threads, once; nothing from elsewhere."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.domain.disputes import TimelineEvent
from bot.domain.text import person
from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.workflows.export import export_document
from tests.conftest import snapshot


async def open_d1(app: Running, channel: str = "C0DESK") -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel=channel
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def timeline(app: Running) -> list[TimelineEvent]:
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        return await timeline_repo.events(conn, dispute_id=d1.id)


def replies(events: list[TimelineEvent]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (e.kind, e.actor_id, e.party, e.text)
        for e in events
        if e.kind in ("reply", "edited", "deleted")
    ]


async def test_replies_edits_and_deletions_go_on_the_record(app: Running) -> None:
    root = await open_d1(app, "C0ACME")
    app.clock.advance(timedelta(hours=3))
    raj, reply = await app.driver.message(
        "U0RAJ", "C0ACME", "We are on it, fix by Friday", thread_ts=root
    )
    assert reply.status == 200
    await app.driver.message("U0ALICE", "C0ACME", "Thanks <@U0RAJ>", thread_ts=root)
    await app.driver.edit_message("C0ACME", raj.ts, "We are on it, fix by Monday")
    await app.driver.delete_message("C0ACME", raj.ts)
    events = await timeline(app)
    assert replies(events) == [
        ("reply", "U0RAJ", "Acme Networks", "We are on it, fix by Friday"),
        ("reply", "U0ALICE", None, "Thanks " + person("U0RAJ")),  # stays a mention
        ("edited", "U0RAJ", "Acme Networks", "We are on it, fix by Monday"),
        ("deleted", "U0RAJ", "Acme Networks", "We are on it, fix by Monday"),
    ]
    edited = [e for e in events if e.kind == "edited"][0]
    assert edited.previous_text == "We are on it, fix by Friday"
    first = [e for e in events if e.kind == "reply"][0]
    assert first.message_ts == raj.ts and first.channel_id == "C0ACME"
    assert first.response_wall_seconds == 3 * 3600  # brought in at 10:00, answered at 13:00
    assert first.response_working_seconds == 3 * 3600  # all within office hours on a Monday


async def test_first_response_clock_counts_working_hours_only(app: Running) -> None:
    root = await open_d1(app, "C0ACME")
    app.clock.advance(timedelta(days=5))  # Sat 28 Nov 10:00 Shanghai, a weekend
    await app.driver.message("U0RAJ", "C0ACME", "Sorry for the delay", thread_ts=root)
    await app.driver.message("U0RAJ", "C0ACME", "Second message", thread_ts=root)
    first, second = [e for e in await timeline(app) if e.kind == "reply"]
    assert first.response_wall_seconds == 5 * 86400
    # Mon 10-18 (8 h) + Tue..Fri 9 h each (36 h) = 44 h of office hours.
    assert first.response_working_seconds == 44 * 3600
    assert second.response_wall_seconds is None  # only the first reply is timed
    document = await export_document(app.store)
    exported = [e for e in document["disputes"][0]["timeline"] if e["kind"] == "reply"]
    assert exported[0]["first_response"] == {"wall_seconds": 432000, "working_seconds": 158400}
    assert exported[1]["first_response"] is None
    shown = await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK")
    assert "Acme Networks: first reply after 5 d (44 h in office hours)" in str(shown.json)


async def test_messages_outside_dispute_threads_are_not_stored(app: Running) -> None:
    root = await open_d1(app)
    before = await snapshot(app.store)
    calls = len(app.slack.calls)
    top, _ = await app.driver.message("U0ALICE", "C0DESK", "A top-level message")
    await app.driver.message("U0BOB", "C0DESK", "A reply in another thread", thread_ts=top.ts)
    await app.driver.message("U0ALICE", "C0RANDOM", "Elsewhere")
    await app.driver.event(
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0OTHER",
            "text": "beep",
            "channel": "C0DESK",
            "ts": "1.2",
            "thread_ts": root,
        }
    )
    await app.driver.event(
        {
            "type": "message",
            "bot_id": "B0PARLEY",
            "user": "U0PARLEY",
            "text": "mine",
            "channel": "C0DESK",
            "ts": "1.3",
            "thread_ts": root,
        }
    )
    assert await snapshot(app.store) == before
    assert len(app.slack.calls) == calls  # not even a users.info for what is not Parley's


async def test_the_same_event_twice_records_once(app: Running) -> None:
    root = await open_d1(app, "C0ACME")
    message = app.slack.post_human_message("U0RAJ", "C0ACME", "Duplicate?", thread_ts=root)
    event = app.driver.message_event(message)
    await app.driver.event(event, event_id="Ev0SAME")
    await app.driver.event(event, event_id="Ev0SAME")
    await app.driver.event(event, event_id="Ev0SAME", retry_num=1, retry_reason="http_timeout")
    await app.driver.event(event, event_id="Ev0OTHERID")  # same message under another id
    assert [k for k, *_ in replies(await timeline(app))] == ["reply"]


async def test_a_retry_arriving_while_the_first_is_still_running(app: Running) -> None:
    await app.driver.command(
        "/dispute",
        "open Core outage with <@U0RAJ|raj> <@U0GRETA|greta>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    await app.driver.command(
        "/dispute", "add D-1 <#C0GLOBEX|globex-shared>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    root = str(
        [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0GLOBEX"][
            -1
        ].response["ts"]
    )
    message = app.slack.post_human_message("U0GRETA", "C0GLOBEX", "Slow Slack", thread_ts=root)
    event = app.driver.message_event(message)
    app.slack.delay_seconds = 0.5  # users.info is slow: both deliveries are in flight together
    first, retry = await asyncio.gather(
        app.driver.event(event, event_id="Ev0RACE"),
        app.driver.event(event, event_id="Ev0RACE", retry_num=1, retry_reason="http_timeout"),
    )
    app.slack.delay_seconds = 0
    assert first.status == retry.status == 200
    assert replies(await timeline(app)) == [("reply", "U0GRETA", "Globex Audit", "Slow Slack")]
    events = await timeline(app)
    assert [e.party for e in events if e.kind == "party_added"] == ["Acme Networks", "Globex Audit"]


async def test_linked_thread_replies_are_the_disputes_too(app: Running) -> None:
    await open_d1(app)
    await app.driver.command(
        "/dispute", "add D-1 <#C0ACME|acme-shared>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    linked = str(
        [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ACME"][
            -1
        ].response["ts"]
    )
    await app.driver.message("U0RAJ", "C0ACME", "Answering in our channel", thread_ts=linked)
    assert replies(await timeline(app))[-1] == (
        "reply",
        "U0RAJ",
        "Acme Networks",
        "Answering in our channel",
    )


async def test_unknown_users_and_failing_team_info_lose_nothing(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    root = await open_d1(app, "C0ACME")
    ghost = app.slack.post_human_message(
        "U0RAJ", "C0ACME", "From a deleted account", thread_ts=root
    )
    event = app.driver.message_event(ghost)
    event["user"] = "U0GHOST"
    assert (await app.driver.event(event)).status == 200
    await app.settle()
    # Slack cannot place the author: the team Slack sent with the event (Acme's) stands
    assert replies(await timeline(app))[-1] == (
        "reply",
        "U0GHOST",
        "Acme Networks",
        "From a deleted account",
    )
    assert "users.info does not know U0GHOST" in caplog.text
    # A user of a team team.info cannot describe becomes a party named after the team id.
    app.slack.workspace.teams.pop("T0INITECH")
    app.slack.workspace.channels["C0ACME"].members.append("U0IVAN")
    ivan = app.slack.post_human_message("U0IVAN", "C0ACME", "Hello from Initech", thread_ts=root)
    assert (await app.driver.event(app.driver.message_event(ivan))).status == 200
    assert replies(await timeline(app))[-1] == (
        "reply",
        "U0IVAN",
        "T0INITECH",
        "Hello from Initech",
    )


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message"},
        {"type": "message", "channel": "C0DESK"},
        {
            "type": "message",
            "channel": "C0DESK",
            "user": "U0RAJ",
            "ts": "not-a-ts",
            "thread_ts": "x",
        },
        {"type": "message", "channel": "C0DESK", "user": "U0RAJ", "ts": "1.1"},
        {"type": "message", "subtype": "message_changed", "channel": "C0DESK"},
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C0DESK",
            "previous_message": None,
        },
        {
            "type": "message",
            "subtype": "channel_join",
            "channel": "C0DESK",
            "user": "U0BOB",
            "ts": "1.1",
        },
        {"type": "message", "channel": 5, "user": ["x"], "ts": 3, "thread_ts": {}},
    ],
)
async def test_malformed_events_are_acknowledged_and_change_nothing(
    app: Running, event: dict[str, object]
) -> None:
    await open_d1(app)
    before = await snapshot(app.store)
    reply = await app.driver.event(event)
    assert reply.status in (200, 400)  # never a 500
    assert await snapshot(app.store) == before
