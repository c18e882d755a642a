"""Reviews in the reader's language over HTTP: a Chinese reader's answers, refusals and
rules in Chinese; a Chinese party's shared channel gets its reminders, prompts and action
items in Chinese (and their edits stay so); an English reader in the same run keeps English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands.render_review_times import rule_text
from bot.config import ParleyConfig, parse_config
from bot.domain.recurrence import describe
from bot.domain.recurrence_words import parse_recurrence
from bot.sandbox.harness import Running
from tests import saying
from tests.conftest import COMPANY_CONFIG, START
from tests.saying import CHINESE, ENGLISH

MONTHLY = (
    "schedule Monthly service review with <@U0RAJ|raj> every month on the 10th working day at 10:00"
)
# The 10th CN working day of December 2026 is Mon 14 Dec; the working day before is Fri 11.
MEETING = datetime(2026, 12, 14, 2, 0, tzinfo=UTC)
DAY_BEFORE = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


@pytest.fixture
def config() -> ParleyConfig:
    """The company config, with Acme's shared channel agreed in Chinese."""
    chinese_acme = COMPANY_CONFIG.replace(
        'kind = "supplier"\n', 'kind = "supplier"\nlocale = "zh-CN"\n', 1
    )
    assert chinese_acme != COMPANY_CONFIG
    return parse_config(chinese_acme, Path("tests/company.toml"))


