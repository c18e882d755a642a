"""Digests, the App Home and `/party` in the reader's language, over HTTP.

Who reads decides: an answer to `/digest` or `/party`, a digest by DM and the Home are in the
person's Slack locale; a channel's digest in the channel's language (the party's agreed
`locale` in its shared channel, `[i18n] locale` in an internal one). Everybody else in the
same run keeps reading English.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import RecordedCall, SlackStandIn
from tests import saying
from tests.conftest import COMPANY_CONFIG, START
from tests.slack.test_digests import shanghai, tick_at

ACME_IN_CHINESE = COMPANY_CONFIG.replace(
    'slack_team = "T0ACME"\n', 'slack_team = "T0ACME"\nlocale = "zh-CN"\n'
)
INTERNAL_IN_CHINESE = COMPANY_CONFIG + '\n[i18n]\nlocale = "zh-CN"\n'


def reads_chinese(app: Running, *users: str) -> None:
    for user in users:
        app.slack.workspace.users[user].locale = "zh-CN"


@pytest.fixture
async def acme_in_chinese(slack: SlackStandIn, sqlite_url: str) -> AsyncIterator[Running]:
    """Acme's shared channel (C0ACME) reads Chinese; internal channels English."""
    config = parse_config(ACME_IN_CHINESE, Path("tests/company.toml"))
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as running:
        yield running
    assert slack.violations == [], slack.violations


@pytest.fixture
def internal_in_chinese() -> ParleyConfig:
    return parse_config(INTERNAL_IN_CHINESE, Path("tests/company.toml"))


async def slash(app: Running, command: str, text: str, *, user: str, channel: str) -> Reply:
    reply = await app.driver.command(command, text, user=user, channel=channel)
    assert reply.status == 200
    await app.settle()
    return reply


def posts_in(app: Running, channel: str) -> list[RecordedCall]:
    return [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.ok and c.args.get("channel") == channel
    ]


def flat(call: RecordedCall) -> str:
    return json.dumps(call.args, ensure_ascii=False)


async def open_dispute(app: Running, text: str, channel: str = "C0DESK") -> None:
    await slash(app, "/dispute", f"open {text}", user="U0BOB", channel=channel)


# ------------------------------------------------------------------------ /digest answers


