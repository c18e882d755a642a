"""What every command shares, said to a Chinese reader: the router's problems, the outsiders'
refusals, stale cards and forms, unserved commands, "I can't find @x", the door's refusal, "I'm
on it" and the DM that tells of a failed post. An English reader in the same run still reads
today's English."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.commands import render_dispute_forms, render_disputes
from bot.sandbox.harness import Running
from tests.saying import said


def chinese(app: Running, *users: str) -> None:
    """These people's Slack is in Simplified Chinese (set before their first request)."""
    for user in users:
        app.slack.workspace.users[user].locale = "zh-CN"


async def test_a_wrong_subcommand_is_named_in_the_callers_language(app: Running) -> None:
    chinese(app, "U0ALICE")
    zh = await app.driver.command("/dispute", "frobnicate D-1", user="U0ALICE", channel="C0DESK")
    assert "`frobnicate` 不是 /dispute 的子命令。" in said(zh)
    en = await app.driver.command("/dispute", "frobnicate D-1", user="U0BOB", channel="C0DESK")
    assert "`frobnicate` is not a /dispute subcommand." in said(en)
    zh = await app.driver.command("/agreement", "frobnicate", user="U0ALICE", channel="C0DESK")
    assert "`frobnicate` 不是 /agreement 的子命令。" in said(zh)
    en = await app.driver.command("/agreement", "frobnicate", user="U0BOB", channel="C0DESK")
    assert "`frobnicate` is not an /agreement subcommand." in said(en)


async def test_outsiders_are_refused_commands_in_their_language(app: Running) -> None:
    chinese(app, "U0RAJ")
    refused = await app.driver.command("/dispute", "list", user="U0RAJ", channel="C0ACME")
    assert (
        "只有运行 Parley 的工作区的成员才能使用 /dispute。如需回复争议，请在其消息串中回复。"
        in said(refused)
    )
    refused = await app.driver.command("/agreement", "list", user="U0RAJ", channel="C0ACME")
    assert "只有运行 Parley 的工作区的成员才能使用 /agreement。" in said(refused)
    english = await app.driver.command("/dispute", "list", user="U0GRETA", channel="C0GLOBEX")
    assert (
        "Only members of the workspace that runs Parley can use /dispute. "
        "To answer a dispute, reply in its thread." in said(english)
    )


async def test_an_outsiders_button_and_form_are_refused_in_their_language(app: Running) -> None:
    chinese(app, "U0RAJ")
    await app.driver.command(
        "/dispute", "open Shared trouble with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    card = app.slack.bot_messages("C0ACME")[-1]
    app.slack.clear_calls()
    await app.driver.block_action(
        user="U0RAJ", channel="C0ACME", message_ts=card.ts, action_id=render_disputes.NOTE_BUTTON
    )
    await app.settle()
    (told,) = app.slack.calls_to("response_url")
    assert told.args["text"] == (
        "只有运行 Parley 的工作区的成员才能执行此操作。如需回复争议或评审，请在其消息串中回复。"
    )
    form = await app.driver.view_submission(
        user="U0RAJ",
        view={
            "callback_id": render_dispute_forms.OPEN_MODAL,
            "blocks": [
                {"type": "input", "block_id": render_dispute_forms.TITLE_BLOCK, "element": {}}
            ],
        },
        values={render_dispute_forms.TITLE_BLOCK: {render_dispute_forms.REASON_INPUT: "Forged"}},
        private_metadata=json.dumps({"channel": "C0DESK"}),
    )
    assert form.json["errors"][render_dispute_forms.TITLE_BLOCK].startswith("只有运行 Parley")
    await app.driver.block_action(
        user="U0GRETA",
        channel="C0ACME",
        message_ts=card.ts,
        action_id=render_disputes.NOTE_BUTTON,
    )
    await app.settle()
    english = app.slack.calls_to("response_url")[-1]
    assert str(english.args["text"]).startswith("Only members of the workspace")


async def test_a_stale_card_and_a_stale_form_say_so_in_the_readers_language(
    app: Running,
) -> None:
    chinese(app, "U0ALICE")
    await app.driver.command("/dispute", "open Invoice dispute", user="U0ALICE", channel="C0DESK")
    await app.settle()
    root = app.slack.bot_messages("C0DESK")[-1].ts
    app.slack.clear_calls()
    for user in ("U0ALICE", "U0BOB"):
        await app.driver.block_action(
            user=user, channel="C0DESK", message_ts=root, action_id="dispute_reopen_v0"
        )
    await app.settle()
    zh, en = (str(a.args["text"]) for a in app.slack.calls_to("response_url"))
    assert zh == (
        "此卡片已过期：该按钮已不再起作用，未做任何更改。`/dispute help` 可查看现在能做什么。"
    )
    assert en.startswith("This card is out of date: that button no longer does anything")
    view: dict[str, Any] = {"callback_id": "dispute_form_v0", "blocks": []}
    old = await app.driver.view_submission(user="U0ALICE", view=view, values={})
    shown = old.json["view"]
    assert shown["close"]["text"] == "关闭"
    assert shown["blocks"][0]["text"]["text"] == "此表单已过期，未做任何更改。请关闭后重新开始。"


async def test_a_forms_stale_metadata_and_unknown_people_in_the_submitters_language(
    app: Running,
) -> None:
    chinese(app, "U0ALICE")
    await app.driver.command("/dispute", "open", user="U0ALICE", channel="C0DESK")
    view = (await app.slack.wait_for("views.open"))[0].args["view"]
    stale = await app.driver.view_submission(
        user="U0ALICE", view=view, values={"title": {"text": "Fine"}}, private_metadata="garbage"
    )
    assert stale.json["errors"]["title"] == "此表单已过期。请关闭后使用 /dispute。"
    ghost = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"title": {"text": "Fine"}, "people": {"users": ["U0NOBODY"]}},
    )
    assert ghost.json["errors"]["people"] == "在 Slack 中找不到 U0NOBODY。"


