"""The first vertical slice end to end: signed slash commands in, Web API calls and rows out."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store.schema import disputes, timeline
from bot.workflows.export import export_document
from tests.saying import said


async def count_rows(app: Running) -> tuple[int, int]:
    async with app.store.read() as conn:
        d = (await conn.execute(sa.select(sa.func.count()).select_from(disputes))).scalar_one()
        t = (await conn.execute(sa.select(sa.func.count()).select_from(timeline))).scalar_one()
    return int(d), int(t)


async def test_open_stores_d1_acks_and_posts_the_card(app: Running) -> None:
    reply = await app.driver.command(
        "/dispute",
        "open Core switch outage breaches the SLA with <@U0RAJ|raj>",
        user="U0ALICE",
        channel="C0DESK",
    )
    assert reply.status == 200
    assert reply.text in ("", "null")  # an empty ack: the card is the answer
    posted = await app.slack.wait_for("chat.postMessage")
    call = posted[0]
    assert call.args["channel"] == "C0DESK"
    assert "thread_ts" not in call.args
    header = call.args["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "D-1 · Core switch outage breaches the SLA"
    body = call.args["blocks"][1]["text"]["text"]
    assert "Stage 1/4 · Coordination" in body
    # Acme agreed 2 working days for coordination: Mon 23 Nov 10:00 → Wed 25 Nov.
    assert "due Wed 25 Nov, 2 working days left" in body
    assert "Acme Networks (supplier)" in body
    assert "<@U0ALICE>" in body

    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        events = await timeline_repo.events(conn, dispute_id=d1.id)
    assert d1.title == "Core switch outage breaches the SLA"
    assert d1.owner_id == "U0ALICE"
    assert d1.channel_id == "C0DESK"
    assert [p.name for p in d1.parties] == ["Acme Networks"]
    assert d1.members == ("U0RAJ",)
    assert d1.stage_due_at == app.clock.now() + timedelta(days=2)
    assert [(e.kind, e.party) for e in events] == [
        ("opened", None),
        ("party_added", "Acme Networks"),
    ]


async def test_the_card_ts_becomes_the_home_thread(app: Running) -> None:
    await app.driver.command("/dispute", "open Late report", user="U0ALICE", channel="C0DESK")
    call = (await app.slack.wait_for("chat.postMessage"))[0]
    ts = call.response["ts"]

    await app.settle()
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None
    assert d1.root_ts == ts


async def test_numbers_go_up_and_list_is_newest_first(app: Running) -> None:
    for title in ("First", "Second", "Third"):
        await app.driver.command("/dispute", f"open {title}", user="U0ALICE", channel="C0DESK")
    reply = await app.driver.command("/dispute", "list", user="U0BOB", channel="C0DESK")
    text = said(reply)
    assert "Open disputes (3)" in text
    assert text.index("D-3") < text.index("D-2") < text.index("D-1")


async def test_show_accepts_every_spelling_of_the_id(app: Running) -> None:
    await app.driver.command("/dispute", "open Printer fleet", user="U0ALICE", channel="C0DESK")
    for spelling in ("D-1", "d1", "1", "d-1"):
        reply = await app.driver.command(
            "/dispute", f"show {spelling}", user="U0ALICE", channel="C0DESK"
        )
        text = said(reply)
        assert "D-1 · Printer fleet" in text
        assert "opened the dispute" in text


async def test_export_has_the_contract_shape(app: Running) -> None:
    await app.driver.command(
        "/dispute", "open Outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    document = await export_document(app.store)
    assert set(document) == {
        "disputes",
        "reviews",
        "actions",
        "agreements",
        "complaints",
        "praise",
        "valueadds",
        "surveys",
        "answers",
        "contracts",
        "scorecards",
    }
    (d,) = document["disputes"]
    assert {
        "id",
        "title",
        "status",
        "stage",
        "parties",
        "channel",
        "owner",
        "opened_at",
        "stage_due_at",
        "resolution",
        "timeline",
    } <= set(d)
    assert d["id"] == "D-1"
    assert d["status"] == "open"
    assert d["stage"] == "coordination"
    assert d["parties"] == ["Acme Networks"]
    assert d["opened_at"] == "2026-11-23T02:00:00Z"
    assert d["stage_due_at"] == "2026-11-25T02:00:00Z"
    assert [e["kind"] for e in d["timeline"]] == ["opened", "party_added"]
    assert all({"kind", "at", "actor", "party", "text"} <= set(e) for e in d["timeline"])


async def test_help_and_empty_text_give_usage(app: Running) -> None:
    for text in ("", "help", "HELP", "   "):
        reply = await app.driver.command("/dispute", text, user="U0ALICE", channel="C0DESK")
        assert "/dispute open &lt;title&gt;" in said(reply)
    assert await count_rows(app) == (0, 0)


async def test_a_command_that_says_payload_is_still_a_command(app: Running) -> None:
    # Bolt's own body parser took any form with the word "payload" in it for an interactive
    # payload, and the command reached no listener (404). Parley hands Bolt its parsed body.
    reply = await app.driver.command(
        "/dispute",
        "open Payload API returns 500 on every payload",
        user="U0ALICE",
        channel="C0DESK",
    )
    assert reply.status == 200
    await app.settle()
    reply = await app.driver.command(
        "/dispute", "note D-1 payload=broken&more", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        events = await timeline_repo.events(conn, dispute_id=d1.id)
    assert d1.title == "Payload API returns 500 on every payload"
    assert [e.text for e in events if e.kind == "note"] == ["payload=broken&more"]
