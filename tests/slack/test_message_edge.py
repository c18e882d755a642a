"""`message` events taken at the HTTP edge (`bot/commands/events.py: take_message`), never
handed to Bolt: what they record and answer is what Bolt's dispatch of the same events
recorded and answered (the path Socket Mode still takes), and every check holds there too."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.config import ParleyConfig
from bot.domain.disputes import TimelineEvent
from bot.sandbox.driver import SlackDriver
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from tests.conftest import START, snapshot

Sent = tuple[dict[str, Any], str | None]  # an event and the envelope's event id (None: a new one)


async def open_d1(app: Running) -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def timeline(app: Running) -> list[TimelineEvent]:
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        return await timeline_repo.events(conn, dispute_id=d1.id)


def messages_of(events: list[TimelineEvent]) -> list[tuple[object, ...]]:
    """What the record says of the thread's messages (times aside: each run has its own)."""
    return [
        (e.kind, e.actor_id, e.party, e.text, e.previous_text, e.response_wall_seconds is None)
        for e in events
        if e.kind not in ("opened",)
    ]


def scenario(driver: SlackDriver, slack: SlackStandIn, root: str) -> list[Sent]:
    """Every kind of message event in and around a dispute's thread in C0ACME."""
    sent: list[Sent] = []

    def post(who: str, text: str, *, thread: str | None = root, **changes: Any) -> str:
        stored = slack.post_human_message(who, "C0ACME", text, thread_ts=thread)
        event = driver.message_event(stored)
        event.update(changes)
        sent.append((event, None))
        return stored.ts

    raj = post("U0RAJ", "We are on it")  # an outsider: Acme's party, brought in and timed
    alice = post("U0ALICE", "Thanks")  # one of ours: on no party
    post("U0RAJ", "From a deleted account", user="U0GHOST")  # users.info cannot place them
    post("U0RAJ", "No team sent", user="U0NOBODY", user_team=None, source_team=None, team=None)
    # The event's team says ours, Slack's record says Initech: placed on Initech after the ack.
    post("U0RAJ", "Posing as ours", user="U0IVAN", user_team="T0PARLEY", source_team="T0PARLEY")
    post("U0RAJ", "A file", subtype="file_share")
    post("U0RAJ", "Joined", subtype="channel_join")
    post("U0RAJ", "beep", subtype="bot_message", bot_id="B0OTHER")
    post("U0RAJ", "mine", user="U0PARLEY", bot_id="B0PARLEY")  # Parley's own
    top = post("U0ALICE", "A top-level message", thread=None)
    post("U0RAJ", "Under a top-level message", thread=top)  # a thread that is no dispute's
    _, edit = driver.edit_event("C0ACME", raj, "We are on it, fix by Monday")
    sent.append((edit, None))
    _, own_edit = driver.edit_event("C0ACME", alice, "Thanks a lot")
    own_edit["user"] = "U0PARLEY"  # Bolt places the event on Parley itself: dropped unseen
    sent.append((own_edit, None))
    _, deletion = driver.delete_event("C0ACME", alice)
    sent.append((deletion, None))
    again = slack.post_human_message("U0RAJ", "C0ACME", "Twice?", thread_ts=root)
    event = driver.message_event(again)
    sent += [(event, "Ev0SAME"), (event, "Ev0SAME"), (event, "Ev0OTHERID")]
    reused = slack.post_human_message("U0RAJ", "C0ACME", "A new message, an old id", thread_ts=root)
    sent.append((driver.message_event(reused), "Ev0SAME"))
    return sent


