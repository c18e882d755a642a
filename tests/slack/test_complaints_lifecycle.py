"""A complaint's life end to end: replies on its record, the first answer of ours, its two
clocks told once each, resolve and the party's Yes / No (or silence), escalation and the
dispute that caused it; every refusal leaving the data as it was."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.domain.complaints import ClosedBy, ComplaintStatus, EventKind
from bot.sandbox.harness import Running
from bot.workflows.export import ExportKind, export_document, to_csv, write_export
from tests.conftest import START
from tests.conftest import snapshot as snapshot_of
from tests.slack.complaints_setup import (  # noqa: F401 (fixtures)
    CARE,
    complaint,
    config,
    opened,
    posts,
    record,
    run,
    slack,
    text_of,
)


def in_thread(app: Running, root: str) -> list[dict[str, Any]]:
    return [
        c.args for c in app.slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == root
    ]


def dms(app: Running, user: str = "U0ALICE") -> list[dict[str, Any]]:
    return posts(app, "D" + user[1:])


def card_now(app: Running, root: str) -> str:
    """The card as it was last posted or edited."""
    edits = [c.args for c in app.slack.calls_to("chat.update") if c.args["ts"] == root]
    if edits:
        return text_of(edits[-1])
    first = next(
        c.args for c in app.slack.calls_to("chat.postMessage") if c.response.get("ts") == root
    )
    return text_of(first)


async def question(app: Running, root: str) -> str:
    """The ts of the last "Is this resolved for you?" in the thread."""
    asked = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == root and "complaint_resolved_yes" in text_of(c.args)
    ]
    assert asked, "no question in the thread"
    return str(asked[-1].response["ts"])


async def press(app: Running, user: str, ts: str, yes: bool, channel: str = "C0GLOBEX") -> str:
    """Press Yes or No; what Parley answered that person (ephemerally)."""
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver.block_action(
        user=user,
        channel=channel,
        message_ts=ts,
        action_id="complaint_resolved_yes" if yes else "complaint_resolved_no",
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("response_url")
    assert len(calls) == answered + 1
    return str(calls[-1].args["text"])


async def globex(app: Running) -> str:
    """C-1, Globex's, opened in Globex's shared channel; its card's ts."""
    return await opened(
        app, "open The monthly report is late again with <@U0GRETA|greta>", channel="C0GLOBEX"
    )


async def test_replies_go_on_the_record_and_our_first_answer_stops_its_clock(
    app: Running,
) -> None:
    root = await globex(app)
    await app.driver.message("U0GRETA", "C0GLOBEX", "Still nothing today", thread_ts=root)
    await app.settle()
    assert (await complaint(app)).first_answer_at is None  # theirs is no answer of ours
    app.clock.advance(timedelta(hours=2))
    stored = app.slack.post_human_message("U0ALICE", "C0GLOBEX", "On it, sorry", thread_ts=root)
    event = app.driver.message_event(stored)
    await app.driver.event(event, event_id="Ev0ANSWER")
    await app.settle()
    await app.driver.message("U0ALICE", "C0GLOBEX", "Report resent", thread_ts=root)
    await app.settle()
    found = await complaint(app)
    assert found.first_answer_at == START + timedelta(hours=2)
    events = await record(app)
    assert [e.kind for e in events] == [
        EventKind.OPENED,
        EventKind.REPLY,
        EventKind.REPLY,
        EventKind.ANSWERED,
        EventKind.REPLY,
    ]
    assert (events[1].actor_id, events[1].party, events[1].text) == (
        "U0GRETA",
        "Globex Audit",
        "Still nothing today",
    )
    assert events[2].party is None
    assert "First answer: given" in card_now(app, root)
    # a retried event records nothing twice
    before = await snapshot_of(app.store)
    await app.driver.event(event, event_id="Ev0ANSWER", retry_num=1)
    await app.settle()
    assert await snapshot_of(app.store) == before


