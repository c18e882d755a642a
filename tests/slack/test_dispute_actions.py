"""Escalate, resolve, withdraw, note and add over HTTP: the thread, the card, the channels told."""

from __future__ import annotations

import pytest

from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from tests import saying
from tests.conftest import snapshot as snapshot_of


async def snapshot(app: Running) -> dict[str, list[tuple[object, ...]]]:
    return await snapshot_of(app.store)


async def opened(app: Running, text: str = "open Core outage with <@U0RAJ|raj>") -> str:
    await app.driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/dispute", text, user=user, channel=channel)


async def test_escalation_climbs_tells_and_updates_the_card(app: Running) -> None:
    root = await opened(app)
    assert "escalated to Stage 2/4 · Multi-party" in await run(app, "escalate D-1 No fix by Friday")
    line = app.slack.calls_to("chat.postMessage")[-1]
    assert (line.args["channel"], line.args["thread_ts"]) == ("C0DESK", root)
    assert (
        "Escalated to *Stage 2/4 · Multi-party*" in line.args["text"]
        and "No fix by Friday" in line.args["text"]
    )
    update = app.slack.calls_to("chat.update")[-1]
    assert (update.args["channel"], update.args["ts"]) == ("C0DESK", root)
    assert "Stage 2/4 · Multi-party" in update.args["blocks"][1]["text"]["text"]
    # Acme agreed 3 working days at multi_party: Mon 23 Nov → Thu 26 Nov.
    assert "due Thu 26 Nov, 3 working days left" in update.args["blocks"][1]["text"]["text"]

    await run(app, "escalate d1 Beyond the manager's authority")
    process = [
        c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0PROCESS"
    ]
    assert len(process) == 1 and "entered *Stage 3/4 · Company process*" in process[0].args[
        "text"
    ] + str(process[0].args["blocks"])

    refused = await run(app, "escalate 1 Take it to court")
    assert "Only an approver" in refused
    approved = await run(app, "escalate 1 Approved for court", user="U0CAROL")
    assert "escalated to Stage 4/4 · Legal" in approved
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.stage.value == "legal" and d1.legal_hold
    legal = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0LEGAL"]
    assert len(legal) == 1 and "legal hold" in str(legal[0].args["blocks"])
    assert "last stage" in await run(app, "escalate 1 Further", user="U0CAROL")


async def test_resolve_closes_for_good(app: Running) -> None:
    await opened(app)
    assert "D-1 resolved" in await run(app, "resolve D-1 Credit note for March issued")
    before = await snapshot(app)
    for text in (
        "escalate D-1 again",
        "withdraw D-1 oops",
        "resolve D-1 twice",
        "note D-1 late note",
        "add D-1 <@U0BOB|bob>",
    ):
        assert "already resolved" in await run(app, text)
    assert await snapshot(app) == before
    card = app.slack.calls_to("chat.update")[-1].args["blocks"][1]["text"]["text"]
    assert "Resolved at stage 1/4" in card and "Credit note for March issued" in card
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.resolution == "Credit note for March issued"


async def test_notes_are_internal(app: Running) -> None:
    await opened(app)
    posts = len(app.slack.calls_to("chat.postMessage"))
    assert "Internal note added to D-1" in await run(app, "note D-1 Our contract clause 7 is weak")
    assert len(app.slack.calls_to("chat.postMessage")) == posts
    assert "clause 7" in await run(app, "show D-1")
    assert "clause 7" not in await run(app, "show D-1", channel="C0ACME")


async def test_add_people_brings_their_party(app: Running) -> None:
    await opened(app, "open Audit finding")
    assert "Added <@U0GRETA>" in await run(app, "add D-1 <@U0GRETA|greta> <@U0BOB|bob>")
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and [p.name for p in d1.parties] == ["Globex Audit"]
    assert set(d1.members) == {"U0GRETA", "U0BOB"}
    assert (
        "Globex Audit (third party)"
        in app.slack.calls_to("chat.update")[-1].args["blocks"][1]["text"]["text"]
    )
    assert "already part of D-1" in await run(app, "add D-1 <@U0GRETA|greta>")


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("escalate", "U0ALICE", "Which dispute?"),
        ("escalate D-1", "U0ALICE", "The reason is empty"),
        ("escalate D-9 why", "U0ALICE", "There is no dispute D-9"),
        ("escalate Z-1 why", "U0ALICE", "is not a dispute id"),
        ("resolve D-1", "U0ALICE", "The resolution is empty"),
        ("withdraw D-1 " + "x" * 5000, "U0ALICE", "keep it to 2000"),
        ("note D-1", "U0ALICE", "The note is empty"),
        ("add D-1", "U0ALICE", "Whom should I add?"),
        ("add D-1 <@U0NOBODY|ghost>", "U0ALICE", "can't find"),
        ("add D-1 #no-such-channel", "U0ALICE", "I can't see #no-such-channel"),
        ("add D-1 <#C0DESK|service-desk>", "U0ALICE", "already has a thread in"),
        ("escalate D-1 we insist", "U0RAJ", "Only members of the workspace"),
        ("note D-1 sneaky", "U0RAJ", "Only members of the workspace"),
    ],
)
async def test_bad_actions_change_nothing(
    app: Running, text: str, user: str, expected: str
) -> None:
    await opened(app)
    before = await snapshot(app)
    calls = len(app.slack.calls_to("chat.postMessage")) + len(app.slack.calls_to("chat.update"))
    assert expected in await run(
        app, text, user=user, channel="C0ACME" if user == "U0RAJ" else "C0DESK"
    )
    assert await snapshot(app) == before
    assert (
        len(app.slack.calls_to("chat.postMessage")) + len(app.slack.calls_to("chat.update"))
        == calls
    )


