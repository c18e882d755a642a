"""Case surveys after a resolved dispute with two supplier parties: each party asked only in
its own shared channel's thread, naming only its own people; nobody answers another party's
survey; and a party that agreed Chinese reads the question in Chinese."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from tests.conftest import COMPANY_CONFIG, START
from tests.conftest import snapshot as snapshot_of
from tests.slack.survey_cases_setup import (
    decisions,
    invitations,
    press,
    survey_posts,
    surveys_of,
    ts_of,
)

SUPPLIERS = COMPANY_CONFIG.replace(
    'kind = "third_party"\nslack_team = "T0GLOBEX"', 'kind = "supplier"\nslack_team = "T0GLOBEX"'
)


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(SUPPLIERS, Path("tests/company.toml"))


def linked_ts(app: Running, channel: str) -> str:
    return str(
        [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel][
            -1
        ].response["ts"]
    )


async def resolved_with_both(app: Running) -> dict[str, str]:
    """D-1 with Acme and Globex, a thread in each shared channel with a reply from each
    party's person, resolved; each channel's thread ts."""
    d = app.driver
    await d.command(
        "/dispute",
        "open Joint outage with <@U0RAJ|raj> <@U0GRETA|greta>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    await d.command(
        "/dispute",
        "add D-1 <#C0ACME|acme-shared> <#C0GLOBEX|globex-shared>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    threads = {c: linked_ts(app, c) for c in ("C0ACME", "C0GLOBEX")}
    await d.message("U0RAJ", "C0ACME", "Our link is back", thread_ts=threads["C0ACME"])
    await d.message("U0GRETA", "C0GLOBEX", "Audit done", thread_ts=threads["C0GLOBEX"])
    await app.settle()
    await d.command("/dispute", "resolve D-1 Both fixed", user="U0ALICE", channel="C0DESK")
    await app.settle()
    return threads


async def test_each_party_is_asked_in_its_own_thread_naming_its_own_people(
    app: Running,
) -> None:
    threads = await resolved_with_both(app)
    posted = {p["channel"]: p for p in survey_posts(app)}
    assert set(posted) == {"C0ACME", "C0GLOBEX"}
    for channel, own, other in (("C0ACME", "U0RAJ", "U0GRETA"), ("C0GLOBEX", "U0GRETA", "U0RAJ")):
        post = posted[channel]
        assert post["thread_ts"] == threads[channel]
        assert post["text"] == f"<@{own}>: How satisfied are you with how D-1 was handled?"
        said = json.dumps(post)
        assert other not in said and "Acme" not in said and "Globex" not in said
    found = await surveys_of(app)
    assert sorted((s.channel_id, s.case_kind) for s in found) == [
        ("C0ACME", "dispute"),
        ("C0GLOBEX", "dispute"),
    ]
    assert sorted(i.user_id for i in await invitations(app)) == ["U0GRETA", "U0RAJ"]
    assert [d.case_kind for d in await decisions(app)] == ["dispute"]
    # reopened and resolved again: decided once, each party asked once
    await app.driver.command("/dispute", "reopen D-1 Not fixed", user="U0ALICE", channel="C0DESK")
    await app.settle()
    await app.driver.command("/dispute", "resolve D-1 Fixed now", user="U0ALICE", channel="C0DESK")
    await app.settle()
    assert len(survey_posts(app)) == 2 and len(await surveys_of(app)) == 2


async def test_nobody_answers_another_partys_survey(app: Running) -> None:
    await resolved_with_both(app)
    posted = {p["channel"]: p for p in survey_posts(app)}
    acme_ts = ts_of(app, posted["C0ACME"])
    globex_ts = ts_of(app, posted["C0GLOBEX"])
    acme_ref = posted["C0ACME"]["blocks"][1]["elements"][0]["value"].split(":")[0]
    globex_ref = posted["C0GLOBEX"]["blocks"][1]["elements"][0]["value"].split(":")[0]
    before = await snapshot_of(app.store)
    # Raj (Acme) pressing Globex's survey, with its value forged on his own channel's message
    refused = await press(app, "U0RAJ", acme_ts, 5, value=f"{globex_ref}:5", channel="C0ACME")
    assert "asks another organisation's people" in refused and "Globex" not in refused
    refused = await press(app, "U0ALICE", globex_ts, 5, channel="C0GLOBEX")
    assert "asks another organisation's people" in refused
    assert await snapshot_of(app.store) == before
    assert "is on record" in await press(app, "U0RAJ", acme_ts, 4, channel="C0ACME")
    assert f"{acme_ref}" != globex_ref


@pytest.fixture
def chinese_config() -> ParleyConfig:
    return parse_config(
        SUPPLIERS.replace(
            'kind = "supplier"\nslack_team = "T0GLOBEX"',
            'kind = "supplier"\nslack_team = "T0GLOBEX"\nlocale = "zh-CN"',
        ),
        Path("tests/company.toml"),
    )


@pytest.fixture
async def zh_app(
    slack: SlackStandIn, chinese_config: ParleyConfig, sqlite_url: str
) -> AsyncIterator[Running]:
    async with running_parley(
        database_url=sqlite_url, config=chinese_config, start=START, slack=slack
    ) as running:
        yield running


async def test_a_chinese_party_reads_the_question_in_chinese(zh_app: Running) -> None:
    zh_app.slack.workspace.users["U0GRETA"].locale = "zh-CN"  # her answers in her language
    await resolved_with_both(zh_app)
    posted = {p["channel"]: p for p in survey_posts(zh_app)}
    globex = json.dumps(posted["C0GLOBEX"], ensure_ascii=False)
    assert "<@U0GRETA>：您对 D-1 的处理满意吗？" in globex
    assert "1 = 非常不满意，5 = 非常满意。" in globex
    assert "How satisfied" in posted["C0ACME"]["text"]
    ts = ts_of(zh_app, posted["C0GLOBEX"])
    thanked = await press(zh_app, "U0GRETA", ts, 5)
    assert "谢谢：您对 D-1 的评分 5 已记录。" in thanked and "添加评论" in thanked