async def test_each_clock_that_runs_out_is_told_once_to_the_owner_and_on_the_card(
    app: Running,
) -> None:
    root = await globex(app)
    app.clock.advance(timedelta(days=1, hours=1))  # Tue 11:00: the first answer is late
    for _ in range(2):
        await app.parley.tick()
        await app.settle()
    told = dms(app)
    assert len(told) == 1 and "has had no first answer in time" in text_of(told[0])
    assert "First answer: overdue" in card_now(app, root)
    app.clock.advance(timedelta(days=7))  # past the fifth working day
    for _ in range(2):
        await app.parley.tick()
        await app.settle()
    told = dms(app)
    assert len(told) == 2 and "is past its resolution time" in text_of(told[1])
    assert "Resolution: overdue" in card_now(app, root)
    assert [e.text for e in await record(app) if e.kind is EventKind.OVERDUE] == [
        "answer",
        "resolution",
    ]
    assert "C-1" in await run(app, "list overdue")
    assert not in_thread(app, root)  # the customer is not told of our lateness


async def test_resolve_asks_the_party_and_yes_closes_it_once(app: Running) -> None:
    root = await globex(app)
    answer = await run(app, "resolve C-1 Report resent with the fix")
    assert "C-1 is resolved; Globex Audit is asked in its thread to confirm." in answer
    found = await complaint(app)
    assert (found.status, found.round, found.resolution) == (
        ComplaintStatus.RESOLVED,
        1,
        "Report resent with the fix",
    )
    asked = in_thread(app, root)[-1]
    assert "Is this resolved for you?" in text_of(asked)
    ts = await question(app, root)

    before = await snapshot_of(app.store)
    refused = await press(app, "U0ALICE", ts, yes=True)
    assert "Only Globex Audit, whose complaint C-1 is, can say" in refused
    assert "waits for the customer's answer in its thread" in await run(app, "resolve C-1 Again")
    assert await snapshot_of(app.store) == before

    thanked = await press(app, "U0GRETA", ts, yes=True)
    assert "Thank you: C-1 is closed." in thanked
    found = await complaint(app)
    assert (found.status, found.closed_by) == (ComplaintStatus.CLOSED, ClosedBy.CONFIRMED)
    closing, survey = in_thread(app, root)[-2:]  # the close, then the case survey after it
    assert "the customer confirmed it is resolved. Thank you!" in text_of(closing)
    assert "How satisfied are you with how C-1 was handled?" in text_of(survey)
    assert "Closed: the customer confirmed" in card_now(app, root)

    before = await snapshot_of(app.store)
    posted = len(app.slack.calls_to("chat.postMessage"))
    again = await press(app, "U0GRETA", ts, yes=False)
    assert "has had its answer to that resolution already" in again
    assert await snapshot_of(app.store) == before
    assert len(app.slack.calls_to("chat.postMessage")) == posted
    for text in ("resolve C-1 Fixed", "escalate C-1 Again"):
        assert "C-1 is closed" in await run(app, text)
    assert await snapshot_of(app.store) == before


async def test_no_opens_it_again_with_its_clock_running_on(app: Running) -> None:
    root = await globex(app)
    due = (await complaint(app)).resolve_due_at
    app.clock.advance(timedelta(hours=3))
    await run(app, "resolve C-1 Report resent")
    first = await question(app, root)
    said = await press(app, "U0GRETA", first, yes=False)
    assert "C-1 is open again" in said
    found = await complaint(app)
    assert (found.status, found.resolve_due_at) == (ComplaintStatus.OPEN, due)
    assert "is not resolved: it is open again" in text_of(in_thread(app, root)[-1])
    await run(app, "resolve C-1 Report resent, with the fix this time")
    second = await question(app, root)
    before = await snapshot_of(app.store)
    stale = await press(app, "U0GRETA", first, yes=True)  # the first question's button
    assert "has had its answer to that resolution already" in stale
    assert await snapshot_of(app.store) == before
    assert "C-1 is closed" in await press(app, "U0GRETA", second, yes=True)
    kinds = [e.kind for e in await record(app)]
    assert kinds == [
        EventKind.OPENED,
        EventKind.RESOLVED,
        EventKind.ANSWERED,  # nobody had answered in the thread: the resolution is the answer
        EventKind.NOT_RESOLVED,
        EventKind.RESOLVED,
        EventKind.CONFIRMED,
    ]


