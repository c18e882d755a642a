"""Publishing a scorecard to a supplier whose shared channel reads Chinese: its copy, its
chart's alt text and its buttons in Chinese (the internal copy in the company's English), and
`给供应商` understood as "to supplier"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running
from tests.saying import said
from tests.slack.audit_publish_setup import CONFIG, appeals, scorecard, scorecard_posts_in, text_of
from tests.slack.audit_publish_setup import ts_of as ts_of_post


@pytest.fixture
def config() -> ParleyConfig:
    chinese = CONFIG.replace('slack_team = "T0ACME"', 'slack_team = "T0ACME"\nlocale = "zh-CN"')
    return parse_config(chinese, Path("tests/company.toml"))


async def test_the_suppliers_copy_is_in_its_channels_language(app: Running) -> None:
    await scorecard(app)
    reply = await app.driver.command(
        "/audit", "publish S-1 给供应商", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    assert "posted here and in the supplier's shared channel" in said(reply, app)
    (copy,) = scorecard_posts_in(app, "C0ACME")
    shown = text_of(copy)
    assert "总分 68（满分 100），等级 C" in shown
    assert "*响应速度*: 78 · 等级 B · 权重 22% ·" in shown
    assert "*人员稳定性*: " in shown and "；不计入总分" in shown
    assert [
        e["text"]["text"] for b in copy["blocks"] if b["type"] == "actions" for e in b["elements"]
    ] == [
        "评论",
        "申诉",
    ]
    (chart,) = app.slack.files_in("C0ACME")
    assert chart.alt_txt is not None and "人员稳定性：无数据" in chart.alt_txt
    (internal,) = scorecard_posts_in(app, "C0DESK")
    assert "Total 68 of 100, band C" in text_of(internal)
    # Raj appeals in Chinese: kept as typed
    await app.driver.block_action(
        user="U0RAJ", channel="C0ACME", message_ts=ts_of_post(app, copy), action_id="audit_appeal"
    )
    await app.settle()
    view = dict(app.slack.calls_to("views.open")[-1].response["view"])
    typed = "两次回复是在国庆假期<!channel>"
    reply = await app.driver.view_submission(
        user="U0RAJ", view=view, values={"remark": {"remark_text": typed}}
    )
    assert reply.status == 200
    await app.settle()
    assert [a.text for a in await appeals(app)] == [typed]