async def test_linked_threads_in_other_channels(app: Running) -> None:
    await opened(app, "open Outage across suppliers with <@U0RAJ|raj> <@U0GRETA|greta>")
    # A shared channel (already a member) and a public channel Parley must join first.
    reply = await app.driver.command(
        "/dispute", "add D-1 <#C0ACME|acme-shared> #random", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    await app.settle()
    told = app.slack.calls_to("response_url")[-1].args["text"]
    assert "Linked a thread in <#C0ACME>" in told and "Linked a thread in <#C0RANDOM>" in told
    assert app.slack.calls_to("conversations.join")[-1].args["channel"] == "C0RANDOM"
    acme_root = [
        c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ACME"
    ][-1]
    # Isolation: Acme's channel sees Acme, never Globex.
    assert "Acme Networks" in str(acme_root.args["blocks"]) and "Globex" not in str(acme_root.args)
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        threads = await timeline_repo.threads(conn, dispute_id=d1.id)
        events = await timeline_repo.events(conn, dispute_id=d1.id)
    assert {(c, k) for c, _, k in threads} == {
        ("C0DESK", "home"),
        ("C0ACME", "linked"),
        ("C0RANDOM", "linked"),
    }
    assert [e.text for e in events if e.kind == "thread_linked"] == [
        "#acme-shared (C0ACME)",
        "#random (C0RANDOM)",
    ]
    # Every card is edited in place after a change, each for its own audience.
    await run(app, "escalate D-1 Both suppliers are late")
    updated = {c.args["channel"]: c.args for c in app.slack.calls_to("chat.update")}
    assert set(updated) == {"C0DESK", "C0ACME", "C0RANDOM"}
    assert "Stage 2/4" in str(updated["C0ACME"]["blocks"]) and "Globex" not in str(
        updated["C0ACME"]
    )
    assert "Globex" in str(updated["C0DESK"]["blocks"])


async def test_a_private_channel_without_parley_is_explained(app: Running) -> None:
    await opened(app)
    secret = app.slack.workspace.channels["C0LEGAL"]
    secret.members = [m for m in secret.members if m != "U0PARLEY"]
    before = await snapshot(app)
    await app.driver.command(
        "/dispute", "add D-1 <#C0LEGAL|legal>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    assert "invite me there" in app.slack.calls_to("response_url")[-1].args["text"]
    after = await snapshot(app)
    assert after == before


@pytest.mark.parametrize(
    "text",
    [
        "open Ours now",
        "list",
        "show D-1",
        "escalate D-1 x",
        "resolve D-1 x",
        "withdraw D-1 x",
        "note D-1 x",
        "add D-1 <@U0GRETA|greta>",
    ],
)
async def test_external_users_can_run_no_subcommand(app: Running, text: str) -> None:
    await opened(app)
    before = await snapshot(app)
    assert "Only members of the workspace" in await run(app, text, user="U0RAJ", channel="C0ACME")
    assert await snapshot(app) == before


async def test_export_json_and_csv_after_a_whole_dispute(app: Running) -> None:
    import csv
    import io

    from bot.workflows.export import ExportKind, export_document, to_csv

    await opened(app)
    await run(app, "note D-1 Internal view")
    await run(app, "escalate D-1 Late")
    await run(app, "withdraw D-1 Settled informally")
    document = await export_document(app.store)
    (d,) = document["disputes"]
    assert d["status"] == "withdrawn" and d["stage"] == "multi_party"
    assert [e["kind"] for e in d["timeline"]] == [
        "opened",
        "party_added",
        "note",
        "escalated",
        "withdrawn",
    ]
    assert d["timeline"][2]["text"] == "Internal view"  # the export is internal: notes included
    rows = list(csv.DictReader(io.StringIO(to_csv(document, ExportKind.TIMELINE))))
    assert [r["kind"] for r in rows] == [e["kind"] for e in d["timeline"]] and rows[0][
        "dispute"
    ] == "D-1"
    (row,) = list(csv.DictReader(io.StringIO(to_csv(document, ExportKind.DISPUTES))))
    assert (
        row["id"] == "D-1"
        and row["parties"] == "Acme Networks"
        and row["stage_due_at"].endswith("Z")
    )
