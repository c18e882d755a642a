"""Agreements in Simplified Chinese, end to end: the form in the language of the person who
opens it, the card and its thread in the language of the party's shared channel (also when
edited in place), answers and refusals in the caller's, the expiry DM in its owner's; an
English reader in the same run still reads English."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running
from tests.conftest import COMPANY_CONFIG
from tests.saying import said as said_of
from tests.slack.test_agreements import actions_of, filled, open_form, option_of


@pytest.fixture
def config() -> ParleyConfig:
    """Globex's shared channel reads Chinese; Acme's and the internal ones English."""
    chinese_globex = COMPANY_CONFIG.replace(
        'slack_team = "T0GLOBEX"\n', 'slack_team = "T0GLOBEX"\nlocale = "zh-CN"\n'
    )
    assert chinese_globex != COMPANY_CONFIG
    return parse_config(chinese_globex, Path("tests/company.toml"))


def alice_reads_chinese(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def submit(app: Running, view: dict[str, Any], values: dict[str, Any]) -> Any:
    reply = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    assert reply.status == 200
    await app.settle()
    return reply


async def press(app: Running, user: str, ts: str, value: str = "A-1:v1") -> str:
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver.block_action(
        user=user,
        channel="C0GLOBEX",
        message_ts=ts,
        action_id="agreement_acknowledge",
        value=value,
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("response_url")
    assert len(calls) == answered + 1
    return str(calls[-1].args["text"])


async def test_the_form_is_in_the_language_of_who_opens_it(app: Running) -> None:
    alice_reads_chinese(app)
    view = await open_form(app, "new Monthly SLA report with <@U0GRETA|greta>")
    assert view["title"]["text"] == "新建协议"
    assert view["submit"]["text"] == "保存并发送"
    assert view["close"]["text"] == "取消"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["party"]["label"]["text"] == "相关方"
    assert blocks["party"]["element"]["placeholder"]["text"] == "选择相关方"
    assert blocks["what"]["label"]["text"] == "内容"
    assert blocks["what"]["hint"]["text"] == "必填，最多 1,500 个字符：共享的信息及其内容和范围。"
    assert blocks["authorization"]["label"]["text"] == "授权"
    assert blocks["who_people"]["label"]["text"] == "人员：授权人员"
    assert blocks["where_channel"]["label"]["text"] == "渠道：频道"
    assert blocks["valid_until"]["label"]["text"] == "有效期至"
    # Typed text and party names stay as they were typed.
    assert blocks["what"]["element"]["initial_value"] == "Monthly SLA report"
    assert blocks["party"]["element"]["initial_option"]["text"]["text"] == "Globex Audit"
    # Bob reads English in the same run.
    opened = len(app.slack.calls_to("views.open"))
    await app.driver.command(
        "/agreement", "new with <@U0GRETA|greta>", user="U0BOB", channel="C0DESK"
    )
    await app.settle()
    english = app.slack.calls_to("views.open")[opened].args["view"]
    assert english["title"]["text"] == "New agreement"
    assert english["blocks"][1]["label"]["text"] == "What"


async def test_the_forms_refusals_are_in_the_submitters_language(app: Running) -> None:
    alice_reads_chinese(app)
    view = await open_form(app)
    globex = option_of(view, "Globex Audit")
    reply = await submit(app, view, filled(globex, what="   ", when="x" * 501))
    assert reply.json["response_action"] == "errors"
    assert reply.json["errors"]["what"] == "“内容”为空：请填写共享的信息及其内容和范围。"
    assert reply.json["errors"]["when"] == "“时间”长度为 501 个字符，请控制在 500 个以内。"
    reply = await submit(app, view, filled(globex, valid_until="2026-11-22"))
    assert reply.json["errors"]["valid_until"] == (
        "“有效期至”是过去的日期，请选择今天（2026-11-23）或以后的日期。"
    )
    assert app.slack.calls_to("chat.postMessage") == []


async def test_the_card_is_in_the_party_channels_language_also_when_edited(
    app: Running,
) -> None:
    # Alice writes it in English; Globex's channel reads Chinese, so the card is Chinese.
    view = await open_form(app)
    await submit(app, view, filled(option_of(view, "Globex Audit")))
    card = app.slack.calls_to("chat.postMessage")[-1]
    assert card.args["channel"] == "C0GLOBEX"
    assert card.args["text"] == "A-1 · 与 Globex Audit 的协议 — 版本 1，等待确认"
    content = blocks_text(card.args["blocks"])
    assert ":large_blue_circle: *有效* — 有效期至 2027年6月30日 周三" in content
    assert "*版本* 1 · *负责人* <@U0ALICE>" in content
    assert "*内容*\\nMonthly SLA report with the incident list" in content
    assert "授权人员：<@U0GRETA>、<@U0ALICE>" in content
    assert (
        ":hourglass_flowing_sand: *等待确认*：需由 Globex Audit 的人员确认，请其中一人点击“确认”。"
    ) in content
    assert "版本 1 由 <@U0ALICE> 于 2026年11月23日 周一 10:00（Asia/Shanghai）撰写" in content
    (button,) = actions_of(card.args["blocks"])
    assert button["text"]["text"] == "确认"
    ts = str(card.response["ts"])
    # Greta reads English: her answer is English, the card edited in place stays Chinese.
    app.clock.advance(timedelta(minutes=5))
    told = await press(app, "U0GRETA", ts)
    assert told == "Thank you: you acknowledged version 1 of A-1. The card shows it."
    update = app.slack.calls_to("chat.update")[-1]
    assert update.args["ts"] == ts
    assert update.args["text"] == "A-1 · 与 Globex Audit 的协议 — 版本 1，已确认"
    assert (
        ":white_check_mark: *已确认*：由 <@U0GRETA> 于 2026年11月23日 周一 10:05"
        "（Asia/Shanghai）确认"
    ) in blocks_text(update.args["blocks"])
    assert actions_of(update.args["blocks"]) == []
    # A new version: the line under the card is Chinese too.
    view = await open_form(app, "edit A-1")
    await submit(app, view, filled(valid_until="2027-11-25"))
    line = app.slack.calls_to("chat.postMessage")[-1]
    assert line.args["thread_ts"] == ts
    assert line.args["text"] == (
        ":memo: A-1 的版本 2 已替换版本 1，需由 Globex Audit 的人员重新确认：详见上方卡片。"
    )
    assert app.slack.calls_to("chat.update")[-1].args["text"] == (
        "A-1 · 与 Globex Audit 的协议 — 版本 2，等待确认"
    )


async def test_an_english_channels_card_stays_english_whoever_writes_it(app: Running) -> None:
    alice_reads_chinese(app)
    view = await open_form(app, "new with <@U0RAJ|raj>")
    await submit(app, view, filled(option_of(view, "Acme Networks"), who_people=["U0RAJ"]))
    card = app.slack.calls_to("chat.postMessage")[-1]
    assert card.args["channel"] == "C0ACME"
    assert card.args["text"] == (
        "A-1 · Agreement with Acme Networks — version 1, awaiting acknowledgment"
    )
    assert "valid until Wed 30 Jun 2027" in blocks_text(card.args["blocks"])


async def test_answers_and_refusals_are_in_the_callers_language(app: Running) -> None:
    alice_reads_chinese(app)
    view = await open_form(app)
    await submit(app, view, filled(option_of(view, "Globex Audit"), valid_until="2026-12-10"))

    async def said(text: str, user: str = "U0ALICE") -> str:
        reply = await app.driver.command("/agreement", text, user=user, channel="C0DESK")
        return said_of(reply, raw=True)

    listed = await said("list")
    assert "协议（1）" in listed
    assert "Globex Audit · v1 · 有效 · 有效期至 2026年12月10日 周四 · 等待确认" in listed
    assert ":warning: 剩余 17 天" in listed
    shown = await said("show A-1")
    assert "A-1 · 与 Globex Audit 的协议 — 版本 1" in shown
    assert "（剩余 17 天）" in shown
    assert "没有协议 A-9。可用 `/agreement list` 查看协议列表。" in await said("show A-9")
    assert "`X-1` 不是协议编号，请写成 `A-3` 这样的格式。" in await said("show X-1")
    assert "原因为空。请这样写：`/agreement revoke A-3 合同已终止`" in await said("revoke A-1")
    assert "/agreement 用法" in await said("help")
    revoked = await said("revoke A-1 合同已终止")
    assert "A-1 已撤销。其卡片已标明；它仍保留在记录和导出中。" in revoked
    await app.settle()
    card = app.slack.calls_to("chat.update")[-1]
    assert card.args["text"] == "A-1 · 与 Globex Audit 的协议 — 版本 1，已撤销"
    assert (
        ":no_entry: *已撤销*：由 <@U0ALICE> 于 2026年11月23日 周一 10:00 撤销，原因：合同已终止"
    ) in blocks_text(card.args["blocks"])
    # Bob, in the same run, reads English.
    assert "Agreements (1)" in await said("list", user="U0BOB")
    assert "There is no agreement A-9." in await said("show A-9", user="U0BOB")


async def test_the_expiry_dm_is_in_its_owners_language(app: Running) -> None:
    alice_reads_chinese(app)
    view = await open_form(app)
    await submit(app, view, filled(option_of(view, "Globex Audit"), valid_until="2026-11-25"))
    await app.parley.tick()
    app.clock.advance(timedelta(days=2, hours=14, minutes=1))  # Thu 00:01 in Shanghai
    await app.parley.tick()
    await app.settle()
    dms = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "D0ALICE"]
    assert len(dms) == 1
    assert dms[0].args["text"] == "A-1 已过期"
    said = blocks_text(dms[0].args["blocks"])
    assert "A-1 · 与 Globex Audit 的协议" in said
    assert (
        "已过期：版本 1 的有效期至 2026年11月25日 周三。`/agreement edit A-1` 可生成新版本以续期"
        in said
    )
    update = app.slack.calls_to("chat.update")[-1]
    assert ":hourglass: *已过期* — 有效期至 2026年11月25日 周三。" in blocks_text(
        update.args["blocks"]
    )
