"""Disputes in the reader's language, end to end over HTTP: a Chinese reader gets Chinese
answers, forms and DMs; a post in Acme's shared channel (Acme agreed `zh-CN`) is Chinese, also
when the card is edited; an English reader and an internal channel in the same run stay English."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running
from tests.conftest import COMPANY_CONFIG
from tests.saying import said

ACME_IN_CHINESE = COMPANY_CONFIG.replace(
    'slack_team = "T0ACME"\n', 'slack_team = "T0ACME"\nlocale = "zh-CN"\n'
)


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(ACME_IN_CHINESE, Path("tests/company.toml"))


def alice_reads_chinese(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"


def posted_in(app: Running, channel: str) -> list[dict[str, object]]:
    return [c.args for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


async def open_in_acme(app: Running) -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    return _last_ts(app, "C0ACME")


def _last_ts(app: Running, channel: str) -> str:
    calls = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]
    return str(calls[-1].response["ts"])


async def test_the_card_in_a_chinese_shared_channel_is_chinese_and_stays_so(
    app: Running,
) -> None:
    ts = await open_in_acme(app)
    (card,) = posted_in(app, "C0ACME")
    blocks = card["blocks"]
    assert card["text"] == "D-1 · Core outage — 阶段 1/4 · 协调"
    assert blocks[1]["text"]["text"] == (  # type: ignore[index]
        ":large_blue_circle: 阶段 1/4 · 协调 — 11月25日 周三 截止，剩余 2 个工作日\n"
        "*负责人：* <@U0ALICE>\n"
        "*相关方：* Acme Networks（供应商）"
    )
    assert blocks[2]["elements"] == [  # type: ignore[index]
        {
            "type": "mrkdwn",
            "text": "由 <@U0ALICE> 于 2026年11月23日 周一 10:00（Asia/Shanghai）发起 · "
            "请在此消息串中回复：每条回复都会计入记录",
        },
    ]
    buttons = [e["text"]["text"] for e in blocks[3]["elements"]]  # type: ignore[index]
    assert buttons == ["升级", "解决", "添加备注"]

    # Bob reads English: his answer is English, and the card edited for Acme stays Chinese.
    reply = await app.driver.command(
        "/dispute", "escalate D-1 Missed the fix date", user="U0BOB", channel="C0DESK"
    )
    assert said(reply).startswith("D-1 escalated to Stage 2/4 · Multi-party.")
    await app.settle()
    line = [c for c in posted_in(app, "C0ACME") if c.get("thread_ts") == ts][-1]
    assert line["text"] == (
        ":arrow_up: <@U0BOB> 已将争议升级到 *阶段 2/4 · 多方协商*: Missed the fix date"
    )
    edited = app.slack.calls_to("chat.update")[-1].args
    assert edited["ts"] == ts
    assert edited["text"] == "D-1 · Core outage — 阶段 2/4 · 多方协商"
    # The process channel is internal: the config's default, English.
    await app.driver.command("/dispute", "escalate D-1 Still down", user="U0BOB", channel="C0DESK")
    await app.settle()
    (told,) = posted_in(app, "C0PROCESS")
    assert told["text"] == "D-1 · Core outage entered company process"
    assert "Escalated by <@U0BOB>: Still down" in str(told["blocks"])


async def test_a_chinese_reader_gets_chinese_answers_and_an_english_one_english(
    app: Running,
) -> None:
    alice_reads_chinese(app)
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    # The card is in C0DESK, an internal channel: English, whoever opened it.
    (card,) = posted_in(app, "C0DESK")
    assert card["text"] == "D-1 · Core outage — Stage 1/4 · Coordination"

    listed = said(await app.driver.command("/dispute", "list", user="U0ALICE", channel="C0DESK"))
    assert "*进行中的争议（1）*" in listed
    assert (
        "• *D-1* Core outage — 阶段 1/4 · 协调，11月25日 周三 截止，剩余 2 个工作日"
        " — Acme Networks — <@U0ALICE>"
    ) in listed
    english = said(await app.driver.command("/dispute", "list", user="U0BOB", channel="C0DESK"))
    assert "*Open disputes (1)*" in english
    assert "Stage 1/4 · Coordination, due Wed 25 Nov, 2 working days left" in english

    shown = said(await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK"))
    assert "*最新记录*（共 2 条，显示 2 条）" in shown
    assert "2026年11月23日 周一 10:00 · <@U0ALICE> 发起了争议" in shown
    assert "2026年11月23日 周一 10:00 · <@U0ALICE> 引入了 Acme Networks" in shown
    assert "*响应时限*\nAcme Networks：尚未回复" in shown

    refused = said(
        await app.driver.command("/dispute", "show D-9", user="U0ALICE", channel="C0DESK")
    )
    assert "没有争议 D-9。可用 `/dispute list all` 列出全部争议。" in refused
    moved = said(
        await app.driver.command(
            "/dispute", "resolve D-1 Credit note issued", user="U0ALICE", channel="C0DESK"
        )
    )
    assert moved.startswith("D-1 已解决。")
    again = said(
        await app.driver.command("/dispute", "resolve D-1 Twice", user="U0ALICE", channel="C0DESK")
    )
    assert again.endswith(
        "\n:warning: D-1 已是「已解决」状态；已关闭的争议保持关闭。"
        "可用 `/dispute reopen D-1 <原因>` 重新打开，或用 `/dispute open` 发起新的争议。"
    )
    english_refusal = said(
        await app.driver.command("/dispute", "resolve D-1 Twice", user="U0BOB", channel="C0DESK")
    )
    assert "D-1 is already resolved; a closed dispute stays closed." in english_refusal

    usage = said(await app.driver.command("/dispute", "help", user="U0ALICE", channel="C0DESK"))
    assert "• `/dispute show D-n` — 阶段、时限、相关方及最新记录" in usage


async def test_the_forms_are_in_the_presser_s_language(app: Running) -> None:
    alice_reads_chinese(app)
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    ts = _last_ts(app, "C0DESK")
    await app.driver.block_action(
        user="U0ALICE", channel="C0DESK", message_ts=ts, action_id="dispute_escalate"
    )
    await app.settle()
    view = app.slack.calls_to("views.open")[-1].args["view"]
    assert view["title"]["text"] == "升级 D-1"
    assert view["submit"]["text"] == "升级" and view["close"]["text"] == "取消"
    assert view["blocks"][0]["text"]["text"] == (
        "*D-1 · Core outage*\n阶段 1/4 · 协调 → 阶段 2/4 · 多方协商"
    )
    field = view["blocks"][1]
    assert field["label"]["text"] == "原因"
    assert field["hint"]["text"] == (
        "最多 2,000 个字符。说明为何必须升级到下一阶段。内容将计入记录并发到消息串中。"
    )
    empty = await app.driver.view_submission(
        user="U0ALICE", view=view, values={"reason": {"text": "   "}}
    )
    assert empty.json["errors"]["reason"].startswith("原因为空。请这样写：")

    await app.driver.block_action(
        user="U0BOB", channel="C0DESK", message_ts=ts, action_id="dispute_note"
    )
    await app.settle()
    english = app.slack.calls_to("views.open")[-1].args["view"]
    assert english["title"]["text"] == "Add note D-1"
    assert english["blocks"][1]["label"]["text"] == "Internal note"

    await app.driver.command("/dispute", "open", user="U0ALICE", channel="C0DESK")
    await app.settle()
    opening = app.slack.calls_to("views.open")[-1].args["view"]
    assert opening["title"]["text"] == "发起争议"
    assert [b["label"]["text"] for b in opening["blocks"]] == ["标题", "相关人员"]


async def test_the_overdue_dm_is_in_the_owner_s_language_and_the_line_in_the_channel_s(
    app: Running,
) -> None:
    alice_reads_chinese(app)
    ts = await open_in_acme(app)
    app.clock.advance(timedelta(days=2, minutes=1))  # Wed 25 Nov 10:01
    await app.parley.tick()
    await app.settle()
    line = [c for c in posted_in(app, "C0ACME") if c.get("thread_ts") == ts][-1]
    assert line["text"] == (
        ":alarm_clock: *阶段 1/4 · 协调* 已逾期 1 个工作日（原定 2026年11月25日 周三 10:00 截止）。"
    )
    (dm,) = [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if str(c.args["channel"]).startswith("D")
    ]
    assert dm["text"] == "D-1 已逾期"
    said = str(dm["blocks"])
    assert "在 *阶段 1/4 · 协调* 已逾期 1 个工作日。" in said
    assert "是否升级到 *阶段 2/4 · 多方协商*？" in said
    assert "'text': '升级'" in said


def test_a_deadline_pushed_out_by_a_holiday_names_it_in_the_readers_language() -> None:
    """A stage opened the day before China's National Day runs over it: the clock says why
    the deadline is so far off, with the holiday library's name in each reader's language."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.commands.render_disputes import clock_text
    from bot.commands.words.language import Languages
    from bot.domain.calendar import calendar_for
    from bot.domain.disputes import Dispute
    from bot.domain.ladder import Status
    from bot.workflows.disputes import stage_clock

    calendar = calendar_for("CN", "Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 9, 30, 10, 0, tzinfo=shanghai)
    due = calendar.add_working_days(now, 3)
    dispute = Dispute.model_construct(stage_due_at=due, status=Status.OPEN)
    clock = stage_clock(dispute, now=now, calendar=calendar)
    languages = Languages()
    assert clock_text(clock, shanghai, languages["en"]) == (
        "due Sat 10 Oct, 3 working days left (National Day in between)"
    )
    assert clock_text(clock, shanghai, languages["zh-CN"]) == (
        "10月10日 周六 截止，剩余 3 个工作日（其间有国庆节）"
    )
    later = stage_clock(
        dispute, now=datetime(2026, 10, 8, 10, 0, tzinfo=shanghai), calendar=calendar
    )
    assert "in between" not in clock_text(later, shanghai, languages["en"])


async def test_chinese_titles_fit_block_kits_limits_by_characters(app: Running) -> None:
    """A Chinese title is counted in characters, as Slack counts them: 150 characters is a
    title, 151 is refused with the count; the card keeps every escape whole."""
    alice_reads_chinese(app)
    longest = "核心交换机故障&<供应商>" * 10 + "违约" * 10  # 150 characters
    assert len(longest) == 150
    await app.driver.command("/dispute", f"open {longest}", user="U0ALICE", channel="C0DESK")
    await app.settle()
    card = posted_in(app, "C0DESK")[-1]
    blocks = card["blocks"]
    assert isinstance(blocks, list)
    header = blocks[0]["text"]["text"]
    assert len(header) <= 150 and header.startswith("D-1 · 核心交换机故障&<供应商>")
    for block in blocks:
        text = str((block.get("text") or {}).get("text", ""))
        assert len(text) <= 3000
        if block.get("type") == "section":  # mrkdwn: every & is the start of a whole escape
            assert not re.search(r"&(?!amp;|lt;|gt;)", text)
    refused = await app.driver.command(
        "/dispute", f"open {longest}多", user="U0ALICE", channel="C0DESK"
    )
    assert "标题长 151 个字符，请控制在 150 个以内。" in said(refused)
    assert len(posted_in(app, "C0DESK")) == 1
