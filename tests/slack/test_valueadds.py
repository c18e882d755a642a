"""/valueadd end to end: V-n logged for a customer with its cost and hours, the four checks
answered in the form (a "no" allowed and shown), the list, the export, and every refusal
leaving the data as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig, parse_config
from bot.domain.parties import PartyKind
from bot.domain.valueadds import ValueAdd
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import parties as parties_repo
from bot.store import valueadds as valueadds_repo
from bot.store.schema_praise import valueadds
from bot.workflows.export import ExportKind, export_document, to_csv
from tests import saying
from tests.conftest import COMPANY_CONFIG, START, snapshot

CONFIG = (
    COMPANY_CONFIG
    + """
[parties."Initech"]
kind = "customer"
slack_team = "T0INITECH"

[parties."Contoso Retail"]
kind = "customer"
"""
)
CHECK_KEYS = ("keeps_agreed_services", "fits_real_need", "cost_within_accepted", "can_build_on")


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(CONFIG, Path("tests/company.toml"))


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/valueadd", text, user=user, channel=channel, raw=True)


async def v(app: Running, number: int = 1) -> ValueAdd:
    async with app.store.read() as conn:
        found = await valueadds_repo.get(conn, workspace_id="T0PARLEY", number=number)
    assert found is not None
    return found


def posts(app: Running) -> list[dict[str, Any]]:
    return [c.args for c in app.slack.calls_to("chat.postMessage") if c.ok]


async def logged(app: Running, text: str, channel: str = "C0DESK") -> str:
    """`/valueadd log …` as Alice, its answer shown to her as Slack shows it; its ts."""
    reply = await app.driver.command("/valueadd", text, user="U0ALICE", channel=channel)
    await app.settle()
    assert isinstance(reply.json, dict), reply.text
    return app.slack.show_answer(channel, "U0ALICE", reply.json)


async def press(app: Running, ts: str, user: str = "U0ALICE", channel: str = "C0DESK") -> Reply:
    reply = await app.driver.block_action(
        user=user, channel=channel, message_ts=ts, action_id="valueadd_checks"
    )
    assert reply.status == 200
    await app.settle()
    return reply


async def open_form(app: Running) -> dict[str, Any]:
    opened = len(app.slack.calls_to("views.open"))
    reply = await app.driver.command("/valueadd", "log", user="U0ALICE", channel="C0DESK")
    assert reply.status == 200 and reply.text in ("", "null"), reply.text
    await app.settle()
    calls = app.slack.calls_to("views.open")
    assert len(calls) == opened + 1 and calls[-1].ok
    view: dict[str, Any] = calls[-1].args["view"]
    return view


def option(view: dict[str, Any], name: str) -> str:
    party = next(b for b in view["blocks"] if b["block_id"] == "party")
    return str(next(o["value"] for o in party["element"]["options"] if o["text"]["text"] == name))


def filled(view: dict[str, Any], **changes: Any) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        "party": {"party": option(view, "Initech") if "party" not in changes else ""},
        "what": {"value": "A dashboard for their board, beyond the SLA"},
        "when": {"date": "2026-11-20"},
        "cost": {"value": "800"},
        "hours": {"value": "4.5"},
        "keeps_agreed_services": {"answer": "yes"},
        "fits_real_need": {"answer": "no"},
        "cost_within_accepted": {"answer": "yes"},
        "can_build_on": {"answer": "yes"},
    }
    for key, value in changes.items():
        if value is None:
            values.pop(key)
        else:
            action = next(iter(values[key])) if key in values else "value"
            values[key] = {action: value}
    return values


async def test_log_records_it_with_cost_and_hours_and_offers_the_four_checks(
    app: Running,
) -> None:
    answer = await run(app, "log Initech Dashboard for the board cost 1,200.50 hours 6.5")
    assert "V-1 is logged." in answer
    assert "*V-1* for Initech: Dashboard for the board" in answer
    assert "cost 1,200.50" in answer and "6.5 hours" in answer and "Done on Mon 23 Nov" in answer
    assert answer.count(":grey_question: not answered") == 4
    blocks = json.loads(answer)["blocks"]
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == ("valueadd_checks", "V-1")
    assert button["text"]["text"] == "Answer the four checks"
    v1 = await v(app)
    assert (v1.party.name, v1.what, v1.cost_cents, v1.hours_tenths) == (
        "Initech",
        "Dashboard for the board",
        120050,
        65,
    )
    assert str(v1.done_on) == "2026-11-23" and v1.recorded_at == app.clock.now()
    assert v1.checks.answers() == dict.fromkeys(CHECK_KEYS)
    assert posts(app) == []  # internal: nothing is posted anywhere


async def test_the_button_opens_the_form_and_a_no_is_kept_and_shown(app: Running) -> None:
    ts = await logged(app, 'log "contoso retail" Data migration cleanup hours 3')
    await press(app, ts)
    view = app.slack.calls_to("views.open")[-1].args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["what"]["element"]["initial_value"] == "Data migration cleanup"
    assert blocks["party"]["element"]["initial_option"]["text"]["text"] == "Contoso Retail"
    assert blocks["hours"]["element"]["initial_value"] == "3"
    assert blocks["when"]["element"]["initial_date"] == "2026-11-23"
    assert [blocks[k]["element"]["type"] for k in CHECK_KEYS] == ["radio_buttons"] * 4
    values = filled(view, party=option(view, "Contoso Retail"), what="Data migration cleanup")
    done = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    assert done.status == 200 and done.text in ("", "null", "{}"), done.text
    await app.settle()
    v1 = await v(app)
    assert v1.checks.answers() == {
        "keeps_agreed_services": True,
        "fits_real_need": False,
        "cost_within_accepted": True,
        "can_build_on": True,
    }
    assert (v1.cost_cents, v1.hours_tenths, str(v1.done_on)) == (80000, 45, "2026-11-20")
    assert (v1.checks_by, v1.checks_at) == ("U0ALICE", app.clock.now())
    (dm,) = posts(app)
    assert app.slack.workspace.channels[dm["channel"]].im_user == "U0ALICE"
    content = json.dumps(dm["blocks"])
    assert "V-1 is saved with its four checks." in dm["text"]
    assert ":x: *no*: fits the real need" in content
    assert ":white_check_mark: yes: agreed services unaffected" in content
    listed = await run(app, "list")
    assert "1 no" in listed and "V-1" in listed


async def test_log_with_no_text_opens_the_form_that_logs_a_new_one(app: Running) -> None:
    view = await open_form(app)
    party = next(b for b in view["blocks"] if b["block_id"] == "party")
    names = [o["text"]["text"] for o in party["element"]["options"]]
    assert names == ["Contoso Retail", "Initech"]  # customers only
    assert (
        next(b for b in view["blocks"] if b["block_id"] == "when")["element"]["initial_date"]
        == "2026-11-23"
    )
    done = await app.driver.view_submission(user="U0ALICE", view=view, values=filled(view))
    assert done.status == 200 and done.text in ("", "null", "{}"), done.text
    await app.settle()
    v1 = await v(app)
    assert v1.party.name == "Initech" and v1.checks.answered and v1.checks.fits_real_need is False
    assert len(posts(app)) == 1  # the DM to whoever saved it


FORM_BAD = [
    ({"when": "2026-12-24"}, "when", "has not come yet"),
    ({"cost": "-5"}, "cost", "cannot be negative"),
    ({"hours": "abc"}, "hours", "is not a number of hours"),
    ({"what": "\u200b\u202e"}, "what", "What was done?"),
    ({"what": "x" * 5000}, "what", "5,000 characters long"),
    ({"fits_real_need": None}, "fits_real_need", "Answer yes or no."),
    ({"party": "p:999"}, "party", "Choose the customer"),
    ({"when": "tomorrow"}, "when", "Choose the day"),
]


@pytest.mark.parametrize(("changes", "block", "words"), FORM_BAD)
async def test_the_form_shows_each_refusal_on_its_field_and_records_nothing(
    app: Running, changes: dict[str, Any], block: str, words: str
) -> None:
    view = await open_form(app)
    before = await snapshot(app.store)
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(view, **changes)
    )
    assert reply.json["response_action"] == "errors", reply.text
    assert words in reply.json["errors"][block]
    assert await snapshot(app.store) == before
    assert posts(app) == []


async def test_several_wrong_fields_are_each_shown(app: Running) -> None:
    view = await open_form(app)
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(view, cost="abc", hours="1.25")
    )
    errors = reply.json["errors"]
    assert "is not a cost" in errors["cost"] and "more than 1 decimal" in errors["hours"]


BAD = [
    ("log Acme Networks Extra report", "Acme Networks is a supplier"),
    ("log Globex Audit Extra report", "Globex Audit is a third party"),
    ("log Nowhere Inc did things", "I don't know a party called Nowhere"),
    ('log "Nowhere Inc" did things', "I don't know a party called Nowhere Inc"),
    ("log Initech", "What was done?"),
    ("log Initech \u200b\u2066", "What was done?"),
    ("log Initech " + "x" * 5000, "5,000 characters long"),
    ("log Initech Report cost -5", "cannot be negative (`-5`)"),
    ("log Initech Report cost abc", "`abc` is not a cost"),
    ("log Initech Report cost 1.234", "more than 2 decimals"),
    ("log Initech Report cost 99999999999", "that is a contract"),
    ("log Initech Report cost １２", "`１２` is not a cost"),
    ("log Initech Report hours abc", "`abc` is not a number of hours"),
    ("log Initech Report hours -1", "Hours cannot be negative"),
    ("log Initech Report hours 1.25", "more than 1 decimal"),
    ("log Initech Report hours 20000", "more than 10,000 hours"),
    ("log Initech Report cost 5 hours ٣", "is not a number of hours"),
    ("list Nowhere", "I don't know a party called Nowhere"),
]


@pytest.mark.parametrize(("text", "words"), BAD)
async def test_bad_input_is_refused_clearly_and_changes_nothing(
    app: Running, text: str, words: str
) -> None:
    before = await snapshot(app.store)
    answer = await run(app, text)
    assert words in answer
    assert await snapshot(app.store) == before
    assert posts(app) == []


async def test_a_lookalike_spelling_of_the_name_is_the_same_customer(app: Running) -> None:
    await run(app, "log ІNITECH Cabling audit")  # a Cyrillic І, in capitals
    assert (await v(app)).party.name == "Initech"


@pytest.mark.parametrize("channel", ["C0ACME", "DM"])
@pytest.mark.parametrize("text", ["log Initech Report", "list", "log"])
async def test_an_outsider_cannot_use_valueadd(app: Running, channel: str, text: str) -> None:
    if channel == "DM":
        channel = app.slack.workspace.open_dm("U0RAJ").id
    before = await snapshot(app.store)
    answer = await run(app, text, user="U0RAJ", channel=channel)
    assert "Only members of the workspace that runs Parley can use /valueadd" in answer
    assert await snapshot(app.store) == before
    assert app.slack.calls_to("views.open") == []


async def test_an_outsider_cannot_press_the_button(app: Running) -> None:
    ts = await logged(app, "log Initech Report")
    await press(app, ts, user="U0RAJ")  # a forged press: Raj is in no internal channel
    assert app.slack.calls_to("views.open") == []


async def test_the_list_is_newest_first_internal_only(app: Running) -> None:
    await run(app, "log Initech First &lt;!channel&gt; thing")
    await run(app, "log Contoso Retail Second thing cost 10")
    everything = await run(app, "list")
    assert "Value-added services (2)" in everything
    assert everything.index("V-2") < everything.index("V-1")
    assert "&lt;!channel&gt;" in everything and "<!channel>" not in everything
    assert "4 checks open" in everything
    initech = await run(app, "list initech")
    assert "Value-added services for Initech (1)" in initech and "V-2" not in initech
    assert "No value-added services for Acme Networks yet." in await run(app, "list Acme Networks")
    for text in ("list", "log Initech More", "log"):
        before = await snapshot(app.store)
        shared = await run(app, text, channel="C0ACME")
        assert "V-1" not in shared and "use /valueadd in an internal channel" in shared
        assert await snapshot(app.store) == before
    assert app.slack.calls_to("views.open") == []
    dm = app.slack.workspace.open_dm("U0ALICE").id
    assert "Value-added services (2)" in await run(app, "list", channel=dm)


async def test_usage_and_a_stale_button(app: Running) -> None:
    for text in ("", "help"):
        assert "/valueadd log" in await run(app, text)
    assert "`nope` is not a /valueadd subcommand" in await run(app, "nope")
    ts = await logged(app, "log Initech Report")
    async with app.store.write() as conn:  # V-1 is gone (as good as a button from elsewhere)
        await conn.execute(sa.delete(valueadds))
    await press(app, ts)
    (told,) = app.slack.calls_to("response_url")
    assert "There is no V-1" in told.args["text"]


async def test_without_customers_the_form_does_not_open(
    slack: SlackStandIn, sqlite_url: str
) -> None:
    bare = parse_config(COMPANY_CONFIG, Path("tests/company.toml"))
    async with running_parley(
        database_url=sqlite_url, config=bare, start=START, slack=slack
    ) as app:
        answer = await run(app, "log")
        assert "No customer party is on record yet" in answer
        assert app.slack.calls_to("views.open") == []


async def test_the_export_has_the_value_adds_with_their_checks(app: Running) -> None:
    await run(app, "log Initech Dashboard cost 1200.5 hours 6")
    view = await open_form(app)
    await app.driver.view_submission(user="U0ALICE", view=view, values=filled(view))
    await app.settle()
    document = await export_document(app.store)
    first, second = document["valueadds"]
    assert first == {
        "id": "V-1",
        "party": "Initech",
        "what": "Dashboard",
        "when": "2026-11-23",
        "cost": 1200.5,
        "hours": 6.0,
        "keeps_agreed_services": None,
        "fits_real_need": None,
        "cost_within_accepted": None,
        "can_build_on": None,
        "recorded_by": "U0ALICE",
        "recorded_at": "2026-11-23T02:00:00Z",
        "checks_by": None,
        "checks_at": None,
    }
    assert (second["fits_real_need"], second["can_build_on"], second["checks_by"]) == (
        False,
        True,
        "U0ALICE",
    )
    table = to_csv(document, ExportKind.VALUEADDS).splitlines()
    assert table[0] == (
        "id,party,what,when,cost,hours,keeps_agreed_services,fits_real_need,"
        "cost_within_accepted,can_build_on,recorded_by,recorded_at,checks_by,checks_at"
    )
    assert (
        table[1] == "V-1,Initech,Dashboard,2026-11-23,1200.5,6.0,,,,,U0ALICE,2026-11-23T02:00:00Z,,"
    )


async def test_a_chinese_reader_is_answered_in_chinese(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    answer = await run(app, "log Initech 服务器迁移 cost 800 hours 4")
    assert "V-1 已记录。" in answer and "费用 800.00" in answer and "4 小时" in answer
    assert "回答四项检查" in answer
    refused = await run(app, "log Acme Networks 报告")
    assert "Acme Networks 是供应商：增值服务只为客户记录。" in refused


async def test_an_amount_typed_with_markup_is_said_as_typed(app: Running) -> None:
    answer = await run(app, "log Initech Report cost &lt;5&gt;")
    assert "`&lt;5&gt;` is not a cost" in answer


async def test_with_over_a_hundred_customers_the_form_asks_for_the_name(app: Running) -> None:
    async with app.store.write() as conn:
        for i in range(101):
            await parties_repo.insert(
                conn,
                workspace_id="T0PARLEY",
                name=f"Shop {i:03d}",
                kind=PartyKind.CUSTOMER,
                slack_team=None,
                now=START,
            )
    view = await open_form(app)
    party = next(b for b in view["blocks"] if b["block_id"] == "party")
    assert party["element"]["type"] == "plain_text_input"
    values = filled(view, party=None)
    values["party"] = {"name": "shop 050"}
    done = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    assert done.status == 200 and done.text in ("", "null", "{}"), done.text
    await app.settle()
    assert (await v(app)).party.name == "Shop 050"
    values["party"] = {"name": "Acme Networks"}
    refused = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    assert "Acme Networks is a supplier" in refused.json["errors"]["party"]
