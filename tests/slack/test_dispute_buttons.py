"""The card's buttons open small modals that obey the same rules as the commands."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from tests.conftest import snapshot as snapshot_of


async def snapshot(app: Running) -> dict[str, list[tuple[object, ...]]]:
    return await snapshot_of(app.store)


async def card(app: Running) -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def press(
    app: Running, ts: str, action_id: str, user: str = "U0ALICE", channel: str = "C0DESK"
) -> dict[str, Any] | None:
    opened = len(app.slack.calls_to("views.open"))
    reply = await app.driver.block_action(
        user=user, channel=channel, message_ts=ts, action_id=action_id
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("views.open")
    return calls[-1].args["view"] if len(calls) > opened and calls[-1].ok else None


async def test_card_has_the_three_buttons(app: Running) -> None:
    await card(app)
    blocks = app.slack.calls_to("chat.postMessage")[-1].args["blocks"]
    actions = [b for b in blocks if b["type"] == "actions"][0]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Escalate", "Resolve", "Add note"]
    assert all(e["value"] == "D-1" for e in actions["elements"])


async def test_escalate_button_modal_escalates(app: Running) -> None:
    ts = await card(app)
    view = await press(app, ts, "dispute_escalate")
    assert view is not None
    assert view["title"]["text"] == "Escalate D-1"
    assert "Stage 1/4 · Coordination → Stage 2/4 · Multi-party" in view["blocks"][0]["text"]["text"]
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values={"reason": {"text": "Missed the fix date"}}
    )
    assert reply.status == 200 and reply.text in ("", "null", "{}")
    await app.settle()
    update = app.slack.calls_to("chat.update")[-1]
    assert update.args["ts"] == ts and "Stage 2/4" in str(update.args["blocks"])
    line = app.slack.calls_to("chat.postMessage")[-1]
    assert line.args["thread_ts"] == ts and "Missed the fix date" in line.args["text"]


async def test_resolve_and_note_buttons(app: Running) -> None:
    ts = await card(app)
    view = await press(app, ts, "dispute_note")
    assert view is not None and view["title"]["text"] == "Add note D-1"
    posts = len(app.slack.calls_to("chat.postMessage"))
    await app.driver.view_submission(
        user="U0ALICE", view=view, values={"reason": {"text": "Clause 7 is weak"}}
    )
    await app.settle()
    assert len(app.slack.calls_to("chat.postMessage")) == posts
    view = await press(app, ts, "dispute_resolve")
    assert view is not None
    await app.driver.view_submission(
        user="U0ALICE", view=view, values={"reason": {"text": "Credit note issued"}}
    )
    await app.settle()
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        kinds = [e.kind for e in await timeline_repo.events(conn, dispute_id=d1.id)]
    assert d1.status.value == "resolved" and kinds[-2:] == ["note", "resolved"]
    last_card = app.slack.calls_to("chat.update")[-1].args["blocks"]
    assert not [b for b in last_card if b["type"] == "actions"]


async def test_refusals_show_on_the_field_and_change_nothing(app: Running) -> None:
    ts = await card(app)
    view = await press(app, ts, "dispute_escalate")
    assert view is not None
    before = await snapshot(app)
    empty = await app.driver.view_submission(
        user="U0ALICE", view=view, values={"reason": {"text": "   "}}
    )
    assert (
        empty.json["response_action"] == "errors"
        and "reason is empty" in empty.json["errors"]["reason"]
    )
    for forged in (
        "",
        "not json",
        '{"number": 0, "kind": "escalate"}',
        '{"number": 1, "kind": "delete"}',
        '{"number": 1, "kind": "escalate", "x": 1}',
    ):
        reply = await app.driver.view_submission(
            user="U0ALICE",
            view=view,
            values={"reason": {"text": "ok"}},
            private_metadata=forged or " ",
        )
        assert (
            reply.json["response_action"] == "errors"
            and "out of date" in reply.json["errors"]["reason"]
        )
    ghost = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"reason": {"text": "ok"}},
        private_metadata='{"number": 9, "kind": "escalate"}',
    )
    assert "There is no dispute D-9" in ghost.json["errors"]["reason"]
    await app.settle()
    assert await snapshot(app) == before


@pytest.mark.parametrize("action_id", ["dispute_escalate", "dispute_resolve", "dispute_note"])
async def test_external_users_cannot_press(app: Running, action_id: str) -> None:
    await app.driver.command(
        "/dispute", "open Shared outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    ts = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
    before = await snapshot(app)
    assert await press(app, ts, action_id, user="U0RAJ", channel="C0ACME") is None
    told = app.slack.calls_to("response_url")[-1].args
    assert told["response_type"] == "ephemeral" and "Only members of the workspace" in told["text"]
    assert await snapshot(app) == before
