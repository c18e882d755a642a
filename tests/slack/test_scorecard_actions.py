"""A scorecard's improvement action T-n (no review) lives like any item, over HTTP with the
stand-in: `/review done T-n` by an insider (outsiders and shared channels refused, nothing
changed), its due-date reminder to its owner by DM once, with a Done button that works, the
owner's Home lines of open items, the internal digest (never a shared channel's), and the
export, each naming its scorecard S-n; English and Chinese."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.domain.reviews import ActionItem
from bot.sandbox.harness import Running
from bot.store import reviews as reviews_repo
from bot.store.schema import action_items
from bot.workflows.export import ExportKind, export_document, to_csv
from bot.workflows.review_reminders import action_reminder_at
from tests import saying
from tests.conftest import snapshot as snapshot_of
from tests.saying import said
from tests.slack.audit_publish_setup import (  # noqa: F401 (fixtures)
    OWNER,
    WS,
    config,
    rows,
    scorecard,
    scorecard_posts_in,
    ts_of,
)
from tests.slack.test_audit_publish import _form_from
from tests.slack.test_home import shown, visit

DESK, ACME = "C0DESK", "C0ACME"


async def improvement(app: Running) -> ActionItem:
    """S-1 published internally; Bob presses Create improvement action on its band-D
    dimension: T-1, owned by Carol (the scorecard's owner). The item as stored."""
    await scorecard(app)
    reply = await app.driver.command("/audit", "publish S-1", user="U0ALICE", channel=DESK)
    await app.settle()
    assert "S-1" in said(reply, app)
    ts = ts_of(app, scorecard_posts_in(app, DESK)[0])
    pressed = await app.driver.block_action(
        user="U0BOB", channel=DESK, message_ts=ts, action_id="audit_improvement_action"
    )
    assert pressed.status == 200
    await app.settle()
    return await item(app)


async def item(app: Running, number: int = 1) -> ActionItem:
    async with app.store.read() as conn:
        found = await reviews_repo.get_action(conn, workspace_id=WS, number=number)
    assert found is not None
    return found


async def review(app: Running, text: str, user: str = "U0ALICE", channel: str = DESK) -> str:
    return await saying.answer(app, "/review", text, user=user, channel=channel)


def dms(app: Running, user: str) -> list[Any]:
    channel = f"D{user[1:]}"
    return [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


async def test_the_improvement_action_reads_back_with_its_scorecard(app: Running) -> None:
    found = await improvement(app)
    assert (found.ref, found.owner_id, found.review_id, found.review_ref) == (
        "T-1",
        OWNER,
        None,
        None,
    )
    assert (found.scorecard_id, found.scorecard_ref, found.origin_ref) == (1, "S-1", "S-1")
    assert found.is_open


async def test_done_by_command_for_insiders_only(app: Running) -> None:
    await improvement(app)
    before = await snapshot_of(app.store)
    # Raj (Acme's rep) may not, from Acme's channel or from a DM; nor anybody from a shared
    # channel: the item is internal business.
    assert "Only members of the workspace" in await review(app, "done T-1", "U0RAJ", ACME)
    assert "Only members of the workspace" in await review(app, "done T-1", "U0RAJ", "U0RAJ")
    assert "There is no action item T-1 in this channel" in await review(
        app, "done T-1", "U0ALICE", ACME
    )
    assert "There is no action item T-9" in await review(app, "done T-9")
    assert await snapshot_of(app.store) == before
    # Carol, its owner, marks it done from her DM with Parley
    assert "T-1 is done: Improve problem solving of Acme Networks" in (
        await review(app, "done t1", OWNER, OWNER)
    )
    (row,) = await rows(app, action_items)
    assert (row.status, row.done_by, row.scorecard_id) == ("done", OWNER, 1)
    assert row.done_at == app.clock.now()
    after = await snapshot_of(app.store)
    assert "T-1 is already done by <@U0CAROL>" in await review(app, "done T-1", "U0BOB")
    assert await snapshot_of(app.store) == after


async def test_another_insider_may_mark_it_done(app: Running) -> None:
    await improvement(app)
    assert "T-1 is done" in await review(app, "done T-1", "U0BOB")
    (row,) = await rows(app, action_items)
    assert (row.status, row.done_by) == ("done", "U0BOB")


async def test_its_owner_is_reminded_on_the_due_date_once_and_done_works_there(
    app: Running,
) -> None:
    found = await improvement(app)
    told = len(dms(app, OWNER))  # Carol was told by DM that Bob made it hers
    at = action_reminder_at(found)
    app.clock.set(at - timedelta(minutes=1))
    await app.parley.tick()
    assert len(dms(app, OWNER)) == told
    for later in (at, at + timedelta(hours=1), at + timedelta(days=1)):
        app.clock.set(later)
        await app.parley.tick()
    reminders = dms(app, OWNER)[told:]
    assert len(reminders) == 1 and dms(app, "U0BOB") == [] and dms(app, "U0ALICE") == []
    (dm,) = reminders
    blocks = json.dumps(dm.args["blocks"], ensure_ascii=False)
    assert dm.args["text"].startswith("T-1 is due")
    assert "*T-1* from S-1 is due" in blocks and "review_action_done" in blocks
    assert "R-" not in blocks
    # Done in the reminder: the row changes and the DM is edited to say so
    await app.driver.block_action(
        user=OWNER,
        channel="D0CAROL",
        message_ts=str(dm.response["ts"]),
        action_id="review_action_done",
        value="T-1",
    )
    await app.settle()
    (row,) = await rows(app, action_items)
    assert (row.status, row.done_by) == ("done", OWNER)
    (edit,) = app.slack.calls_to("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == ("D0CAROL", str(dm.response["ts"]))
    assert "~T-1~ from S-1" in json.dumps(edit.args["blocks"]) and "Done by <@U0CAROL>" in (
        json.dumps(edit.args["blocks"])
    )
    assert app.slack.violations == []


async def test_an_outsiders_done_press_changes_nothing(app: Running) -> None:
    found = await improvement(app)
    app.clock.set(action_reminder_at(found))
    await app.parley.tick()
    dm = dms(app, OWNER)[-1]
    before = await snapshot_of(app.store)
    # the reminder's Done, as if pressed by Raj (Acme's rep) in Acme's channel or his DM:
    # only the payload's fields say where; Slack's record of the presser decides
    for channel in (ACME, "D0RAJ"):
        told = await _form_from(
            app, "U0RAJ", "T0ACME", channel, str(dm.response["ts"]), "review_action_done", "T-1"
        )
        assert isinstance(told, str) and "Only members of the workspace" in told
    assert await snapshot_of(app.store) == before


async def test_a_done_item_is_not_reminded(app: Running) -> None:
    found = await improvement(app)
    told = len(dms(app, OWNER))
    await review(app, "done T-1", OWNER, OWNER)
    app.clock.set(action_reminder_at(found))
    await app.parley.tick()
    assert len(dms(app, OWNER)) == told


async def test_the_owners_home_lists_it_and_nobody_elses(app: Running) -> None:
    await improvement(app)
    view = await visit(app, OWNER)
    assert view is not None
    text = shown(view)
    assert "*Your open action items* (1)" in text and "T-1" in text
    assert "Improve problem solving of Acme Networks" in text
    bob = await visit(app, "U0BOB")
    assert bob is not None and "T-1" not in shown(bob)
    await review(app, "done T-1", OWNER, OWNER)
    after = await visit(app, OWNER)
    assert after is not None and "T-1" not in shown(after)


async def test_the_internal_digest_lists_it_when_due_a_shared_channel_never(
    app: Running,
) -> None:
    found = await improvement(app)
    app.clock.set(found.due_at - timedelta(hours=1))
    await saying.answer(app, "/digest", "now", user="U0ALICE", channel=DESK, raw=True)
    await saying.answer(app, "/digest", "now", user="U0ALICE", channel=ACME, raw=True)
    posted = {
        c.args["channel"]: json.dumps(c.args, ensure_ascii=False)
        for c in app.slack.calls_to("chat.postMessage")
        if "digest ·" in str(c.args.get("text"))
    }
    assert "Action items due" in posted[DESK] and "T-1" in posted[DESK]
    assert "T-1" not in posted.get(ACME, "")


async def test_the_export_holds_it_with_its_scorecard(app: Running) -> None:
    found = await improvement(app)
    document = await export_document(app.store)
    (exported,) = document["actions"]
    assert exported == {
        "id": "T-1",
        "review": None,
        "scorecard": "S-1",
        "owner": OWNER,
        "due_at": found.due_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "text": found.text,
        "status": "open",
    }
    lines = to_csv(document, ExportKind.ACTIONS).splitlines()
    assert lines[0] == "id,review,owner,due_at,text,status,scorecard"
    assert lines[1].startswith(f"T-1,,{OWNER},") and lines[1].endswith(",open,S-1")


async def test_in_chinese_the_reminder_and_the_answer_name_the_scorecard(app: Running) -> None:
    user = OWNER
    app.slack.workspace.users[user].locale = "zh-CN"
    found = await improvement(app)
    told = len(dms(app, user))
    app.clock.set(action_reminder_at(found))
    await app.parley.tick()
    (dm,) = dms(app, user)[told:]
    assert "来自 S-1 的 *T-1* 截止于" in json.dumps(dm.args["blocks"], ensure_ascii=False)
    answer = await review(app, "done T-1", user, user)
    assert "T-1" in answer and "Improve problem solving" in answer
    (row,) = await rows(app, action_items)
    assert row.status == "done"