async def test_another_partys_person_cannot_answer(app: Running) -> None:
    root = await opened(app, "open The report is late with <@U0GRETA|greta>")  # in #desk
    await run(app, "resolve C-1 Resent")
    ts = await question(app, root)
    before = await snapshot_of(app.store)
    refused = await press(app, "U0IVAN", ts, yes=True, channel="C0DESK")
    assert "There is no complaint C-1" in refused and "Globex" not in refused
    refused = await press(app, "U0RAJ", ts, yes=False, channel="C0DESK")
    assert "There is no complaint C-1" in refused
    assert await snapshot_of(app.store) == before


async def test_two_answers_racing_close_it_once(app: Running) -> None:
    root = await globex(app)
    await run(app, "resolve C-1 Resent")
    ts = await question(app, root)
    replies = await asyncio.gather(
        *(
            app.driver.block_action(
                user="U0GRETA", channel="C0GLOBEX", message_ts=ts, action_id=action
            )
            for action in ("complaint_resolved_yes", "complaint_resolved_no")
        )
    )
    assert all(r.status == 200 for r in replies)
    await app.settle()
    kinds = [e.kind for e in await record(app)]
    assert kinds.count(EventKind.CONFIRMED) + kinds.count(EventKind.NOT_RESOLVED) == 1


async def test_silence_closes_it_once_after_the_confirmation_window(app: Running) -> None:
    root = await globex(app)
    await run(app, "resolve C-1 Resent")
    app.clock.advance(timedelta(days=2))  # Wed: two working days, not yet three
    await app.parley.tick()
    await app.settle()
    assert (await complaint(app)).status is ComplaintStatus.RESOLVED
    app.clock.advance(timedelta(days=1, hours=1))  # Thu 11:00: three working days
    for _ in range(2):
        await app.parley.tick()
        await app.settle()
    found = await complaint(app)
    assert (found.status, found.closed_by) == (ComplaintStatus.CLOSED, ClosedBy.SILENCE)
    closes = [a for a in in_thread(app, root) if "is closed" in text_of(a)]
    assert len(closes) == 1
    assert "no answer to its resolution within 3 working days" in text_of(closes[0])
    assert "C-1 has had its answer" in await press(
        app, "U0GRETA", await question(app, root), yes=True
    )


async def test_escalation_is_recorded_the_channel_told_and_the_card_shows_it(
    app: Running,
) -> None:
    root = await globex(app)
    before = await snapshot_of(app.store)
    assert "An escalation needs a reason" in await run(app, "escalate C-1")
    assert "Which complaint?" in await run(app, "escalate")
    assert "There is no complaint C-9" in await run(app, "escalate C-9 Why")
    assert "characters long" in await run(app, "escalate C-1 " + "x" * 5000)
    assert await snapshot_of(app.store) == before
    answer = await run(app, "escalate C-1 The customer's CIO called <!channel>")
    assert "C-1 is escalated; the complaints channel is told." in answer
    told = posts(app, CARE)
    assert len(told) == 1
    assert "escalated complaint C-1 of Globex Audit" in text_of(told[0])
    assert "<!channel>" not in text_of(told[0])
    events = await record(app)
    assert (events[-1].kind, events[-1].text) == (
        EventKind.ESCALATED,
        "The customer's CIO called @channel",
    )
    assert (await complaint(app)).escalations == 1
    # The card in the customer's channel shows no internal step; an internal show does.
    assert "Escalated" not in card_now(app, root)
    internal = await run(app, "show C-1")
    assert "Escalated 1 time" in internal and "The customer's CIO called @channel" in internal
    shared = await run(app, "show C-1", channel="C0GLOBEX")
    assert "CIO" not in shared and "Escalated" not in shared