async def test_digest_answers_in_the_callers_language(app: Running) -> None:
    reads_chinese(app, "U0ALICE")
    said = saying.said(
        await slash(app, "/digest", "subscribe", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert (
        ":white_check_mark: 本频道的每日摘要将在每个工作日 09:00（Asia/Shanghai）发送。"
        "下一次：2026年11月24日 周二 09:00。内容为空时不发布。"
    ) in said
    said = saying.said(
        await slash(app, "/digest", "subscribe at 10:30", user="U0BOB", channel="C0DESK"), raw=True
    )
    assert (
        ":white_check_mark: This channel's digest now goes out at 10:30 (Asia/Shanghai), "
        "not 09:00. The next one: Mon 23 Nov 2026 10:30. An empty digest is not posted."
    ) in said
    said = saying.said(
        await slash(app, "/digest", "help", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "/digest 的用法" in said and "*每日摘要* — 每个工作日汇总需要关注的事项" in said
    assert "本频道的每日摘要：工作日 10:30（Asia/Shanghai）" in said
    assert "你未订阅私信每日摘要" in said
    said = saying.said(
        await slash(app, "/digest", "me at 25:00", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert (
        "`25:00` 不是有效的时刻：小时为 00 到 23，分钟为 00 到 59。"
        "请写成 `/digest me at 09:00` 这样。"
    ) in said
    said = saying.said(
        await slash(app, "/digest", "me off", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "你未订阅私信每日摘要。`/digest me at 09:00` 可开始订阅。" in said
    said = saying.said(
        await slash(app, "/digest", "now", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "目前这里没有需要关注的事项：每日摘要为空，因此未发布。" in said
    said = saying.said(
        await slash(app, "/digest", "unsubscribe", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "本频道的每日摘要已停止。`/digest subscribe` 可重新开始。" in said
    said = saying.said(
        await slash(app, "/digest", "unsubscribe", user="U0BOB", channel="C0DESK"), raw=True
    )
    assert "This channel gets no digest, so there is nothing to stop." in said


# ---------------------------------------------------------------------------- digests


async def test_a_shared_channels_digest_is_in_its_partys_language(
    acme_in_chinese: Running,
) -> None:
    app = acme_in_chinese
    reads_chinese(app, "U0ALICE")  # who asks does not decide what the channel reads
    await open_dispute(app, "Core outage with <@U0RAJ|raj>")
    await slash(app, "/digest", "subscribe", user="U0BOB", channel="C0ACME")
    await slash(app, "/digest", "subscribe", user="U0ALICE", channel="C0DESK")
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    (shared,) = [c for c in posts_in(app, "C0ACME") if "每日摘要" in str(c.args["text"])]
    text = flat(shared)
    assert shared.args["text"] == "每日摘要 · 11月24日 周二：1 项进行中"
    assert ":large_blue_circle: *进行中的争议* (1)" in text
    (internal,) = [c for c in posts_in(app, "C0DESK") if "digest ·" in str(c.args["text"])]
    assert internal.args["text"] == "Daily digest · Tue 24 Nov: 1 open"
    assert "*Open disputes* (1)" in flat(internal) and "每日" not in flat(internal)


async def test_an_internal_channels_digest_is_in_the_configs_language(
    slack: SlackStandIn, internal_in_chinese: ParleyConfig, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=internal_in_chinese, start=START, slack=slack
    ) as app:
        await open_dispute(app, "Core outage with <@U0RAJ|raj>")
        await open_dispute(app, "Invoice with <@U0GRETA|greta>")
        await tick_at(app, shanghai(2026, 11, 26, 9, 30))  # D-1 overdue, D-2 due at 10:00
        await slash(
            app,
            "/review",
            "schedule Acme sync with <@U0RAJ|raj> Nov 27 15:00",
            user="U0ALICE",
            channel="C0ACME",
        )
        reply = await slash(app, "/digest", "now", user="U0BOB", channel="C0DESK")
        assert reply.json is None  # the digest itself is the answer
        (posted,) = [c for c in posts_in(app, "C0DESK") if "每日摘要" in str(c.args["text"])]
        text = flat(posted)
        assert posted.args["text"] == (
            "每日摘要 · 11月26日 周四：1 项已逾期、1 项进行中、1 场评审即将进行"
        )
        assert ":red_circle: *已逾期* (1)" in text
        assert ":calendar: *未来几个工作日的评审* (1)" in text
        assert "下次：11月27日 周五 15:00" in text
        # Acme agreed no language: its shared channel reads the config's too
        await slash(app, "/digest", "now", user="U0BOB", channel="C0ACME")
        (shared,) = [c for c in posts_in(app, "C0ACME") if "每日摘要 ·" in str(c.args["text"])]
        assert shared.args["text"] == "每日摘要 · 11月26日 周四：1 项已逾期、1 场评审即将进行"
        # while an English reader is answered in English
        said = saying.said(
            await slash(app, "/digest", "subscribe", user="U0BOB", channel="C0DESK"), raw=True
        )
        assert "This channel's digest will go out at 09:00 (Asia/Shanghai)" in said
    assert slack.violations == [], slack.violations


async def test_a_persons_digest_by_dm_is_in_their_language(app: Running) -> None:
    reads_chinese(app, "U0ALICE")
    await open_dispute(app, "Core outage with <@U0RAJ|raj> <@U0ALICE|alice>")
    said = saying.said(
        await slash(app, "/digest", "me at 09:00", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "你的私信每日摘要将在每个工作日 09:00" in said
    said = saying.said(
        await slash(app, "/digest", "me at 09:00", user="U0BOB", channel="C0DESK"), raw=True
    )
    assert "Your digest by DM will go out at 09:00" in said
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    dms = {c.args["channel"]: c.args["text"] for c in app.slack.calls_to("chat.postMessage")}
    assert dms["D0ALICE"] == "你的每日摘要 · 11月24日 周二：1 项进行中"
    assert dms["D0BOB"] == "Your daily digest · Mon 23 Nov: 1 open"  # 09:00 in Berlin


# ------------------------------------------------------------------------------- Home


async def visit(app: Running, user: str) -> dict[str, Any]:
    before = len(app.slack.calls_to("views.publish"))
    reply = await app.driver.home_opened(user)
    assert reply.status == 200
    await app.settle()
    return app.slack.calls_to("views.publish")[before:][-1].args["view"]


async def test_the_home_is_in_its_viewers_language(app: Running) -> None:
    reads_chinese(app, "U0ALICE")
    view = json.dumps((await visit(app, "U0ALICE"))["blocks"], ensure_ascii=False)
    assert '"text": "待你处理"' in view
    assert "更新于 2026年11月23日 周一 10:00（Asia/Shanghai）" in view
    assert "`/dispute list mine` · `/digest me at 09:00` 每天通过私信接收" in view
    assert "你没有负责或参与的进行中争议。:tada:" in view
    await open_dispute(app, "Core outage with <@U0RAJ|raj> <@U0ALICE|alice>")
    view = json.dumps((await visit(app, "U0ALICE"))["blocks"], ensure_ascii=False)
    assert "*你的进行中争议* (1)" in view
    english = json.dumps((await visit(app, "U0BOB"))["blocks"], ensure_ascii=False)
    assert "What needs you" in english and "*Your open disputes* (1)" in english
    assert "你" not in english


# ------------------------------------------------------------------------------ /party


async def test_party_answers_in_the_callers_language(app: Running) -> None:
    reads_chinese(app, "U0ALICE")
    said = saying.said(
        await slash(app, "/party", "list", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "*相关方 (2)*" in said
    assert "• *Acme Networks* · 供应商 · `T0ACME` · 配置 — 无进行中的争议" in said
    assert "• *Globex Audit* · 第三方 · `T0GLOBEX` · 配置 — 无进行中的争议" in said
    said = saying.said(
        await slash(app, "/party", "show acme networks", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert "*类型：* 供应商\\n*Slack 团队：* `T0ACME`\\n*来源：* Parley 配置文件" in said
    assert "没有进行中的争议。" in said and "其名称和类型在 Parley 配置文件中设置。" in said
    said = saying.said(
        await slash(app, "/party", "show Nobody", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert ":warning: 没有名为“Nobody”的相关方。`/party list` 可列出所有相关方。" in said
    said = saying.said(
        await slash(app, "/party", "help", user="U0ALICE", channel="C0DESK"), raw=True
    )
    assert (
        "/party 的用法" in said and "*相关方* — Parley 所知的组织：客户、供应商和第三方。" in said
    )
    await open_dispute(app, "Printer fleet invoices with <@U0IVAN|ivan>")
    said = saying.said(
        await slash(app, "/party", "set Initech kind customer", user="U0ALICE", channel="C0DESK"),
        raw=True,
    )
    assert "Initech 现在是 *客户* （原为供应商）。正在更新 D-1 的卡片。" in said
    english = saying.said(
        await slash(app, "/party", "list", user="U0BOB", channel="C0DESK"), raw=True
    )
    assert "• *Initech* · customer · `T0INITECH` — 1 open dispute" in english
    assert "供应商" not in english


def test_party_names_sort_as_each_reader_expects() -> None:
    """`/party list` is sorted by the reader's collation: Chinese names by pinyin for a
    Chinese reader (阿里云 a, 华为 h, 中兴 z), whatever order the store gave them in."""
    from bot.commands import render_parties
    from bot.commands.words.language import Languages
    from bot.domain.parties import Audience, Party, PartyKind
    from bot.workflows.party_admin import Origin, PartyEntry

    names = ["中兴通讯", "Zeta Systems", "华为", "acme networks", "阿里云", "Beta Corp"]
    entries = [
        PartyEntry(Party(id=i, name=n, kind=PartyKind.SUPPLIER), Origin.CONFIG, 0)
        for i, n in enumerate(names, 1)
    ]
    languages = Languages()

    def order(code: str) -> list[str]:
        _, blocks = render_parties.party_list(
            entries, audience=Audience(), language=languages[code]
        )
        shown = " ".join(str(b.get("text", {}).get("text", "")) for b in blocks)
        return sorted(names, key=shown.index)

    assert order("zh-CN")[:3] == ["阿里云", "华为", "中兴通讯"]
    assert [n for n in order("en") if n.isascii()] == [
        "acme networks",
        "Beta Corp",
        "Zeta Systems",
    ]
