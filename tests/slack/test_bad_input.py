"""Bad input of every kind: a clear ephemeral error, and nothing changes."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from bot.sandbox.harness import SIGNING_SECRET, Running
from tests.conftest import snapshot as snapshot_of
from tests.saying import said


async def snapshot(app: Running) -> dict[str, list[tuple[object, ...]]]:
    return await snapshot_of(app.store)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frobnicate D-1", "is not a /dispute subcommand"),
        ("open with <@U0RAJ|raj>", "The title is empty"),
        ("open " + "x" * 5000, "5,000 characters long; keep it to 150"),
        ("open \u200b\u200b\u202e", "The title is empty"),
        ("open Outage with <@U0NOBODY|ghost>", "can't find"),
        ("open Outage with @nobody_here", "can't find @nobody_here"),
        ("open Outage with <@U0PARLEY|parley>", "is a bot"),
        ("show", "Which dispute?"),
        ("show D-99", "There is no dispute D-99"),
        ("show X-1", "is not a dispute id"),
        ("show D-0", "is not a dispute id"),
        ("show 99999999999999999999", "is not a dispute id"),
        ("show ١٢", "is not a dispute id"),
        ("list everything", "is not a list"),
    ],
)
async def test_refused_with_a_clear_error_and_no_change(
    app: Running, text: str, expected: str
) -> None:
    await app.driver.command("/dispute", "open Existing one", user="U0ALICE", channel="C0DESK")
    await app.settle()
    before = await snapshot(app)
    app.slack.clear_calls()
    reply = await app.driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
    assert reply.status == 200
    assert expected in said(reply)
    await app.settle()
    assert await snapshot(app) == before
    assert app.slack.calls_to("chat.postMessage") == []


async def test_odd_unicode_titles_are_kept_exactly(app: Running) -> None:
    title = "Ünïcödé 故障 🚨 — R&D <b> “quotes”"
    await app.driver.command("/dispute", f"open {title}", user="U0ALICE", channel="C0DESK")
    card = (await app.slack.wait_for("chat.postMessage"))[0]
    assert card.args["blocks"][0]["text"]["text"] == f"D-1 · {title}"
    # mrkdwn gets Slack's three control characters escaped, and nothing else
    listed = said(await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0DESK"))
    assert "Ünïcödé 故障 🚨 — R&amp;D &lt;b&gt; “quotes”" in listed


async def test_external_users_cannot_open_disputes(app: Running) -> None:
    before = await snapshot(app)
    reply = await app.driver.command(
        "/dispute", "open We dispute your invoice", user="U0RAJ", channel="C0ACME"
    )
    assert "Only members of the workspace" in said(reply)
    await app.settle()
    assert await snapshot(app) == before


async def test_private_channel_without_the_bot_is_refused(app: Running) -> None:
    app.slack.workspace.channels["C0SECRET"] = app.slack.workspace.channels["C0LEGAL"].__class__(
        **{
            **app.slack.workspace.channels["C0LEGAL"].__dict__,
            "id": "C0SECRET",
            "name": "secret",
            "members": ["U0ALICE"],
        }
    )
    before = await snapshot(app)
    reply = await app.driver.command("/dispute", "open Hidden", user="U0ALICE", channel="C0SECRET")
    assert "Invite me" in said(reply) or "invite me" in said(reply)
    assert await snapshot(app) == before


async def test_shared_channel_lists_only_its_own_parties(app: Running) -> None:
    await app.driver.command(
        "/dispute", "open Acme outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.driver.command(
        "/dispute",
        "open Globex audit finding with <@U0GRETA|greta>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    in_acme = said(await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0ACME"))
    assert "Acme outage" in in_acme
    assert "Globex" not in in_acme
    refused = said(
        await app.driver.command("/dispute", "show D-2", user="U0ALICE", channel="C0ACME")
    )
    assert "There is no dispute D-2 in this channel" in refused
    assert "Globex" not in refused


async def test_unknown_command_gets_a_clear_answer(app: Running) -> None:
    reply = await app.driver.command("/standup", "list", user="U0ALICE", channel="C0DESK")
    assert "not available in this version" in said(reply)


def _form(text: str) -> bytes:
    return urllib.parse.urlencode(
        {
            "command": "/dispute",
            "text": text,
            "user_id": "U0ALICE",
            "channel_id": "C0DESK",
            "team_id": "T0PARLEY",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": "t",
        }
    ).encode()


async def test_unsigned_forged_and_stale_requests_get_401_and_no_change(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    body = _form("open Forged dispute SECRET-BODY-MARKER")
    before = await snapshot(app)
    cases = [
        {"Content-Type": "application/x-www-form-urlencoded"},
        app.driver.signed_headers(body, secret="not-the-secret"),
        app.driver.signed_headers(body, timestamp=int(time.time()) - 600),
        {**app.driver.signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64},
    ]
    for headers in cases:
        reply = await app.driver.raw(body, headers)
        assert reply.status == 401
    # a correctly signed request with a different body is refused too (replay with edits)
    signed = app.driver.signed_headers(body)
    reply = await app.driver.raw(_form("open Tampered"), signed)
    assert reply.status == 401
    assert await snapshot(app) == before
    assert "SECRET-BODY-MARKER" not in caplog.text
    assert "invalid or stale signature" in caplog.text
    assert SIGNING_SECRET not in caplog.text