def shown(message: dict[str, Any]) -> str:
    """A message's text and every text of its blocks, one a line."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            text = node.get("text")
            if isinstance(text, str):
                found.append(text)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks", []))
    return "\n".join([str(message["text"]), *found])


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/review", text, user=user, channel=channel)


def posts(app: Running, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


async def tick_at(app: Running, when: datetime) -> None:
    app.clock.set(when)
    await app.parley.tick()
    await app.settle()


def chinese_reader(app: Running, user: str = "U0ALICE") -> None:
    app.slack.workspace.users[user].locale = "zh-CN"


# ------------------------------------------------------------------------------ one reader


async def test_a_chinese_reader_is_answered_in_chinese_and_an_english_one_in_english(
    app: Running,
) -> None:
    chinese_reader(app)
    answer = await run(app, MONTHLY)
    assert (
        ":calendar: *R-1 · Monthly service review* · 下次：2026年12月14日 周一 10:00 "
        "(Asia/Shanghai) · 每月第10个工作日 10:00\n*频道：* <#C0DESK> · "
        "*参会人：* <@U0ALICE>、<@U0RAJ>" in answer
    )
    assert "Parley 会在会前一天和会前 15 分钟在频道中提醒，并附上议程" in answer
    assert "`/review skip R-1` 跳过一次，`/review cancel R-1` 取消评审" in answer
    weekly = await run(app, "schedule 周会 每周一、四下午3点")
    assert "R-2 · 周会 · 下次：2026年11月23日 周一 15:00 (Asia/Shanghai) · 每周一和周四 15:00" in (
        weekly
    )
    assert "*即将进行的评审（2）*" in await run(app, "list")
    skipped = await run(app, "skip R-1")
    assert (
        "R-1 · Monthly service review：已跳过 2026年12月14日 周一 10:00 (Asia/Shanghai)。"
        "下次：2027年1月15日 周五 10:00 (Asia/Shanghai) · 每月第10个工作日 10:00。" in skipped
    )
    record = await run(app, "show R-1")
    assert "*频道：* <#C0DESK> · *负责人：* <@U0ALICE>" in record
    assert "*已跳过：* 2026年12月14日 周一 10:00" in record
    assert "R-2 · 周会 已取消，不再提醒。其会议纪要和待办事项仍保留在记录中。" in (
        await run(app, "cancel R-2")
    )
    added = await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    assert (
        "来自 R-1 的 T-1：Send the corrected SLA report — <@U0RAJ>，截止 2026年12月18日 周五 "
        "10:00 (Asia/Shanghai)。它已发布到 <#C0DESK>，附“完成”按钮，负责人会在截止日收到提醒。"
        in added
    )
    assert "T-1 已完成：Send the corrected SLA report" in await run(app, "done T-1")
    # An English reader in the same run reads what they always did.
    english = await run(app, "list", user="U0BOB")
    assert (
        "• *R-1* Monthly service review — next: Fri 15 Jan 2027 10:00 (Asia/Shanghai) · "
        "every month on the 10th working day at 10:00 — <#C0DESK>" in english
    )
    assert "Coming reviews (1)" in english


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "schedule Review yesterday 10:00",
            "“yesterday 10:00”读作 2026年11月22日 周日 10:00（Asia/Shanghai），这不是将来的时间。"
            "请给出将来的时间，例如 `明天上午10点` 或 `tomorrow 10:00`。",
        ),
        (
            "schedule Bad every month on the 40th working day",
            "一个月最多有 23 个工作日。试试 `每月第10个工作日上午10点`、`every Monday 9:30`、"
            "`every 2 weeks on Friday at 16:00` 或 `every month on the 10th working day at 10:00`。",
        ),
        ("show R-9", "没有评审 R-9。`/review list all` 可列出全部评审。"),
        (
            "schedule 评审2月30日上午10点",
            "二月没有第 30 天。请检查日期，例如 `12月3日下午2点半` 或 `Dec 3 at 14:30`。",
        ),
        ("done", "哪个待办事项？请这样写：`/review done T-4`。"),
    ],
)
async def test_refusals_are_in_the_readers_chinese(app: Running, text: str, said: str) -> None:
    chinese_reader(app)
    assert f":warning: {said}" in await run(app, text)


async def test_a_meeting_not_held_yet_says_when_it_is_in_chinese(app: Running) -> None:
    chinese_reader(app)
    await run(app, MONTHLY)
    assert (
        "R-1 还没有召开（下次：2026年12月14日 周一 10:00（Asia/Shanghai））。请在会后记录会议纪要。"
        in await run(app, "minutes R-1 Agreed a credit")
    )


async def test_the_usage_is_in_chinese(app: Running) -> None:
    chinese_reader(app)
    usage = await run(app, "help")
    assert "*评审* — 与每个客户、供应商和第三方的定期会议，附议程提醒。" in usage
    assert "• `/review list [all]` — 即将进行的评审，最近的在前（仅你可见）" in usage


# ------------------------------------------------------------------------------ a channel


async def test_a_chinese_partys_channel_gets_its_reminders_and_items_in_chinese(
    app: Running,
) -> None:
    # Alice reads English; Acme's shared channel is agreed in Chinese; the desk is English.
    scheduled = await run(app, MONTHLY, channel="C0ACME")
    assert "R-1 · Monthly service review · next: Mon 14 Dec 2026 10:00" in scheduled
    await run(app, "schedule Desk review every month on the 10th working day at 10:00")
    added = await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    assert "T-1 from R-1: Send the corrected SLA report — <@U0RAJ>, due Fri 18 Dec 2026" in added
    (item,) = posts(app, "C0ACME")
    item_ts = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
    assert item["text"] == (
        "T-1 · Send the corrected SLA report — 截止 2026年12月18日 周五 10:00 (Asia/Shanghai)"
    )
    assert (
        ":pushpin: 来自 R-1 的 *T-1*：Send the corrected SLA report\n*负责人：* <@U0RAJ> · "
        "*截止：* 2026年12月18日 周五 10:00 (Asia/Shanghai)" in shown(item)
    )
    assert item["blocks"][-1]["elements"][0]["text"]["text"] == "完成"

    await tick_at(app, DAY_BEFORE)
    reminder = posts(app, "C0ACME")[-1]
    assert reminder["text"] == (
        "R-1 · Monthly service review：下次会议 2026年12月14日 周一 10:00 (Asia/Shanghai)"
    )
    said = shown(reminder)
    assert (
        ":calendar: *R-1 · Monthly service review* — 下次会议\n"
        "*时间：* 2026年12月14日 周一 10:00 (Asia/Shanghai)\n*参会人：* <@U0ALICE>、<@U0RAJ>"
        in said
    )
    assert (
        "*议程*\n1. 对照协议评审服务交付情况\n2. 需要协商的关键问题\n3. 下一阶段的改进计划\n\n"
        "*未完成的待办事项*（1）\n• *T-1* (R-1) Send the corrected SLA report — <@U0RAJ>，"
        "截止 12月18日 周五 10:00" in said
    )
    assert "在此消息串中回复，即可记录本次会议的会议纪要" in said
    desk = posts(app, "C0DESK")[-1]
    assert desk["text"] == "R-2 · Desk review: next meeting Mon 14 Dec 2026 10:00 (Asia/Shanghai)"
    assert "*Agenda*\n1. Review of service delivery against the agreement" in shown(desk)

    await tick_at(app, MEETING + timedelta(hours=1))
    prompt = posts(app, "C0ACME")[-1]
    assert prompt["thread_ts"] is not None
    assert (
        ":memo: *R-1 · Monthly service review* 已于 2026年12月14日 周一 10:00 (Asia/Shanghai) "
        "召开。请在此消息串中回复会议纪要：就服务交付达成的共识、存在的问题和改进计划。"
        in shown(prompt)
    )
    assert (
        "Minutes of R-2 · Desk review (Mon 14 Dec 2026 10:00 (Asia/Shanghai))"
        in (posts(app, "C0DESK")[-1]["text"])
    )

    # Done, pressed by an English reader: the channel's message is edited in its Chinese.
    await app.driver.block_action(
        user="U0ALICE", channel="C0ACME", message_ts=item_ts, action_id="review_action_done"
    )
    await app.settle()
    update = app.slack.calls_to("chat.update")[-1].args
    assert update["text"] == "T-1 已完成"
    assert (
        ":white_check_mark: 来自 R-1 的 ~T-1~：Send the corrected SLA report\n已由 <@U0ALICE> 完成"
        in shown(update)
    )


async def test_an_items_due_date_is_told_in_its_readers_language(app: Running) -> None:
    chinese_reader(app)
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    await tick_at(app, datetime(2026, 12, 18, 2, 0, tzinfo=UTC))
    # Raj is Acme's: the review's owner, Alice, is told, in her Chinese.
    (dm,) = posts(app, "D0ALICE")
    assert dm["text"] == "T-1 截止于 2026年12月18日 周五 10:00 (Asia/Shanghai)"
    assert (
        "（负责人 <@U0RAJ>）截止于 2026年12月18日 周五 10:00 (Asia/Shanghai)："
        "Send the corrected SLA report\n对方交付后，请将其标记为完成。" in shown(dm)
    )


# ------------------------------------------------------------------------------ rules in words


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        (
            "every month on the 10th working day at 10:00",
            "every month on the 10th working day at 10:00",
            "每月第10个工作日 10:00",
        ),
        (
            "每月倒数第二个工作日",
            "every month on the 2nd to last working day at 10:00",
            "每月倒数第2个工作日 10:00",
        ),
        (
            "every quarter on the last working day",
            "every quarter on the last working day at 10:00",
            "每季度最后一个工作日 10:00",
        ),
        (
            "every 2 weeks on Friday at 16:00",
            "every 2 weeks on Friday at 16:00",
            "每2周的周五 16:00",
        ),
        (
            "every Mon, Wed and Fri at 8:05",
            "every Monday, Wednesday and Friday at 08:05",
            "每周一、周三和周五 08:05",
        ),
        ("every month on the 22nd", "every month on the 22nd at 10:00", "每月第22日 10:00"),
        (
            "every 3 months on the 11th",
            "every 3 months on the 11th at 10:00",
            "每3个月的第11日 10:00",
        ),
        (
            "every month on the last Friday",
            "every month on the last Friday at 10:00",
            "每月最后一个周五 10:00",
        ),
        (
            "every month on the 2nd Tuesday",
            "every month on the 2nd Tuesday at 10:00",
            "每月第2个周二 10:00",
        ),
        (
            "every quarter on the last day",
            "every quarter on the last day at 10:00",
            "每季度最后一天 10:00",
        ),
    ],
)
def test_a_rule_in_each_language(text: str, english: str, chinese: str) -> None:
    rule = parse_recurrence(text, now=START, tz=ZoneInfo("Asia/Shanghai"))
    assert rule is not None
    assert rule_text(rule, ENGLISH) == english == describe(rule)
    assert rule_text(rule, CHINESE) == chinese


async def test_the_service_report_and_the_15_minute_reminder_in_chinese(app: Running) -> None:
    chinese_reader(app)
    answer = await run(
        app,
        MONTHLY.replace("at 10:00", "at 10:00 report within 5 working days"),
        channel="C0ACME",
    )
    assert "每月：服务报告须在第5个工作日前提交" in answer
    # The 5th working day of December is Mon 7 Dec: the owner is told on Fri 4 Dec, 09:00.
    await tick_at(app, datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    (dm,) = posts(app, "D0ALICE")
    assert dm["text"] == "R-1 的服务报告截止于 12月7日 周一"
    assert (
        ":page_facing_up: *R-1 · Monthly service review* 的服务报告须在 *12月7日 周一*"
        "（本月第5个工作日）前提交。" in shown(dm)
    )
    await tick_at(app, MEETING - timedelta(minutes=15))
    soon = posts(app, "C0ACME")[-1]
    assert soon["text"] == (
        "R-1 · Monthly service review 将在 15 分钟后开始（2026年12月14日 周一 10:00 (Asia/Shanghai)）"
    )
    assert ":alarm_clock: *R-1 · Monthly service review* 将在 15 分钟后开始" in shown(soon)
