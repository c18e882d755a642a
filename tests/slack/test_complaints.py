"""/complaint open, list and show end to end: whose complaint it is, its card and clocks, the
form, and every refusal leaving the data as it was; one customer's complaints never reach
another party's channel."""

from __future__ import annotations

import json

import pytest

from bot.domain.complaints import ComplaintStatus, EventKind
from bot.sandbox.harness import Running
from bot.sandbox.workspace import Team, User
from tests.conftest import START
from tests.conftest import snapshot as snapshot_of
from tests.slack.complaints_setup import (  # noqa: F401 (fixtures)
    INITECH_SHARED,
    complaint,
    config,
    opened,
    posts,
    record,
    run,
    slack,
    text_of,
)


async def test_open_with_an_outside_person_is_their_customers_with_a_card_and_two_clocks(
    app: Running,
) -> None:
    answer = await run(app, "open The monthly report is late again with <@U0GRETA|greta>")
    assert "C-1 is open for Globex Audit" in answer
    found = await complaint(app)
    assert found.party.name == "Globex Audit"
    assert (found.complainant_id, found.owner_id) == ("U0GRETA", "U0ALICE")
    assert found.status is ComplaintStatus.OPEN
    calendar = app.parley.deps.calendar  # type: ignore[union-attr]
    assert found.answer_due_at == calendar.add_working_days(START, 1)
    assert found.resolve_due_at == calendar.add_working_days(START, 5)
    card = posts(app, "C0DESK")[-1]
    assert found.root_ts == app.slack.calls_to("chat.postMessage")[-1].response["ts"]
    shown = text_of(card)
    assert "C-1 · The monthly report is late again" in shown
    assert "Globex Audit" in shown and "<@U0GRETA>" in shown and "First answer: due" in shown
    assert [e.kind for e in await record(app)] == [EventKind.OPENED]


async def test_a_partys_agreed_clocks_and_the_shared_channels_own_party(app: Running) -> None:
    answer = await run(app, "open Tickets closed without a fix", channel=INITECH_SHARED)
    assert "C-1 is open for Initech" in answer
    found = await complaint(app)
    calendar = app.parley.deps.calendar  # type: ignore[union-attr]
    assert found.complainant_id is None
    assert found.answer_due_at == calendar.add_working_days(START, 2)
    assert found.resolve_due_at == calendar.add_working_days(START, 8)
    assert posts(app, INITECH_SHARED)[-1]["text"].startswith("C-1 · Tickets closed")


async def test_typed_markup_is_shown_as_text(app: Running) -> None:
    # As Slack sends it: `@channel` picked became `<!channel>`, `<!here>` typed as text
    # arrives escaped, and a link with a label is Slack's link markup.
    await opened(
        app, "open <!channel> see <https://x|label> and &lt;!here&gt; with <@U0GRETA|greta>"
    )
    card = posts(app, "C0DESK")[-1]
    # Every mrkdwn text: the notification text and the blocks' (a header is plain text).
    shown = json.dumps([card["text"], [b for b in card["blocks"] if b["type"] != "header"]])
    assert "<!channel>" not in shown and "<https://x|label>" not in shown
    assert "<!here>" not in shown and "&lt;!here&gt;" in shown
    assert (await complaint(app)).text == "@channel see label (https://x) and <!here>"


