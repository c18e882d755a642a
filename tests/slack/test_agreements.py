"""5W1H agreements end to end: the form, the card in the party's channel, Acknowledge,
versions, revocation, expiry, the export, and every refusal leaving the data as it was."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.domain.agreements import Agreement
from bot.sandbox.harness import Running
from bot.store import agreements as agreements_repo
from bot.workflows.export import ExportKind, export_document, to_csv
from tests.conftest import snapshot
from tests.saying import said

CONTRACT_KEYS = {
    "id",
    "version",
    "party",
    "what",
    "why",
    "who",
    "when",
    "where",
    "how",
    "authorization",
    "valid_until",
    "status",
    "acknowledged_by",
}


def filled(party: str | None = None, **changes: Any) -> dict[str, dict[str, Any]]:
    """A complete, valid form; `changes` replace single fields (`what="…"`)."""
    values: dict[str, dict[str, Any]] = {
        "what": {"value": "Monthly SLA report with the incident list"},
        "why": {"value": "Annual ISO 27001 surveillance audit"},
        "who_people": {"people": ["U0GRETA", "U0ALICE"]},
        "who": {"value": "Globex's audit team; our service manager"},
        "when": {"value": "Monthly, within 5 working days of month end"},
        "where_channel": {"channel": "C0GLOBEX"},
        "where": {"value": "The shared channel; attachments encrypted"},
        "how": {"value": "Exported by the service desk, reviewed by the manager"},
        "authorization": {"value": "Signed off by the CISO"},
        "valid_until": {"date": "2027-06-30"},
    }
    if party is not None:
        values["party"] = {"party": party}
    for key, value in changes.items():
        action = {"who_people": "people", "where_channel": "channel", "valid_until": "date"}
        values[key] = {action.get(key, "value"): value}
    return values


async def open_form(
    app: Running, text: str = "new with <@U0GRETA|greta>", channel: str = "C0DESK"
) -> dict[str, Any]:
    opened = len(app.slack.calls_to("views.open"))
    reply = await app.driver.command("/agreement", text, user="U0ALICE", channel=channel)
    assert reply.status == 200 and reply.text in ("", "null"), reply.text
    await app.settle()
    calls = app.slack.calls_to("views.open")
    assert len(calls) == opened + 1 and calls[-1].ok
    view: dict[str, Any] = calls[-1].args["view"]
    return view


def option_of(view: dict[str, Any], name: str) -> str:
    party = next(b for b in view["blocks"] if b["block_id"] == "party")
    for option in party["element"]["options"]:
        if option["text"]["text"] == name:
            return str(option["value"])
    raise AssertionError(f"{name} is not offered")


async def draft(
    app: Running,
    *,
    mention: str = "<@U0GRETA|greta>",
    party: str = "Globex Audit",
    channel: str = "C0DESK",
    **changes: Any,
) -> str:
    """Draft an agreement through the form; the ts of its card."""
    view = await open_form(app, f"new with {mention}", channel)
    values = filled(option_of(view, party), **changes)
    reply = await app.driver.view_submission(user="U0ALICE", view=view, values=values)
    assert reply.status == 200 and reply.text in ("", "null", "{}"), reply.text
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def agreement(app: Running, number: int = 1) -> Agreement:
    async with app.store.read() as conn:
        found = await agreements_repo.get(conn, workspace_id="T0PARLEY", number=number)
    assert found is not None
    return found


async def press(app: Running, user: str, channel: str, ts: str, value: str | None = None) -> str:
    """Press Acknowledge; what Parley answered that person (ephemerally)."""
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver.block_action(
        user=user, channel=channel, message_ts=ts, action_id="agreement_acknowledge", value=value
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("response_url")
    assert len(calls) == answered + 1
    assert calls[-1].args["response_type"] == "ephemeral"
    return str(calls[-1].args["text"])


def actions_of(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


# --- drafting -------------------------------------------------------------------------------


async def test_new_opens_the_form_with_the_party_and_person_filled_in(app: Running) -> None:
    view = await open_form(app, "new Monthly SLA report with <@U0GRETA|greta>")
    assert view["title"]["text"] == "New agreement"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == [
        "party",
        "what",
        "why",
        "who_people",
        "who",
        "when",
        "where_channel",
        "where",
        "how",
        "authorization",
        "valid_until",
    ]
    party = blocks["party"]["element"]
    assert party["type"] == "static_select"
    assert party["initial_option"]["text"]["text"] == "Globex Audit"
    assert {o["text"]["text"] for o in party["options"]} == {"Acme Networks", "Globex Audit"}
    assert blocks["who_people"]["element"]["initial_users"] == ["U0GRETA"]
    assert blocks["what"]["element"]["initial_value"] == "Monthly SLA report"
    assert blocks["valid_until"]["element"]["type"] == "datepicker"
    for key in ("what", "why", "who", "when", "where", "how", "authorization"):
        limit = blocks[key]["element"]["max_length"]
        assert f"up to {limit:,} characters" in blocks[key]["hint"]["text"]
        assert not blocks[key].get("optional")
    assert blocks["where_channel"]["optional"] is True


async def test_submitting_stores_v1_and_posts_the_card_in_the_party_channel(
    app: Running,
) -> None:
    ts = await draft(app)
    card = app.slack.calls_to("chat.postMessage")[-1]
    assert card.args["channel"] == "C0GLOBEX"
    assert "A-1 · Agreement with Globex Audit" in card.args["text"]
    (button,) = actions_of(card.args["blocks"])
    assert button["text"]["text"] == "Acknowledge" and button["value"] == "A-1:v1"
    content = json.dumps(card.args["blocks"])
    assert "Monthly SLA report with the incident list" in content
    assert "Signed off by the CISO" in content and "Wed 30 Jun 2027" in content
    a1 = await agreement(app)
    assert (a1.ref, a1.version, a1.status.value, a1.party.name) == (
        "A-1",
        1,
        "active",
        "Globex Audit",
    )
    assert (a1.channel_id, a1.card_ts, a1.owner_id) == ("C0GLOBEX", ts, "U0ALICE")
    assert a1.current.terms.who_people == ("U0GRETA", "U0ALICE")
    assert a1.current.terms.where_channel == "C0GLOBEX"


async def test_the_party_person_acknowledges_and_the_card_says_who_and_when(
    app: Running,
) -> None:
    ts = await draft(app)
    app.clock.advance(timedelta(minutes=5))
    told = await press(app, "U0GRETA", "C0GLOBEX", ts)
    assert "you acknowledged version 1 of A-1" in told
    update = app.slack.calls_to("chat.update")[-1]
    assert update.args["channel"] == "C0GLOBEX" and update.args["ts"] == ts
    content = json.dumps(update.args["blocks"])
    assert "Acknowledged* by <@U0GRETA> on Mon 23 Nov 2026 10:05" in content
    assert actions_of(update.args["blocks"]) == []
    a1 = await agreement(app)
    assert a1.current.acknowledged_by == "U0GRETA"
    assert a1.current.acknowledged_at == app.clock.now()
    before = await snapshot(app.store)
    again = await press(app, "U0GRETA", "C0GLOBEX", ts, value="A-1:v1")
    assert "already acknowledged" in again
    assert await snapshot(app.store) == before


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("U0ALICE", "Only Globex Audit's people can acknowledge A-1"),
        ("U0BOB", "nobody can do it on their behalf"),
        ("U0RAJ", "There is no agreement A-1."),
        ("U0IVAN", "There is no agreement A-1."),
    ],
)
async def test_nobody_else_can_acknowledge(app: Running, user: str, expected: str) -> None:
    ts = await draft(app)
    updates = len(app.slack.calls_to("chat.update"))
    before = await snapshot(app.store)
    told = await press(app, user, "C0GLOBEX", ts)
    assert expected in told
    if user in ("U0RAJ", "U0IVAN"):  # another party's people learn nothing of it
        assert "Globex" not in told
    assert await snapshot(app.store) == before
    assert len(app.slack.calls_to("chat.update")) == updates


async def test_a_forged_or_stale_button_changes_nothing(app: Running) -> None:
    ts = await draft(app)
    before = await snapshot(app.store)
    assert "not an agreement id" in await press(app, "U0GRETA", "C0GLOBEX", ts, value="X-1:v1")
    assert "out of date" in await press(app, "U0GRETA", "C0GLOBEX", ts, value="A-1:vx")
    assert "There is no agreement A-9" in await press(app, "U0GRETA", "C0GLOBEX", ts, "A-9:v1")
    assert "version 1 replaces version 2" in await press(app, "U0GRETA", "C0GLOBEX", ts, "A-1:v2")
    assert await snapshot(app.store) == before


async def test_a_new_party_comes_from_the_mentioned_persons_team(app: Running) -> None:
    view = await open_form(app, "new with <@U0IVAN|ivan>")
    party = view["blocks"][0]["element"]
    assert party["initial_option"] == {
        "text": {"type": "plain_text", "text": "Initech"},
        "value": "t:T0INITECH",
    }
    reply = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values=filled("t:T0INITECH", who_people=["U0IVAN"], where_channel=None),
    )
    assert reply.text in ("", "null", "{}"), reply.text
    await app.settle()
    a1 = await agreement(app)
    assert a1.party.name == "Initech" and a1.party.slack_team == "T0INITECH"
    # No channel is shared with Initech: the card goes where the command ran.
    assert app.slack.calls_to("chat.postMessage")[-1].args["channel"] == "C0DESK"


# --- the form's refusals --------------------------------------------------------------------


async def test_bad_fields_are_shown_on_the_form_and_nothing_changes(app: Running) -> None:
    view = await open_form(app)
    globex = option_of(view, "Globex Audit")
    before = await snapshot(app.store)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"valid_until": "2026-11-22"}, "valid_until", "in the past"),
        ({"valid_until": "2020-01-01"}, "valid_until", "in the past"),
        ({"valid_until": None}, "valid_until", "Pick the last day"),
        ({"valid_until": "31/12/2027"}, "valid_until", "from the calendar"),
        ({"what": "   "}, "what", "What is empty"),
        ({"why": ""}, "why", "Why is empty"),
        ({"who": "\u200b"}, "who", "Who is empty"),
        ({"when": "x" * 501}, "when", "keep it to 500"),
        ({"what": "y" * 1501}, "what", "keep it to 1,500"),
        ({"how": "\n\n"}, "how", "How is empty"),
        ({"authorization": "z" * 600}, "authorization", "keep it to 500"),
        ({"where": " "}, "where", "Where is empty"),
        ({"who_people": []}, "who_people", "at least one person"),
        ({"who_people": ["U0PARLEY"]}, "who_people", "is a bot"),
        ({"who_people": ["U0RAJ"]}, "who_people", "another organisation"),
        ({"who_people": ["U0NOBODY"]}, "who_people", "can't find"),
        ({"where_channel": "not-a-channel"}, "where_channel", "Pick the channel"),
    ]
    for changes, block, expected in cases:
        reply = await app.driver.view_submission(
            user="U0ALICE", view=view, values=filled(globex, **changes)
        )
        assert reply.json["response_action"] == "errors", (changes, reply.text)
        assert expected in reply.json["errors"][block], (changes, reply.json)
    # several wrong fields at once: each is named on its own field
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(globex, what="", valid_until="2020-01-01")
    )
    assert set(reply.json["errors"]) == {"what", "valid_until"}
    await app.settle()
    assert await snapshot(app.store) == before
    assert app.slack.calls_to("chat.postMessage") == []


async def test_forged_or_missing_metadata_and_parties_are_refused(app: Running) -> None:
    view = await open_form(app)
    globex = option_of(view, "Globex Audit")
    before = await snapshot(app.store)
    for forged in (
        " ",
        "not json",
        "{}",
        '{"channel": "C0DESK", "extra": 1}',
        '{"channel": "nope"}',
        '{"channel": "C0DESK", "number": 1}',
        '{"channel": "C0DESK", "number": 0, "version": 1}',
        '{"channel": "C0DESK", "teams": ["not a team"]}',
    ):
        reply = await app.driver.view_submission(
            user="U0ALICE", view=view, values=filled(globex), private_metadata=forged
        )
        assert reply.json["response_action"] == "errors", forged
        assert "out of date" in reply.json["errors"]["what"], forged
    for party in ("p:999", "t:T0FAKE", "t:T0PARLEY", "garbage", ""):
        reply = await app.driver.view_submission(user="U0ALICE", view=view, values=filled(party))
        assert "Choose the party from the list" in reply.json["errors"]["party"], party
    # A forged state of the wrong shapes is refused on its fields, never a crash
    odd = filled(globex)
    odd["party"] = {"party": {"type": "static_select", "selected_option": "p:2"}}
    odd["who_people"] = {"people": {"type": "multi_users_select", "selected_users": "U0GRETA"}}
    odd["where_channel"] = {
        "channel": {"type": "conversations_select", "selected_conversation": ["C0GLOBEX"]}
    }
    reply = await app.driver.view_submission(user="U0ALICE", view=view, values=odd)
    assert "Choose the party" in reply.json["errors"]["party"]
    odd["party"] = {"party": globex}
    reply = await app.driver.view_submission(user="U0ALICE", view=view, values=odd)
    assert set(reply.json["errors"]) == {"who_people", "where_channel"}
    # An edit form for an agreement that does not exist
    ghost = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values=filled(globex),
        private_metadata='{"channel": "C0DESK", "number": 7, "version": 1}',
    )
    assert "There is no agreement A-7" in ghost.json["errors"]["what"]
    # An external user cannot submit the form either
    outsider = await app.driver.view_submission(user="U0GRETA", view=view, values=filled(globex))
    assert "Only members of the workspace" in " ".join(outsider.json["errors"].values())
    await app.settle()
    assert await snapshot(app.store) == before


async def test_a_channel_shared_with_another_organisation_is_no_fallback(app: Running) -> None:
    view = await open_form(app, "new with <@U0IVAN|ivan>", channel="C0ACME")
    before = await snapshot(app.store)
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled("t:T0INITECH", who_people=["U0IVAN"])
    )
    assert "shared with another organisation" in reply.json["errors"]["party"]
    await app.settle()
    assert await snapshot(app.store) == before


# --- commands -------------------------------------------------------------------------------


async def test_help_and_mistakes_in_new(app: Running) -> None:
    for text in ("", "help", "frobnicate"):
        reply = await app.driver.command("/agreement", text, user="U0ALICE", channel="C0DESK")
        assert "/agreement new" in said(reply, raw=True)
    assert "is not an /agreement subcommand" in said(
        raw=True,
        reply=await app.driver.command(
            "/agreement", "frobnicate", user="U0ALICE", channel="C0DESK"
        ),
    )
    cases = [
        ("new with <@U0BOB|bob>", "is a member of this workspace"),
        ("new with <@U0RAJ|raj> <@U0GRETA|greta>", "one organisation"),
        ("new with <@U0PARLEY|parley>", "is a bot"),
        ("new with @nobody", "can't find @nobody"),
    ]
    before = await snapshot(app.store)
    for text, expected in cases:
        reply = await app.driver.command("/agreement", text, user="U0ALICE", channel="C0DESK")
        assert expected in said(reply, raw=True), text
    dm = await app.driver.command("/agreement", "new", user="U0ALICE", channel="U0ALICE")
    assert "Draft the agreement in a channel" in said(dm, raw=True)
    assert app.slack.calls_to("views.open") == []
    assert await snapshot(app.store) == before


async def test_external_users_are_refused_every_subcommand(app: Running) -> None:
    await draft(app)
    before = await snapshot(app.store)
    for text in (
        "new",
        "new with <@U0GRETA|greta>",
        "list",
        "show A-1",
        "edit A-1",
        "revoke A-1 x",
    ):
        reply = await app.driver.command("/agreement", text, user="U0GRETA", channel="C0GLOBEX")
        assert "Only members of the workspace that runs Parley" in said(reply, raw=True), text
    await app.settle()
    assert await snapshot(app.store) == before
    assert len(app.slack.calls_to("views.open")) == 1


async def test_unknown_and_malformed_ids_change_nothing(app: Running) -> None:
    await draft(app)
    before = await snapshot(app.store)
    cases = [
        ("show A-9", "There is no agreement A-9"),
        ("show", "Which agreement?"),
        ("show X-1", "not an agreement id"),
        ("show A-1 v9", "has no version 9"),
        ("show A-1 version", "not a version"),
        ("edit A-9", "There is no agreement A-9"),
        ("edit", "Which agreement?"),
        ("revoke A-9 ended", "There is no agreement A-9"),
        ("revoke A-1", "The reason is empty"),
        ("revoke A-1 " + "r" * 2001, "keep it to 2000"),
        ("revoke", "Which agreement?"),
        ("list Initech", "There is no party named “Initech”"),
    ]
    for text, expected in cases:
        reply = await app.driver.command("/agreement", text, user="U0ALICE", channel="C0DESK")
        assert expected in said(reply, raw=True), (text, reply.text)
    await app.settle()
    assert await snapshot(app.store) == before


async def test_list_and_show(app: Running) -> None:
    await draft(app)
    await draft(app, mention="<@U0RAJ|raj>", party="Acme Networks", who_people=["U0RAJ"])
    listed = said(
        raw=True,
        reply=await app.driver.command("/agreement", "list", user="U0ALICE", channel="C0DESK"),
    )
    assert "Agreements (2)" in listed and listed.index("A-2") < listed.index("A-1")
    one = said(
        raw=True,
        reply=await app.driver.command(
            "/agreement", "list globex audit", user="U0ALICE", channel="C0DESK"
        ),
    )
    assert "Agreements with Globex Audit (1)" in one and "A-2" not in one
    shown = said(
        raw=True,
        reply=await app.driver.command("/agreement", "show a1", user="U0ALICE", channel="C0DESK"),
    )
    assert "A-1 · Agreement with Globex Audit" in shown and "Awaiting acknowledgment" in shown


# --- versions -------------------------------------------------------------------------------


async def test_edit_makes_a_new_version_that_needs_a_new_acknowledgment(app: Running) -> None:
    ts = await draft(app)
    await press(app, "U0GRETA", "C0GLOBEX", ts)
    view = await open_form(app, "edit A-1")
    assert view["title"]["text"] == "Edit A-1" and view["submit"]["text"] == "Save version 2"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert "party" not in blocks
    assert blocks["what"]["element"]["initial_value"] == "Monthly SLA report with the incident list"
    assert blocks["who_people"]["element"]["initial_users"] == ["U0GRETA", "U0ALICE"]
    assert blocks["where_channel"]["element"]["initial_conversation"] == "C0GLOBEX"
    assert blocks["valid_until"]["element"]["initial_date"] == "2027-06-30"
    unchanged = await app.driver.view_submission(user="U0ALICE", view=view, values=filled())
    assert "Nothing changed" in unchanged.json["errors"]["what"]
    app.clock.advance(timedelta(hours=1))
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(what="Weekly SLA report, incidents included")
    )
    assert reply.text in ("", "null", "{}"), reply.text
    await app.settle()
    a1 = await agreement(app)
    assert a1.version == 2 and a1.current.acknowledged_by is None and a1.card_ts == ts
    update = app.slack.calls_to("chat.update")[-1]
    assert update.args["ts"] == ts and "version 2, awaiting acknowledgment" in update.args["text"]
    assert actions_of(update.args["blocks"])[0]["value"] == "A-1:v2"
    line = app.slack.calls_to("chat.postMessage")[-1]
    assert line.args["thread_ts"] == ts and "needs a new acknowledgment" in line.args["text"]
    # the old card's button, pressed late, does not acknowledge the new version
    assert "version 2 replaces version 1" in await press(app, "U0GRETA", "C0GLOBEX", ts, "A-1:v1")
    # a second edit from the same stale form is refused
    before = await snapshot(app.store)
    stale = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values=filled(what="Daily"),
        private_metadata='{"channel": "C0DESK", "number": 1, "version": 1}',
    )
    assert "changed while you were editing" in stale.json["errors"]["what"]
    assert await snapshot(app.store) == before
    # v1 stays readable, with its acknowledgment
    old = said(
        raw=True,
        reply=await app.driver.command(
            "/agreement", "show A-1 v1", user="U0ALICE", channel="C0DESK"
        ),
    )
    assert "Monthly SLA report with the incident list" in old and "replaced by version 2" in old
    assert "Acknowledged* by <@U0GRETA>" in old
    assert (
        said(
            raw=True,
            reply=await app.driver.command(
                "/agreement", "show A-1v1", user="U0ALICE", channel="C0DESK"
            ),
        )
        == old
    )
    current = said(
        raw=True,
        reply=await app.driver.command("/agreement", "show A-1", user="U0ALICE", channel="C0DESK"),
    )
    assert "Weekly SLA report" in current and "Versions* (2)" in current
    assert "Awaiting acknowledgment" in current
    await press(app, "U0GRETA", "C0GLOBEX", ts, "A-1:v2")
    assert (await agreement(app)).current.acknowledged_by == "U0GRETA"


# --- revoke ---------------------------------------------------------------------------------


async def test_revoke_says_so_on_the_card_and_stays_on_record(app: Running) -> None:
    ts = await draft(app)
    reply = await app.driver.command(
        "/agreement", "revoke A-1 The audit contract ended", user="U0ALICE", channel="C0DESK"
    )
    assert "A-1 is revoked" in said(reply, raw=True)
    await app.settle()
    update = app.slack.calls_to("chat.update")[-1]
    assert update.args["ts"] == ts and "Revoked* by <@U0ALICE>" in json.dumps(update.args["blocks"])
    assert "The audit contract ended" in json.dumps(update.args["blocks"])
    assert actions_of(update.args["blocks"]) == []
    before = await snapshot(app.store)
    for text, expected in (
        ("revoke A-1 again", "already revoked"),
        ("edit A-1", "was revoked"),
    ):
        answered = await app.driver.command("/agreement", text, user="U0ALICE", channel="C0DESK")
        assert expected in said(answered, raw=True)
    assert "was revoked" in await press(app, "U0GRETA", "C0GLOBEX", ts, "A-1:v1")
    # an edit form opened before the revocation cannot save
    edit = await app.driver.view_submission(
        user="U0ALICE",
        view={"type": "modal", "callback_id": "agreement_form", "blocks": []},
        values=filled(what="New terms"),
        private_metadata='{"channel": "C0DESK", "number": 1, "version": 1}',
    )
    assert "was revoked" in edit.json["errors"]["what"]
    await app.settle()
    assert await snapshot(app.store) == before
    listed = said(
        raw=True,
        reply=await app.driver.command("/agreement", "list", user="U0ALICE", channel="C0DESK"),
    )
    assert "revoked" in listed
    (row,) = (await export_document(app.store))["agreements"]
    assert row["status"] == "revoked" and row["revoke_reason"] == "The audit contract ended"


# --- expiry ---------------------------------------------------------------------------------


async def test_expiry_updates_the_card_and_tells_the_owner_once(app: Running) -> None:
    # START is Mon 23 Nov 2026 10:00 in Shanghai: valid through Wednesday.
    ts = await draft(app, valid_until="2026-11-25")
    await app.parley.tick()
    app.clock.advance(timedelta(days=2, hours=13, minutes=59))  # Wed 23:59 Shanghai
    await app.parley.tick()
    await app.settle()
    dms = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"].startswith("D")]
    assert dms == []
    app.clock.advance(timedelta(minutes=2))  # Thu 00:01 Shanghai
    await app.parley.tick()
    await app.settle()
    dms = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"].startswith("D")]
    assert len(dms) == 1 and dms[0].args["channel"] == "D0ALICE"
    assert "A-1 · Agreement with Globex Audit" in json.dumps(
        dms[0].args["blocks"], ensure_ascii=False
    )
    assert "has expired" in json.dumps(dms[0].args["blocks"], ensure_ascii=False)
    update = app.slack.calls_to("chat.update")[-1]
    assert update.args["ts"] == ts and "Expired*" in json.dumps(update.args["blocks"])
    assert actions_of(update.args["blocks"]) == []
    for _ in range(3):
        app.clock.advance(timedelta(hours=7))
        await app.parley.tick()
    await app.settle()
    dms = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"].startswith("D")]
    assert len(dms) == 1
    assert (await agreement(app)).status.value == "expired"
    for text in ("show A-1", "list"):
        shown = said(
            raw=True,
            reply=await app.driver.command("/agreement", text, user="U0ALICE", channel="C0DESK"),
        )
        assert "xpired" in shown, text
    assert "expired after 2026-11-25" in await press(app, "U0GRETA", "C0GLOBEX", ts, "A-1:v1")
    # Renewing it with a new version makes it active again, awaiting a new acknowledgment.
    view = await open_form(app, "edit A-1")
    await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(valid_until="2027-11-25")
    )
    await app.settle()
    a1 = await agreement(app)
    assert (a1.status.value, a1.version) == ("active", 2)
    assert "agreement_acknowledge" in json.dumps(app.slack.calls_to("chat.update")[-1].args)


async def test_an_agreement_past_its_day_says_expired_before_the_job_runs(app: Running) -> None:
    await draft(app, valid_until="2026-11-23")
    app.clock.advance(timedelta(days=1))
    shown = said(
        raw=True,
        reply=await app.driver.command("/agreement", "show A-1", user="U0ALICE", channel="C0DESK"),
    )
    assert "Expired*" in shown
    assert (await agreement(app)).status.value == "active"  # the job has not run yet


# --- export ---------------------------------------------------------------------------------


async def test_export_holds_every_version_in_the_contract_shape(app: Running) -> None:
    ts = await draft(app)
    app.clock.advance(timedelta(minutes=30))
    await press(app, "U0GRETA", "C0GLOBEX", ts)
    view = await open_form(app, "edit A-1")
    await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(when="Weekly", valid_until="2027-12-31")
    )
    await app.settle()
    document = await export_document(app.store)
    v1, v2 = document["agreements"]
    assert set(v1) >= CONTRACT_KEYS and set(v2) >= CONTRACT_KEYS
    assert (v1["id"], v1["version"], v2["version"]) == ("A-1", 1, 2)
    assert v1["party"] == "Globex Audit" and v1["valid_until"] == "2027-06-30"
    assert (v1["status"], v2["status"]) == ("superseded", "active")
    assert (v1["acknowledged_by"], v2["acknowledged_by"]) == ("U0GRETA", None)
    assert v1["acknowledged_at"] == "2026-11-23T02:30:00Z"
    assert v1["created_at"] == "2026-11-23T02:00:00Z"
    assert (v1["when"], v2["when"]) == ("Monthly, within 5 working days of month end", "Weekly")
    assert v2["valid_until"] == "2027-12-31" and v1["who_people"] == ["U0GRETA", "U0ALICE"]
    table = to_csv(document, ExportKind.AGREEMENTS).splitlines()
    assert table[0].startswith(
        "id,version,party,what,why,who,when,where,how,authorization,valid_until,status,"
        "acknowledged_by"
    )
    assert len(table) == 3 and "U0GRETA; U0ALICE" in table[1]


# --- isolation and disputes -----------------------------------------------------------------


async def test_an_agreement_with_acme_never_shows_in_globex_channel(app: Running) -> None:
    await draft(app, mention="<@U0RAJ|raj>", party="Acme Networks", who_people=["U0RAJ"])
    await draft(app)
    posts = app.slack.calls_to("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["C0ACME", "C0GLOBEX"]
    answers = [
        await app.driver.command("/agreement", text, user="U0ALICE", channel="C0GLOBEX")
        for text in ("list", "show A-1", "show A-1 v1", "list Acme Networks", "show A-2")
    ]
    listed, hidden, hidden_v1, named, own = (said(a, raw=True) for a in answers)
    assert "A-2" in listed and "A-1" not in listed and "Acme" not in listed
    assert "There is no agreement A-1 in this channel" in hidden
    assert "There is no agreement A-1 in this channel" in hidden_v1
    assert "There is no party named “Acme Networks” in this channel" in named
    assert "Globex Audit" in own
    for call in app.slack.calls:
        if (call.args.get("channel") or call.args.get("_channel")) == "C0GLOBEX":
            assert "acme" not in json.dumps(call.args).lower()
            assert "U0RAJ" not in json.dumps(call.args)


async def test_dispute_show_links_the_agreements_in_force(app: Running) -> None:
    await draft(app)
    await draft(app, mention="<@U0RAJ|raj>", party="Acme Networks", who_people=["U0RAJ"])
    await app.driver.command(
        "/dispute",
        "open Audit finding with <@U0GRETA|greta> <@U0RAJ|raj>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.driver.command(
        "/dispute", "open Unrelated with <@U0IVAN|ivan>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    internal = said(
        raw=True,
        reply=await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK"),
    )
    assert "Agreements in force" in internal
    assert "A-1* with Globex Audit" in internal and "A-2* with Acme Networks" in internal
    in_globex = said(
        raw=True,
        reply=await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0GLOBEX"),
    )
    assert "A-1* with Globex Audit" in in_globex and "A-2" not in in_globex
    assert "Acme" not in in_globex
    other = said(
        raw=True,
        reply=await app.driver.command("/dispute", "show D-2", user="U0ALICE", channel="C0DESK"),
    )
    assert "Agreements in force" not in other
    await app.driver.command("/agreement", "revoke A-1 ended", user="U0ALICE", channel="C0DESK")
    after = said(
        raw=True,
        reply=await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK"),
    )
    assert "A-1*" not in after and "A-2*" in after


# --- Slack failing --------------------------------------------------------------------------


async def test_slack_failing_ends_in_a_clear_answer_and_changes_nothing(app: Running) -> None:
    before = await snapshot(app.store)
    # Slack asks for a wait longer than a request's retry budget: the lookup gives up at once
    app.slack.rate_limit("users.info", times=1, retry_after=600)
    reply = await app.driver.command(
        "/agreement", "new with <@U0GRETA|greta>", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    await app.settle(grace=30)
    told = [reply.text] + [str(c.args.get("text")) for c in app.slack.calls_to("response_url")]
    assert any("Slack is having trouble" in t for t in told), told
    assert app.slack.calls_to("views.open") == []
    assert await snapshot(app.store) == before


async def test_without_the_channel_list_the_card_goes_where_the_command_ran(
    app: Running,
) -> None:
    view = await open_form(app)
    app.slack.fail_next(3, status=500, method="users.conversations")
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values=filled(option_of(view, "Globex Audit"))
    )
    assert reply.text in ("", "null", "{}"), reply.text
    await app.settle()
    assert app.slack.calls_to("chat.postMessage")[-1].args["channel"] == "C0DESK"
    assert (await agreement(app)).channel_id == "C0DESK"