async def test_link_names_the_dispute_on_the_complaint_and_the_complaint_on_the_dispute(
    app: Running,
) -> None:
    await app.driver.command(
        "/dispute", "open Backbone outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    dispute_card = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
    root = await opened(app, "open The report is late with <@U0GRETA|greta>")
    before = await snapshot_of(app.store)
    assert "There is no dispute D-7" in await run(app, "link C-1 D-7")
    assert "Write the complaint and the dispute" in await run(app, "link C-1")
    assert "not a dispute id" in await run(app, "link C-1 X-1")
    assert "Link a complaint to a dispute in an internal channel" in await run(
        app, "link C-1 D-1", channel="C0GLOBEX"
    )
    assert await snapshot_of(app.store) == before
    assert "C-1 is linked to D-1" in await run(app, "link C-1 D-1")
    assert "is linked to D-1 already" in await run(app, "link c1 1")
    assert "*Caused by:* D-1" in card_now(app, root)
    shown = await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK")
    assert "Complaints it caused:* C-1" in text_of(shown.json)
    assert "Complaints it caused:* C-1" in card_now(app, dispute_card)
    # In the supplier's channel, nothing of the customer's complaint
    in_acme = await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0ACME")
    assert "C-1" not in text_of(in_acme.json)


async def test_the_export_carries_each_complaint_with_its_clocks_and_record(
    app: Running,
) -> None:
    await app.driver.command(
        "/dispute", "open Backbone outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    root = await globex(app)
    await run(app, "link C-1 D-1")
    await app.driver.message("U0ALICE", "C0GLOBEX", "On it", thread_ts=root)
    await app.settle()
    await run(app, "escalate C-1 The CIO called")
    await run(app, "resolve C-1 Resent")
    await press(app, "U0GRETA", await question(app, root), yes=True)
    await opened(app, "open Tickets closed early with <@U0IVAN|ivan>")
    document = await export_document(app.store)
    first, second = document["complaints"]
    assert first["id"] == "C-1" and second["id"] == "C-2"
    assert {k: first[k] for k in ("party", "complainant", "owner", "status", "closed_by")} == {
        "party": "Globex Audit",
        "complainant": "U0GRETA",
        "owner": "U0ALICE",
        "status": "closed",
        "closed_by": "confirmed",
    }
    assert first["opened_at"] == "2026-11-23T02:00:00Z"
    assert first["first_answer_at"] and first["resolved_at"] and first["closed_at"]
    assert first["escalations"] == [
        {"at": "2026-11-23T02:00:00Z", "actor": "U0ALICE", "reason": "The CIO called"}
    ]
    assert first["linked_disputes"] == ["D-1"]
    assert [e["kind"] for e in first["timeline"]] == [
        "opened",
        "linked",
        "reply",
        "answered",
        "escalated",
        "resolved",
        "confirmed",
    ]
    assert second["closed_by"] is None and second["party"] == "Initech"
    table = to_csv(document, ExportKind.COMPLAINTS).splitlines()
    assert table[0] == (
        "id,party,complainant,owner,status,text,channel,opened_at,answer_due_at,"
        "first_answer_at,resolve_due_at,resolved_at,resolution,closed_at,closed_by,"
        "escalations,linked_disputes"
    )
    assert table[1].startswith("C-1,Globex Audit,U0GRETA,U0ALICE,closed,")
    assert table[1].endswith(",confirmed,1,D-1")
    streamed: list[str] = []
    await write_export(app.store, streamed.append, fmt="json", kind=None)
    assert json.loads("".join(streamed)) == document
    rows: list[str] = []
    await write_export(app.store, rows.append, fmt="csv", kind=ExportKind.COMPLAINTS)
    assert "".join(rows) == to_csv(document, ExportKind.COMPLAINTS)


async def test_edits_and_deletions_in_its_thread_stay_on_the_record(app: Running) -> None:
    root = await globex(app)
    stored, _ = await app.driver.message("U0GRETA", "C0GLOBEX", "Still late", thread_ts=root)
    await app.settle()
    await app.driver.edit_message("C0GLOBEX", stored.ts, "Still late!!")
    await app.settle()
    await app.driver.delete_message("C0GLOBEX", stored.ts)
    await app.settle()
    events = await record(app)
    assert [(e.kind, e.text) for e in events[1:]] == [
        (EventKind.REPLY, "Still late"),
        (EventKind.EDITED, "Still late!!"),
        (EventKind.DELETED, "Still late!!"),
    ]


async def test_a_resolution_must_be_said_and_not_too_long(app: Running) -> None:
    await globex(app)
    before = await snapshot_of(app.store)
    assert "What resolved it?" in await run(app, "resolve C-1")
    assert "5,000 characters long" in await run(app, "resolve C-1 " + "x" * 5000)
    assert "Which complaint?" in await run(app, "resolve")
    assert "There is no complaint C-2" in await run(app, "resolve C-2 Fixed")
    assert await snapshot_of(app.store) == before
