"""Complaints in Simplified Chinese: the card and its thread in the language of the customer's
shared channel, answers and refusals in the caller's, the overdue DM in its owner's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running
from tests.slack.complaints_setup import (
    CONFIG,
    posts,
    run,
    slack,  # noqa: F401 (a fixture)
    text_of,
)


@pytest.fixture
def config() -> ParleyConfig:
    """Globex's shared channel reads Chinese."""
    chinese = CONFIG.replace(
        'kind = "customer"\nslack_team = "T0GLOBEX"\n',
        'kind = "customer"\nslack_team = "T0GLOBEX"\nlocale = "zh-CN"\n',
    )
    assert chinese != CONFIG
    return parse_config(chinese, Path("tests/company.toml"))


async def test_the_card_the_question_and_the_answers_in_each_readers_language(
    app: Running,
) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    answer = await run(app, "open 报告又迟交了 with <@U0GRETA|greta>", channel="C0GLOBEX")
    assert "已为 Globex Audit 提出 C-1；其卡片已发布在此。" in answer
    card = posts(app, "C0GLOBEX")[-1]
    assert "*客户：* Globex Audit" in text_of(card) and "首次答复：截止" in text_of(card)
    root = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
    assert "`C-9x` 不是投诉编号" in await run(app, "show C-9x")
    await run(app, "resolve C-1 已重新发送", channel="C0GLOBEX")
    asked = [
        c.args for c in app.slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == root
    ]
    assert "*这对您来说已解决了吗？*" in text_of(asked[-1]) and "是，已解决" in text_of(asked[-1])
    # Bob reads English: his answer is in English, in the same run
    assert "C-1 is resolved already" in await run(app, "resolve C-1 Again", user="U0BOB")


async def test_the_overdue_dm_is_in_its_owners_language(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    await run(app, "open The report is late with <@U0GRETA|greta>")
    app.clock.advance(timedelta(days=1, hours=1))
    await app.parley.tick()
    await app.settle()
    (dm,) = posts(app, "D0ALICE")
    assert "未在截止前得到首次答复" in text_of(dm)
