"""The protocol's edges, over HTTP: what Slack sends that no feature asked for, shapes Slack
never sends, requests for another workspace or app, and replays. Each refusal changes
nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

import pytest

from bot.commands.fallback import STALE_CARD
from bot.config import ParleyConfig
from bot.envelopes import MAX_DEPTH, Installation
from bot.sandbox.driver import JSON, Reply
from bot.sandbox.harness import SIGNING_SECRET, Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store
from bot.store import replays as replays_repo
from tests.conftest import START, seen_requests, snapshot


async def signed(
    app: Running, body: bytes, content_type: str = "application/x-www-form-urlencoded"
) -> Reply:
    return await app.driver.raw(body, app.driver.signed_headers(body, content_type=content_type))


def payload_form(payload: Any) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def envelope(event: dict[str, Any], **fields: Any) -> bytes:
    body = {
        "token": "t",
        "team_id": "T0PARLEY",
        "api_app_id": "A0PARLEY",
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0PARLEY", "user_id": "U0PARLEY", "is_bot": True}],
        "event": event,
        **fields,
    }
    return json.dumps(body).encode()


async def open_dispute(app: Running) -> str:
    """D-1 with Acme, opened in #service-desk; its card's ts."""
    await app.driver.command(
        "/dispute", "open Invoice dispute with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    card = app.slack.calls_to("chat.postMessage")[0]
    return str(card.response["ts"])


def reply_event(root_ts: str, **overrides: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": "C0DESK",
        "user": "U0BOB",
        "text": "we will look at it",
        "ts": f"{time.time():.6f}",
        "thread_ts": root_ts,
        "team": "T0PARLEY",
        "channel_type": "channel",
    }
    event.update(overrides)
    return event


# --- what Slack sends that no feature asked for -----------------------------------------


async def test_ssl_check_is_answered_200_signed_or_not_and_nothing_else_is_read(
    app: Running,
) -> None:
    before = await snapshot(app.store)
    app.slack.clear_calls()
    check = b"ssl_check=1&token=sandbox-verification-token"
    assert (await signed(app, check)).status == 200
    assert (
        await app.driver.raw(check, {"Content-Type": "application/x-www-form-urlencoded"})
    ).status == 200
    # Whatever else rides along unsigned is never read (bolt-js once ran a smuggled payload).
    smuggled = urllib.parse.urlencode(
        {
            "ssl_check": "1",
            "command": "/dispute",
            "text": "open Smuggled",
            "user_id": "U0ALICE",
            "channel_id": "C0DESK",
            "team_id": "T0PARLEY",
            "payload": json.dumps({"type": "block_actions", "user": {"id": "U0ALICE"}}),
        }
    ).encode()
    reply = await app.driver.raw(smuggled, {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200 and reply.text == ""
    # Only exactly "1" is an ssl_check; anything else needs a signature.
    other = urllib.parse.urlencode({"ssl_check": "true", "command": "/dispute"}).encode()
    assert (await app.driver.raw(other, {})).status == 401
    await app.settle()
    assert await snapshot(app.store) == before
    assert app.slack.calls == []


async def test_app_rate_limited_is_answered_200_and_logged(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    before = await snapshot(app.store)
    body = {
        "token": "t",
        "type": "app_rate_limited",
        "team_id": "T0PARLEY",
        "minute_rate_limited": 1518467820,
        "api_app_id": "A0PARLEY",
    }
    reply = await signed(app, json.dumps(body).encode(), JSON)
    assert reply.status == 200
    assert "Slack is dropping Parley's events for the minute starting 1518467820" in caplog.text
    assert await snapshot(app.store) == before


async def test_a_stale_cards_button_tells_the_presser_only_and_changes_nothing(
    app: Running,
) -> None:
    root = await open_dispute(app)
    before = await snapshot(app.store)
    app.slack.clear_calls()
    reply = await app.driver.block_action(
        user="U0ALICE", channel="C0DESK", message_ts=root, action_id="dispute_reopen_v0"
    )
    assert reply.status == 200
    await app.settle()
    answers = app.slack.calls_to("response_url")
    assert [a.args["text"] for a in answers] == [STALE_CARD]
    assert answers[0].args["response_type"] == "ephemeral"
    assert answers[0].args["replace_original"] is False
    assert app.slack.calls_to("chat.postMessage") == app.slack.calls_to("chat.update") == []
    assert await snapshot(app.store) == before


async def test_closed_and_stale_forms_and_shortcuts_are_acknowledged(app: Running) -> None:
    before = await snapshot(app.store)
    user = {"id": "U0ALICE", "team_id": "T0PARLEY"}
    team = {"id": "T0PARLEY", "domain": "northwind"}
    view = {
        "id": "V0OLD",
        "type": "modal",
        "callback_id": "dispute_open",
        "private_metadata": "",
        "state": {"values": {}},
        "app_installed_team_id": "T0PARLEY",
    }
    closed = {"type": "view_closed", "user": user, "team": team, "view": view, "is_cleared": False}
    assert (await signed(app, payload_form(closed))).status == 200
    old_form = {
        "type": "view_submission",
        "user": user,
        "team": team,
        "api_app_id": "A0PARLEY",
        "view": {**view, "callback_id": "dispute_form_v0"},
    }
    reply = await signed(app, payload_form(old_form))
    assert reply.status == 200 and reply.json["response_action"] == "update"
    assert "out of date" in json.dumps(reply.json["view"])
    shortcut = {
        "type": "shortcut",
        "callback_id": "old_shortcut",
        "user": user,
        "team": team,
        "trigger_id": app.slack.issue_trigger_id("U0ALICE"),
    }
    assert (await signed(app, payload_form(shortcut))).status == 200
    await app.settle()
    assert await snapshot(app.store) == before


# --- shapes Slack never sends -------------------------------------------------------------


async def test_a_forged_body_that_is_not_utf8_is_401_and_a_signed_one_400(app: Running) -> None:
    before = await snapshot(app.store)
    body = b"command=/dispute&text=open \xff\xfe Forged&user_id=U0ALICE&channel_id=C0DESK"
    forged = bytes_signed(body, secret="not-the-secret")
    assert (await app.driver.raw(body, forged)).status == 401
    assert (await app.driver.raw(body, {"X-Slack-Request-Timestamp": "1"})).status == 401
    assert (await app.driver.raw(body, bytes_signed(body))).status == 400
    assert await snapshot(app.store) == before


def bytes_signed(body: bytes, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers signed over the body's bytes, as Slack signs them (slack_sdk's signer wants
    text)."""
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def with_nesting(body: bytes, depth: int) -> bytes:
    """The JSON body with a field nested `depth` levels deep added at its end."""
    deep = b'{"a": [' * depth + b'"deep"' + b"]}" * depth
    return body[:-1] + b', "deep": ' + deep + b"}"


def form_with_nesting(payload: dict[str, Any], depth: int) -> bytes:
    text = with_nesting(json.dumps(payload).encode(), depth).decode()
    return urllib.parse.urlencode({"payload": text}).encode()


USER = {"id": "U0ALICE", "team_id": "T0PARLEY"}
TEAM = {"id": "T0PARLEY", "domain": "northwind"}


def submission(**view: Any) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": USER,
        "team": TEAM,
        "api_app_id": "A0PARLEY",
        "view": {
            "id": "V0X",
            "type": "modal",
            "callback_id": "dispute_open",
            "private_metadata": '{"channel": "C0DESK"}',
            "state": {"values": {"title": {"reason": {"type": "plain_text_input", "value": "x"}}}},
            **view,
        },
    }


def button(root: str, **action: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": USER,
        "team": TEAM,
        "api_app_id": "A0PARLEY",
        "container": {"type": "message", "message_ts": root, "channel_id": "C0DESK"},
        "channel": {"id": "C0DESK", "name": "service-desk"},
        "message": {"type": "message", "ts": root, "text": "card"},
        "response_url": "http://127.0.0.1:9/nowhere",
        "trigger_id": "1.2.3",
        "actions": [{"type": "button", "block_id": "actions", **action}],
    }


def unsigned_nesting(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


# Each case: a name, and the body (as a function of the dispute's root ts) with its type.
NEVER_SENT: list[tuple[str, Any]] = [
    (
        "an event nested thousands deep",
        lambda root: (with_nesting(envelope(reply_event(root)), 5000), JSON),
    ),
    (
        "a JSON body nested past Python's recursion limit",
        lambda root: (b'{"type": "event_callback", "x": ' + unsigned_nesting(100_000) + b"}", JSON),
    ),
    (
        "a payload nested just past the limit",
        lambda root: (
            form_with_nesting(button(root, action_id="dispute_note"), MAX_DEPTH),
            None,
        ),
    ),
    (
        "a form submitted without a user",
        lambda root: (payload_form({**submission(), "user": None}), None),
    ),
    (
        "a form whose user has no id",
        lambda root: (payload_form({**submission(), "user": {"name": "alice"}}), None),
    ),
    (
        "form state values that are a list",
        lambda root: (payload_form(submission(state={"values": []})), None),
    ),
    (
        "a form block that is a string",
        lambda root: (payload_form(submission(state={"values": {"title": "x"}})), None),
    ),
    (
        "a form element that is a string",
        lambda root: (payload_form(submission(state={"values": {"title": {"reason": "x"}}})), None),
    ),
    ("an action without action_id", lambda root: (payload_form(button(root, value="1")), None)),
    (
        "an action_id that is a number",
        lambda root: (payload_form(button(root, action_id=7)), None),
    ),
    (
        "no actions at all",
        lambda root: (payload_form({**button(root, action_id="x"), "actions": []}), None),
    ),
    (
        "an edit whose message is a string",
        lambda root: (
            envelope(
                {
                    "type": "message",
                    "subtype": "message_changed",
                    "channel": "C0DESK",
                    "message": "hello",
                    "previous_message": {
                        "type": "message",
                        "user": "U0BOB",
                        "text": "x",
                        "ts": root,
                    },
                    "ts": f"{time.time():.6f}",
                }
            ),
            JSON,
        ),
    ),
    ("a reply whose ts is nan", lambda root: (envelope(reply_event(root, ts="nan")), JSON)),
    (
        "a reply whose thread_ts is nan",
        lambda root: (envelope(reply_event(root, thread_ts="nan")), JSON),
    ),
    (
        "a reply whose user is an object",
        lambda root: (envelope(reply_event(root, user={"id": "U0BOB"})), JSON),
    ),
    (
        "a reply whose text is an object",
        lambda root: (envelope(reply_event(root, text={"text": "hi"})), JSON),
    ),
    ("a reply whose user is a number", lambda root: (envelope(reply_event(root, user=42)), JSON)),
    ("an event that is a list", lambda root: (envelope([]), JSON)),  # type: ignore[arg-type]
    ("an event without a type", lambda root: (envelope({"user": "U0BOB"}), JSON)),
    ("an envelope of no known type", lambda root: (json.dumps({"type": "x"}).encode(), JSON)),
    ("a payload of no known type", lambda root: (payload_form({"type": "x", "user": USER}), None)),
    (
        "a command whose fields repeat",
        lambda root: (
            b"command=/dispute&text=open+A&text=open+B&user_id=U0ALICE&channel_id=C0DESK"
            b"&team_id=T0PARLEY",
            None,
        ),
    ),
    (
        "a command whose user is no Slack id",
        lambda root: (
            urllib.parse.urlencode(
                {
                    "command": "/dispute",
                    "text": "open Odd",
                    "user_id": "<@U0ALICE>",
                    "channel_id": "C0DESK",
                    "team_id": "T0PARLEY",
                }
            ).encode(),
            None,
        ),
    ),
]


@pytest.mark.parametrize("make", [case for _, case in NEVER_SENT], ids=[n for n, _ in NEVER_SENT])
async def test_a_shape_slack_never_sends_is_400_and_changes_nothing(
    app: Running, make: Any
) -> None:
    root = await open_dispute(app)
    before = await snapshot(app.store)
    app.slack.clear_calls()
    body, content_type = make(root)
    reply = await signed(app, body, content_type or "application/x-www-form-urlencoded")
    assert reply.status == 400, reply.text
    assert "Traceback" not in reply.text
    await app.settle()
    assert await snapshot(app.store) == before
    assert app.slack.calls_to("chat.postMessage") == []


async def test_a_well_formed_reply_next_to_them_is_recorded(app: Running) -> None:
    """The control for the cases above: the same reply, well formed, is on the record."""
    root = await open_dispute(app)
    before = await snapshot(app.store)
    assert (await signed(app, envelope(reply_event(root)), JSON)).status == 200
    await app.settle()
    assert len((await snapshot(app.store))["timeline"]) == len(before["timeline"]) + 1


# --- another workspace, another app -------------------------------------------------------


async def test_events_for_another_workspace_or_app_are_acknowledged_and_dropped(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    root = await open_dispute(app)
    before = await snapshot(app.store)
    elsewhere = [{"team_id": "T0OTHER", "user_id": "U0OTHERBOT", "is_bot": True}]
    cases = [
        envelope(reply_event(root), team_id="T0OTHER", authorizations=elsewhere),
        envelope(reply_event(root), authorizations=elsewhere),
        envelope(reply_event(root), api_app_id="A0OTHER"),
    ]
    for body in cases:
        # 200: Slack retries an event answered otherwise, and counts it against the app.
        assert (await signed(app, body, JSON)).status == 200
    await app.settle()
    assert await snapshot(app.store) == before
    assert caplog.text.count("refused a request for another workspace (event_callback)") == 2
    assert caplog.text.count("refused a request for another app (event_callback)") == 1


async def test_parley_knows_its_app_from_its_bot_users_profile(app: Running) -> None:
    assert await app.parley.installation() == Installation(team_id="T0PARLEY", app_id="A0PARLEY")


async def test_when_slack_does_not_say_the_app_requests_are_checked_by_workspace(
    slack: SlackStandIn, config: ParleyConfig, sqlite_url: str
) -> None:
    # A bot user's profile that does not say its app (auth.test never does).
    bot = slack.workspace.users["U0PARLEY"]
    slack.workspace.users["U0PARLEY"] = dataclasses.replace(bot, bot_id=None)
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as running:
        assert await running.parley.installation() == Installation("T0PARLEY", None)
        root = await open_dispute(running)
        before = await snapshot(running.store)
        elsewhere = [{"team_id": "T0OTHER", "user_id": "U0OTHERBOT", "is_bot": True}]
        body = envelope(reply_event(root), authorizations=elsewhere)
        assert (await signed(running, body, JSON)).status == 200
        await running.settle()
        assert await snapshot(running.store) == before


async def test_a_shared_channels_event_hosted_by_another_workspace_is_ours(app: Running) -> None:
    """In a channel another organisation hosts, `team_id` is theirs and `authorizations` says
    the installation the event is delivered for: ours."""
    root = await open_dispute(app)
    before = await snapshot(app.store)
    body = envelope(reply_event(root, user="U0RAJ", team="T0ACME"), team_id="T0ACME")
    assert (await signed(app, body, JSON)).status == 200
    await app.settle()
    assert len((await snapshot(app.store))["timeline"]) == len(before["timeline"]) + 1


async def test_commands_and_interactions_for_another_workspace_or_app_are_403(
    app: Running,
) -> None:
    root = await open_dispute(app)
    before = await snapshot(app.store)
    app.slack.clear_calls()
    command = {
        "command": "/dispute",
        "text": "open From another app",
        "user_id": "U0ALICE",
        "channel_id": "C0DESK",
        "team_id": "T0PARLEY",
        "api_app_id": "A0OTHER",
        "response_url": app.slack.response_url("C0DESK", "U0ALICE"),
        "trigger_id": app.slack.issue_trigger_id("U0ALICE"),
    }
    escalate = button(root, action_id="dispute_escalate", value="1")
    cases = [
        urllib.parse.urlencode(command).encode(),
        payload_form({**escalate, "team": {"id": "T0OTHER", "domain": "other"}}),
        payload_form({**escalate, "api_app_id": "A0OTHER"}),
        payload_form(submission(app_installed_team_id="T0OTHER")),
        payload_form(
            {
                **submission(),
                "api_app_id": None,
                "view": {**submission()["view"], "app_id": "A0OTHER"},
            }
        ),
    ]
    for body in cases:
        assert (await signed(app, body)).status == 403
    await app.settle()
    assert await snapshot(app.store) == before
    assert app.slack.calls_to("views.open") == app.slack.calls_to("chat.postMessage") == []


# --- replays ------------------------------------------------------------------------------


async def test_a_command_sent_twice_with_its_signature_opens_one_dispute(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    fields = {
        "command": "/dispute",
        "text": "open Replayed outage",
        "user_id": "U0ALICE",
        "channel_id": "C0DESK",
        "team_id": "T0PARLEY",
        "api_app_id": "A0PARLEY",
        "response_url": app.slack.response_url("C0DESK", "U0ALICE"),
        "trigger_id": app.slack.issue_trigger_id("U0ALICE"),
    }
    body = urllib.parse.urlencode(fields).encode()
    headers = app.driver.signed_headers(body)
    assert (await app.driver.raw(body, headers)).status == 200
    await app.settle()
    after_first = await snapshot(app.store)
    assert len(after_first["disputes"]) == 1
    replay = await app.driver.raw(body, headers)
    assert replay.status == 401
    await app.settle()
    assert await snapshot(app.store) == after_first
    assert "refused a replayed command" in caplog.text
    # The same body signed at another second is another request Slack made (a new signature).
    again = app.driver.signed_headers(body, timestamp=int(headers["X-Slack-Request-Timestamp"]) - 1)
    assert (await app.driver.raw(body, again)).status == 200


async def test_a_button_press_replayed_is_refused(app: Running) -> None:
    root = await open_dispute(app)
    press = payload_form(button(root, action_id="dispute_note", value="1"))
    headers = app.driver.signed_headers(press)
    assert (await app.driver.raw(press, headers)).status == 200
    await app.settle()
    before = await snapshot(app.store)
    assert (await app.driver.raw(press, headers)).status == 401
    await app.settle()
    assert await snapshot(app.store) == before


async def test_events_are_not_remembered_by_signature(app: Running) -> None:
    """Events are deduplicated by their event id; their signatures cost no write."""
    root = await open_dispute(app)
    held = await seen_requests(app.store)
    assert (await signed(app, envelope(reply_event(root)), JSON)).status == 200
    assert await seen_requests(app.store) == held


async def test_a_replay_to_another_instance_on_the_same_postgresql_is_refused(
    slack: SlackStandIn, config: ParleyConfig, postgres_url: str
) -> None:
    async with (
        running_parley(database_url=postgres_url, config=config, start=START, slack=slack) as one,
        running_parley(database_url=postgres_url, config=config, start=START, slack=slack) as two,
    ):
        fields = {
            "command": "/dispute",
            "text": "open Twice over two instances",
            "user_id": "U0ALICE",
            "channel_id": "C0DESK",
            "team_id": "T0PARLEY",
            "api_app_id": "A0PARLEY",
            "response_url": slack.response_url("C0DESK", "U0ALICE"),
            "trigger_id": slack.issue_trigger_id("U0ALICE"),
        }
        body = urllib.parse.urlencode(fields).encode()
        headers = one.driver.signed_headers(body)
        assert (await one.driver.raw(body, headers)).status == 200
        await one.settle()
        before = await snapshot(one.store)
        assert (await two.driver.raw(body, headers)).status == 401
        await two.settle()
        assert await snapshot(one.store) == before
        assert len(before["disputes"]) == 1


async def test_signatures_are_kept_for_the_window_and_then_forgotten(store: Store) -> None:
    now = int(time.time())
    async with store.write() as conn:
        assert await replays_repo.take(conn, signature="a" * 64, signed_at=now - 400)
        assert await replays_repo.take(conn, signature="b" * 64, signed_at=now)
        assert not await replays_repo.take(conn, signature="b" * 64, signed_at=now)
    async with store.write() as conn:
        assert await replays_repo.forget_before(conn, signed_before=now - 360) == 1
    assert await seen_requests(store) == 1
    async with store.write() as conn:
        assert not await replays_repo.take(conn, signature="b" * 64, signed_at=now)
        assert await replays_repo.take(conn, signature="a" * 64, signed_at=now)


async def test_the_ticker_forgets_signatures_past_the_window(app: Running) -> None:
    await app.driver.command("/dispute", "help", user="U0ALICE", channel="C0DESK")
    async with app.store.write() as conn:
        await replays_repo.take(conn, signature="c" * 64, signed_at=int(time.time()) - 3600)
    assert await seen_requests(app.store) == 2
    await app.parley.tick()
    assert await seen_requests(app.store) == 1  # the fresh one stays


async def test_on_postgresql_taking_a_signature_skips_only_its_own_flush_wait(
    postgres_url: str,
) -> None:
    import sqlalchemy as sa

    store = Store.open(postgres_url)
    await store.upgrade()
    try:
        async with store.write() as conn:
            assert await replays_repo.take(conn, signature="d" * 64, signed_at=int(time.time()))
            assert (await conn.execute(sa.text("SHOW synchronous_commit"))).scalar() == "off"
        for _ in range(3):  # whichever pooled connection comes next waits for its flush
            async with store.write() as conn:
                assert (await conn.execute(sa.text("SHOW synchronous_commit"))).scalar() == "on"
        assert await seen_requests(store) == 1
    finally:
        await store.close()


def test_the_firehose_is_answered_at_the_edge() -> None:
    """A message event in no thread (most of a busy channel's events) is acknowledged at the
    edge without Bolt; anything touching a thread still goes to the captures."""
    from bot.envelopes import is_chatter, read_body

    def shape(event: dict[str, object]) -> object:
        return read_body(
            json.dumps(
                {
                    "token": "x",
                    "team_id": "T0PARLEY",
                    "api_app_id": "A0PARLEY",
                    "type": "event_callback",
                    "event_id": "Ev1",
                    "event_time": 1,
                    "event": {"channel": "C0DESK", **event},
                }
            )
        )

    top = {"type": "message", "user": "U0BOB", "text": "lunch?", "ts": "1.1"}
    assert is_chatter(shape(top))  # type: ignore[arg-type]
    reply = {**top, "thread_ts": "1.0"}
    assert not is_chatter(shape(reply))  # type: ignore[arg-type]
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "ts": "2.0",
        "message": {
            "type": "message",
            "user": "U0BOB",
            "text": "b",
            "ts": "1.1",
            "thread_ts": "1.0",
        },
        "previous_message": {"type": "message", "user": "U0BOB", "text": "a", "ts": "1.1"},
    }
    assert not is_chatter(shape(edited))  # type: ignore[arg-type]
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "ts": "2.0",
        "deleted_ts": "1.1",
        "previous_message": {
            "type": "message",
            "user": "U0BOB",
            "text": "a",
            "ts": "1.1",
            "thread_ts": "1.0",
        },
    }
    assert not is_chatter(shape(deleted))  # type: ignore[arg-type]
    assert not is_chatter(shape({"type": "member_joined_channel", "user": "U0BOB"}))  # type: ignore[arg-type]
