"""/contract end to end: the list, one contract or service, the margin check naming each
short term with both figures (DBCo's draft against the Contoso SLA), in both languages; and
every bad request answered with nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running
from tests.conftest import snapshot
from tests.slack.contracts_setup import contract, contracts_config, shown


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(contracts_config(), Path("tests/company.toml"))


async def test_check_names_each_short_term_with_both_figures(app: Running) -> None:
    before = await snapshot(app.store)
    text, blocks = await contract(app, "check")
    assert text == ":warning: 3 contract terms fall short of their SLA by the 20 % margin"
    body = shown(blocks)
    where = "*DBCo Database Services* (`DBCO-DRAFT-1`) under *ERP for Contoso*"
    assert f"• {where}: response 4 h against the SLA's 4 h: at most 3.2 h needed" in body
    assert f"• {where}: resolution 24 h against the SLA's 24 h: at most 19.2 h needed" in body
    assert (
        f"• {where}: availability 99.5 % against the SLA's 99.5 %: at least 99.6 % needed" in body
    )
    assert "Acme" not in body  # Acme's contract beats the SLA on every term
    assert await snapshot(app.store) == before  # a look changes nothing


async def test_check_in_chinese(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    text, blocks = await contract(app, "check")
    assert text == ":warning: 有 3 项合同条款未按 20% 的余量优于 SLA"
    body = shown(blocks)
    assert "响应 4 小时，SLA 为 4 小时：须不超过 3.2 小时" in body
    assert "可用性 99.5%，SLA 为 99.5%：须至少 99.6%" in body


async def test_list_and_show(app: Running) -> None:
    text, blocks = await contract(app, "list")
    assert text == "2 support contracts"
    body = shown(blocks)
    assert (
        "*Acme Networks* `ACME-2026-07`: response 2 h, resolution 12 h, availability 99.9 %, "
        "support 24x7; valid until Wed 31 Mar 2027, owner <@U0CAROL>"
    ) in body
    assert "*ERP for Contoso* for Contoso Retail: SLA response 4 h" in body
    assert "underpinned by Acme Networks, DBCo Database Services" in body
    assert "3 terms fall short: see `/contract check`." in body

    text, blocks = await contract(app, 'show "acme networks"')
    assert text == "Contract ACME-2026-07"
    assert "Every term beats its SLA by the margin." in shown(blocks)
    assert "*ERP for Contoso*" in shown(blocks)  # the service it underpins

    text, blocks = await contract(app, "show DBCO-DRAFT-1")
    assert text == "Contract DBCO-DRAFT-1"
    assert "at most 3.2 h needed" in shown(blocks)

    text, blocks = await contract(app, "show ERP for Contoso")
    assert text == "Service ERP for Contoso"
    body = shown(blocks)
    assert "`ACME-2026-07`" in body and "`DBCO-DRAFT-1`" in body
    assert "at least 99.6 % needed" in body


@pytest.mark.parametrize(
    ("text", "user", "channel", "expected"),
    [
        (
            "show Initech",
            "U0ALICE",
            "C0DESK",
            "No contract or service is called Initech. See `/contract list`",
        ),
        (
            "show <!channel> <https://x|label>",
            "U0ALICE",
            "C0DESK",
            "No contract or service is called @channel label (https://x).",
        ),
        ("show", "U0ALICE", "C0DESK", "Which contract or service?"),
        ("check", "U0ALICE", "C0ACME", "Contracts are internal records"),
        ("list", "U0RAJ", "C0ACME", "Only members of the workspace that runs Parley"),
        ("renew Acme", "U0ALICE", "C0DESK", "`renew` is not a /contract subcommand."),
    ],
)
async def test_bad_requests_are_answered_and_change_nothing(
    app: Running, text: str, user: str, channel: str, expected: str
) -> None:
    before = await snapshot(app.store)
    answer, blocks = await contract(app, text, user=user, channel=channel)
    assert expected in answer or expected in shown(blocks), (answer, shown(blocks))
    assert "<!channel>" not in answer + shown(blocks)
    assert await snapshot(app.store) == before
    assert app.slack.calls_to("chat.postMessage") == []


async def test_help_shows_the_usage(app: Running) -> None:
    text, blocks = await contract(app, "help")
    assert text == "How to use /contract"
    assert "`/contract check`" in shown(blocks)


async def test_names_from_the_config_are_never_markup(
    slack: object, sqlite_url: str, tmp_path: Path
) -> None:
    from bot.sandbox.harness import running_parley
    from tests.conftest import START

    hostile = "ERP <!channel> <https://x|label>"
    text = contracts_config().replace('[services."ERP for Contoso"]', f'[services."{hostile}"]')
    config = parse_config(text, Path("tests/company.toml"))
    async with running_parley(database_url=sqlite_url, config=config, start=START) as app:
        _, blocks = await contract(app, "check")
        body = shown(blocks)
        assert "under *ERP &lt;!channel&gt; &lt;https://x|label&gt;*" in body
        assert "<!channel>" not in body and "<https://x|label>" not in body


async def test_start_up_logs_each_short_term_and_goes_on(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.sandbox.harness import running_parley
    from tests.conftest import START

    config = parse_config(contracts_config(), Path("tests/company.toml"))
    with caplog.at_level("WARNING", logger="bot.services"):
        async with running_parley(database_url=sqlite_url, config=config, start=START) as app:
            _, blocks = await contract(app, "check")  # it serves all the same
            assert "at most 3.2 h needed" in shown(blocks)
    warned = [r.getMessage() for r in caplog.records if "contract short" in r.getMessage()]
    assert len(warned) == 3
    assert warned[0].startswith(
        'contract short of its SLA: "DBCo Database Services" (DBCO-DRAFT-1) under "ERP for '
        "Contoso\": response 4 h against the SLA's 4 h: at most 3.2 h needed"
    )