async def test_unknown_people_and_unserved_commands_in_the_callers_language(
    app: Running,
) -> None:
    chinese(app, "U0ALICE")
    ghost = await app.driver.command(
        "/dispute", "open Outage with @nobody_here", user="U0ALICE", channel="C0DESK"
    )
    assert (
        "在 Slack 中找不到 @nobody_here。请用 @ 提及对方，并从 Slack 的列表中选择，"
        "例如 `/dispute open 报告迟交 with @their-rep`。" in said(ghost)
    )
    unserved = await app.driver.command("/standup", "list", user="U0ALICE", channel="C0DESK")
    assert "此版本的 Parley 尚不支持 `/standup`。`/dispute help` 可查看支持的命令。" in said(
        unserved
    )
    english = await app.driver.command("/standup", "list", user="U0BOB", channel="C0DESK")
    assert (
        "`/standup` is not available in this version of Parley yet. "
        "`/dispute help` shows what is." in said(english)
    )


async def test_the_doors_refusal_is_in_the_askers_language(app: Running) -> None:
    chinese(app, "U0ALICE")
    await app.driver.command(
        "/dispute",
        "open Globex finding about Acme Networks with <@U0GRETA|greta>",
        user="U0BOB",
        channel="C0DESK",
    )
    await app.settle()
    zh = await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0GLOBEX")
    assert "无法在此频道中显示该内容：它涉及其他相关方。请在内部频道中询问我。" in said(zh)
    en = await app.driver.command("/dispute", "list", user="U0BOB", channel="C0GLOBEX")
    assert "I can't show that in this channel: it concerns others." in said(en)


async def test_im_on_it_is_in_the_language_of_a_person_already_known(app: Running) -> None:
    chinese(app, "U0ALICE")
    await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0DESK")
    await app.settle()
    app.slack.delay_seconds = 2.5  # Slack is slow; Alice is known already, Raj not yet
    reply = await app.driver.command(
        "/dispute", "open Slow day with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    assert (
        reply.json["text"]
        == ":hourglass_flowing_sand: Slack 目前响应较慢。正在处理…完成后会在这里回复。"
    )
    await app.settle(grace=30)
    app.slack.delay_seconds = 0


async def test_a_failed_post_is_told_in_the_owners_language(app: Running) -> None:
    chinese(app, "U0ALICE")
    app.slack.fail_next(1, status=500, method="chat.postMessage")
    await app.driver.command("/dispute", "open Archived soon", user="U0ALICE", channel="C0DESK")
    await app.settle()
    channel = app.slack.workspace.channel("C0DESK")
    assert channel is not None
    channel.is_archived = True
    app.clock.advance(timedelta(minutes=2))
    await app.parley.tick()
    await app.settle()
    (dm,) = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "D0ALICE"]
    assert dm.args["text"] == (
        ":warning: 无法送达 D-1 的卡片（该频道已归档）。相关内容仍已记录在案。"
    )
