"""`/dispute show` names the record chain's last hash to the company's own readers, in their
language, as `parley verify` and the export know it; a shared channel's `show` is as it was."""

from __future__ import annotations

import sqlalchemy as sa

from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store.schema import disputes, timeline
from bot.workflows.verify import verify
from tests.saying import said
from tests.slack.test_identity import acme_dispute


async def head(app: Running, number: int = 1) -> str:
    async with app.store.read() as conn:
        found = await conn.execute(
            sa.select(disputes.c.chain_head).where(disputes.c.number == number)
        )
        value = found.scalar_one()
    assert isinstance(value, str) and len(value) == 64
    return value


async def test_show_names_the_last_hash_and_follows_the_record(app: Running) -> None:
    await app.driver.command(
        "/dispute", "open Outage <!channel> with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    first = await head(app)
    text = said(await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK"))
    assert (
        f"Record chain: `{first[:12]}…` (full hash `{first}`; "
        "`parley verify --dispute D-1` checks it)"
    ) in text
    await app.driver.command("/dispute", "note D-1 checked", user="U0ALICE", channel="C0DESK")
    moved = await head(app)
    assert moved != first
    text = said(await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK"))
    assert f"`{moved[:12]}…`" in text and first not in text


async def test_a_shared_channels_show_has_no_hash(app: Running) -> None:
    await app.driver.command(
        "/dispute", "open Acme outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    value = await head(app)
    text = said(await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0ACME"))
    assert "Acme outage" in text
    assert "Record chain" not in text and value[:12] not in text


async def test_a_chinese_reader_reads_it_in_chinese(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    await app.driver.command("/dispute", "open 核心交换机故障", user="U0ALICE", channel="C0DESK")
    await app.settle()
    value = await head(app)
    text = said(await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK"))
    assert (
        f"记录哈希链：`{value[:12]}…`（完整哈希 `{value}`；"
        "可用 `parley verify --dispute D-1` 校验）"
    ) in text


async def test_a_reply_placed_after_the_ack_is_appended_and_the_chain_holds(
    app: Running,
) -> None:
    root = await acme_dispute(app, "No team sent", forget_raj=True)
    message = app.slack.post_human_message("U0RAJ", "C0ACME", "No team here", thread_ts=root.ts)
    event = app.driver.message_event(message)
    for key in ("user_team", "source_team", "team"):
        event.pop(key, None)
    assert (await app.driver.event(event)).status == 200
    await app.settle()
    async with app.store.read() as conn:
        rows = (
            await conn.execute(
                sa.select(timeline.c.kind, timeline.c.party_id, timeline.c.message_ts)
                .where(timeline.c.kind.in_(("reply", "placed")))
                .order_by(timeline.c.id)
            )
        ).all()
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        events = await timeline_repo.events(conn, dispute_id=d1.id)
    acme = next(p for p in d1.parties if p.name == "Acme Networks")
    # The reply's row is as it was stored before the ack; the placement follows it.
    assert rows == [("reply", None, message.ts), ("placed", acme.id, message.ts)]
    reply = next(e for e in events if e.kind == "reply")
    assert reply.party == "Acme Networks"
    assert d1.chain_head == events[-1].hash
    verdict = await verify(app.store)
    assert verdict.holds and verdict.events == len(events)
    # The company reads the placement on the record; the shared channel does not.
    inside = said(
        await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0DESK")
    )
    assert "<@U0RAJ> had a reply placed on their party by Slack's record" in inside
    outside = said(
        await app.driver.command("/dispute", "show D-1", user="U0ALICE", channel="C0ACME")
    )
    assert "placed on their party" not in outside and "No team here" in outside