@pytest.mark.parametrize(
    ("text", "channel", "words"),
    [
        ("open    with <@U0GRETA|greta>", "C0DESK", "What is the complaint?"),
        ("open " + "x" * 5000 + " with <@U0GRETA|greta>", "C0DESK", "5,000 characters"),
        ("open Late again with <@U0RAJ|raj>", "C0DESK", "is a supplier, not a customer"),
        ("open Late again", "C0DESK", "Whose complaint is it?"),
        ("open Late again", "C0ACME", "is a supplier, not a customer"),
        ("open Late again with <@U0IVAN|ivan>", "C0GLOBEX", "is not this channel's organisation's"),
        (
            "open Late again with <@U0IVAN|ivan> <@U0GRETA|greta>",
            "C0DESK",
            "different organisations",
        ),
        ("open Late again with <@U0PARLEY|parley>", "C0DESK", "is a bot"),
        ("show C-1", "C0DESK", "There is no complaint C-1"),
        ("show", "C0DESK", "Which complaint?"),
        ("show X-1", "C0DESK", "is not a complaint id"),
        ("list soon", "C0DESK", "is not a list"),
        ("frobnicate", "C0DESK", "is not a /complaint subcommand"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    app: Running, text: str, channel: str, words: str
) -> None:
    before = await snapshot_of(app.store)
    answer = await run(app, text, channel=channel)
    assert words in answer, answer
    assert await snapshot_of(app.store) == before
    assert not [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] != "D0ALICE"]


async def test_an_outsider_is_refused_in_a_dm_and_in_their_channel(app: Running) -> None:
    before = await snapshot_of(app.store)
    for channel in ("U0GRETA", "C0GLOBEX"):  # a user id: their DM with Parley
        answer = await run(app, "open Late again", user="U0GRETA", channel=channel)
        assert "Only members of the workspace that runs Parley can use /complaint" in answer
    assert await snapshot_of(app.store) == before


async def test_list_and_show_keep_each_customer_to_its_own_channel(app: Running) -> None:
    await opened(app, "open Globex report late with <@U0GRETA|greta>")
    await opened(app, "open Initech tickets closed with <@U0IVAN|ivan>")
    everything = await run(app, "list")
    assert "Open complaints (2)" in everything
    assert everything.index("C-2") < everything.index("C-1")  # newest first
    in_globex = await run(app, "list all", channel="C0GLOBEX")
    assert "C-1" in in_globex and "C-2" not in in_globex and "Initech" not in in_globex
    in_initech = await run(app, "list", channel=INITECH_SHARED)
    assert "C-2" in in_initech and "Globex" not in in_initech
    assert "There is no complaint C-2" in await run(app, "show C-2", channel="C0GLOBEX")
    shown = await run(app, "show c1", channel="C0GLOBEX")
    assert "C-1 · Globex report late" in shown and "The record" in shown
    assert "Initech" not in shown
    mine = await run(app, "list mine", user="U0BOB")
    assert "You own no open complaint." in mine
    assert "No complaint is overdue" in await run(app, "list overdue")


async def test_another_partys_complaint_cannot_be_acted_on_from_a_shared_channel(
    app: Running,
) -> None:
    await opened(app, "open Initech tickets closed with <@U0IVAN|ivan>")
    before = await snapshot_of(app.store)
    for text in ("resolve C-1 Fixed", "escalate C-1 CIO called", "link C-1 D-1"):
        answer = await run(app, text, channel="C0GLOBEX")
        assert "There is no complaint C-1" in answer, answer
    assert await snapshot_of(app.store) == before
    assert not posts(app, "C0GLOBEX")


async def test_the_form_picks_the_customer_and_opens_the_complaint(app: Running) -> None:
    reply = await app.driver.command("/complaint", "open", user="U0ALICE", channel="C0DESK")
    assert reply.status == 200
    await app.settle()
    view = app.slack.calls_to("views.open")[-1].args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == ["party", "what", "complainant"]
    options = {o["text"]["text"]: o["value"] for o in blocks["party"]["element"]["options"]}
    assert set(options) == {"Globex Audit", "Initech"}  # customers only
    before = await snapshot_of(app.store)
    empty = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"what": {"value": "  "}, "party": {"party": options["Initech"]}},
    )
    assert empty.json["response_action"] == "errors"
    assert "What is the complaint?" in empty.json["errors"]["what"]
    nobody = await app.driver.view_submission(
        user="U0ALICE", view=view, values={"what": {"value": "Late"}}
    )
    assert "Whose complaint is it?" in nobody.json["errors"]["complainant"]
    forged = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"what": {"value": "Late"}, "party": {"party": "p:999"}},
    )
    assert "Pick the customer" in json.dumps(forged.json)
    elsewhere = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={
            "what": {"value": "Late"},
            "party": {"party": options["Initech"]},
            "complainant": {"person": "U0GRETA"},
        },
    )
    assert "of another organisation than the customer picked" in json.dumps(elsewhere.json)
    assert await snapshot_of(app.store) == before
    done = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={"what": {"value": "Reports late"}, "party": {"party": options["Initech"]}},
    )
    assert done.status == 200 and done.text in ("", "null", "{}"), done.text
    await app.settle()
    found = await complaint(app)
    assert (found.party.name, found.text, found.channel_id) == ("Initech", "Reports late", "C0DESK")


async def test_log_as_complaint_fills_the_form_from_a_customers_message(app: Running) -> None:
    stored, _ = await app.driver.message("U0GRETA", "C0GLOBEX", "Third late report this month!")
    await app.settle()
    reply = await app.driver.message_shortcut(
        callback_id="log_as_complaint", user="U0ALICE", channel="C0GLOBEX", message_ts=stored.ts
    )
    assert reply.status == 200
    await app.settle()
    view = app.slack.calls_to("views.open")[-1].args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    assert blocks["what"]["element"]["initial_value"] == "Third late report this month!"
    assert blocks["complainant"]["element"]["initial_user"] == "U0GRETA"
    options = [o["text"]["text"] for o in blocks["party"]["element"]["options"]]
    assert options == ["Globex Audit"]  # in a shared channel, only its own party
    done = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={
            "what": {"value": "Third late report this month!"},
            "complainant": {"person": "U0GRETA"},
        },
    )
    assert done.status == 200, done.text
    await app.settle()
    found = await complaint(app)
    assert (found.party.name, found.complainant_id, found.channel_id) == (
        "Globex Audit",
        "U0GRETA",
        "C0GLOBEX",
    )


async def test_a_person_of_an_unknown_team_is_no_customer_and_nothing_is_kept(
    app: Running,
) -> None:
    ws = app.slack.workspace
    ws.add_team(Team("T0HOOLI", "Hooli", "hooli"))
    ws.add_user(User("U0HANK", "T0HOOLI", "hank", "Hank Hill"))
    before = await snapshot_of(app.store)
    answer = await run(app, "open Late again with <@U0HANK|hank>")
    assert "Hooli is a supplier, not a customer" in answer
    assert await snapshot_of(app.store) == before  # not even the new party