async def test_the_edge_records_and_answers_what_bolt_did(
    slack: SlackStandIn, config: ParleyConfig, sqlite_template: Path, tmp_path: Path
) -> None:
    outcomes = {}
    for path in ("edge", "bolt"):
        database = tmp_path / f"{path}.db"
        shutil.copy(sqlite_template, database)
        async with running_parley(
            database_url=f"sqlite:///{database}", config=config, start=START, slack=slack
        ) as app:
            root = await open_d1(app)
            statuses = []
            for event, event_id in scenario(app.driver, slack, root):
                if path == "edge":
                    statuses.append((await app.driver.event(event, event_id=event_id)).status)
                else:  # as the edge handed every message event to Bolt before
                    assert app.parley.bolt is not None
                    body = app.driver.envelope(event, event_id=event_id)
                    answer = await app.parley.bolt.async_dispatch(
                        AsyncBoltRequest(body=body, mode="socket_mode")
                    )
                    statuses.append(answer.status)
                await app.settle()
            outcomes[path] = (statuses, messages_of(await timeline(app)))
    assert outcomes["edge"] == outcomes["bolt"]
    statuses, recorded = outcomes["edge"]
    assert set(statuses) == {200}
    assert recorded == [
        ("party_added", "U0ALICE", "Acme Networks", None, None, True),  # at the opening
        ("reply", "U0RAJ", "Acme Networks", "We are on it", None, False),
        ("reply", "U0ALICE", None, "Thanks", None, True),
        ("reply", "U0GHOST", "Acme Networks", "From a deleted account", None, True),
        ("reply", "U0NOBODY", None, "No team sent", None, True),
        # Readers take the latest placement: the reply is Initech's, timed by the placement.
        ("reply", "U0IVAN", "Initech", "Posing as ours", None, False),
        ("party_added", "U0IVAN", "Initech", None, None, True),
        ("placed", "U0IVAN", "Initech", None, None, False),
        ("reply", "U0RAJ", "Acme Networks", "A file", None, True),
        ("edited", "U0RAJ", "Acme Networks", "We are on it, fix by Monday", "We are on it", True),
        # Parley's own edit event was dropped unseen; the deletion keeps what Slack sent.
        ("deleted", "U0ALICE", None, "Thanks a lot", None, True),
        ("reply", "U0RAJ", "Acme Networks", "Twice?", None, True),
    ]


async def test_an_outsider_s_reply_in_a_dm_is_nobody_s_business(app: Running) -> None:
    root = await open_d1(app)
    before = await snapshot(app.store)
    calls = len(app.slack.calls)
    # The same ts as the dispute's thread, in Raj's DM with Parley: another thread.
    dm = app.slack.post_human_message("U0RAJ", "U0RAJ", "Psst, about that outage", thread_ts=root)
    assert dm.channel == "D0RAJ"
    assert (await app.driver.event(app.driver.message_event(dm))).status == 200
    await app.settle()
    assert await snapshot(app.store) == before
    assert len(app.slack.calls) == calls  # not even a users.info


async def test_a_failed_store_answers_500_and_slack_s_redelivery_records_once(
    app: Running, sqlite_url: str
) -> None:
    root = await open_d1(app)
    before = await snapshot(app.store)
    message = app.slack.post_human_message("U0RAJ", "C0ACME", "Lost?", thread_ts=root)
    event = app.driver.message_event(message)
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # the disk says no to a reply, for a moment
        db.execute(
            "CREATE TRIGGER refuse_replies BEFORE INSERT ON timeline WHEN NEW.kind = 'reply' "
            "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    assert (await app.driver.event(event, event_id="Ev0LOST")).status == 500
    assert await snapshot(app.store) == before  # the event id was not taken either
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER refuse_replies")
    again = await app.driver.event(
        event, event_id="Ev0LOST", retry_num=1, retry_reason="http_error"
    )
    assert again.status == 200
    assert (await app.driver.event(event, event_id="Ev0LOST", retry_num=2)).status == 200
    await app.settle()
    replies = [(e.kind, e.text) for e in await timeline(app) if e.kind == "reply"]
    assert replies == [("reply", "Lost?")]


@pytest.mark.parametrize(
    "changes",
    [
        {"user": {"id": "U0RAJ"}},
        {"ts": 1.5},
        {"thread_ts": ["1.1"]},
        {"text": 5},
        {"message": []},
        {"previous_message": "gone"},
        {"subtype": 3},
        {"user_team": {"id": "T0ACME"}},
    ],
)
async def test_a_message_event_of_a_shape_slack_never_sends_is_refused_before_anything(
    app: Running, changes: dict[str, Any]
) -> None:
    root = await open_d1(app)
    before = await snapshot(app.store)
    calls = len(app.slack.calls)
    message = app.slack.post_human_message("U0RAJ", "C0ACME", "Odd", thread_ts=root)
    event = {**app.driver.message_event(message), **changes}
    assert (await app.driver.event(event)).status == 400
    await app.settle()
    assert await snapshot(app.store) == before
    assert len(app.slack.calls) == calls
