"""The demo's scenes of agreements, digests, service reviews and the record chain."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.demo.session import Session, reply_text
from bot.domain import chain
from bot.domain.marks import N_
from bot.sandbox.blocktext import render_view
from bot.store import agreements as agreements_repo
from bot.store.schema import disputes, timeline
from bot.workflows.digests import DEFAULT_TIME, next_due
from bot.workflows.verify import describe, verify

AGREEMENT_TERMS: dict[str, dict[str, Any]] = {
    "what": {"value": "The monthly SLA report with the list of major incidents"},
    "why": {"value": "Globex's ISO 27001 surveillance audit of our service desk"},
    "who_people": {"people": ["U0GRETA", "U0ALICE"]},
    "who": {"value": "Globex's lead auditor; our service manager"},
    "when": {"value": "Monthly, within 5 working days of the month's end"},
    "where_channel": {"channel": "C0GLOBEX"},
    "where": {"value": "The shared channel, the report as an encrypted PDF"},
    "how": {"value": "Exported by the service desk, reviewed by the manager before sharing"},
    "authorization": {"value": "Approved by the CISO for each report"},
    "valid_until": {"date": "2027-06-30"},
}


async def scene_agreements(s: Session) -> None:
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/agreement",
        "new Monthly SLA report with <@U0GRETA|greta>",
    )
    form = s.running.slack.calls_to("views.open")[-1].args["view"]
    party = form["blocks"][0]["element"]
    s.check(
        party.get("initial_option", {}).get("text", {}).get("text") == "Globex Audit",
        N_("the form opens with Globex Audit as the party, from Greta's team"),
    )
    values = {"party": {"party": party["initial_option"]["value"]}, **AGREEMENT_TERMS}
    await s.submit(
        "U0ALICE", values, s.t(N_("the 5W1H of the monthly SLA report, valid until June"))
    )
    cards = [
        c
        for c in s.running.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0GLOBEX" and "A-1" in c.args["text"]
    ]
    s.check(len(cards) == 1, N_("A-1's card is posted in Globex's shared channel"))
    ts = str((cards[-1].response or {}).get("ts")) if cards else ""
    await s.press("U0ALICE", "C0GLOBEX", ts, "agreement_acknowledge", N_("Acknowledge"))
    refused = s.running.slack.calls_to("response_url")[-1].args.get("text", "")
    s.check(
        s.t(
            "Only {party}'s people can acknowledge {ref}: it records that they read and "
            "accept it, so nobody can do it on their behalf.",
            party="Globex Audit",
            ref="A-1",
        )
        in refused,
        N_("Alice cannot acknowledge for Globex"),
    )
    await s.later(timedelta(minutes=40), N_("Greta reads the card"))
    await s.press("U0GRETA", "C0GLOBEX", ts, "agreement_acknowledge", N_("Acknowledge"))
    card = s.running.slack.calls_to("chat.update")[-1].args
    s.check(
        card.get("ts") == ts
        and "<@U0GRETA>" in str(card.get("blocks"))
        and s.says(
            str(card.get("blocks")), ":white_check_mark: *Acknowledged* by {who} on {when} ({zone})"
        ),
        N_("Greta acknowledges; the card shows who and when"),
    )
    await s.command("U0ALICE", "C0DESK", "/agreement", "edit A-1")
    weekly = {**AGREEMENT_TERMS, "when": {"value": "Weekly, every Monday by noon"}}
    await s.submit("U0ALICE", weekly, s.t(N_("weekly instead of monthly")))
    async with s.running.store.read() as conn:
        a1 = await agreements_repo.get(conn, workspace_id="T0PARLEY", number=1)
    s.check(
        a1 is not None and a1.version == 2 and a1.current.acknowledged_by is None,
        N_("the edit is version 2, waiting for a new acknowledgment"),
    )
    old = await s.command("U0ALICE", "C0DESK", "/agreement", "show A-1 v1")
    s.check(
        "Monthly, within 5 working days" in reply_text(old),
        N_("version 1 stays readable, with Greta's acknowledgment"),
    )


async def scene_digest(s: Session) -> None:
    await s.command("U0ALICE", "C0DESK", "/digest", "subscribe at 09:00")
    deps = s.running.parley.deps
    assert deps is not None
    now = s.running.clock.now()
    due = next_due(DEFAULT_TIME, deps.config.calendar.zone, deps.calendar, after=now)
    mark = len(s.running.slack.calls)
    await s.later(due - now, N_("The next working morning"))

    def digests_since(start: int) -> list[Any]:
        return [
            c
            for c in s.running.slack.calls[start:]
            if c.method == "chat.postMessage"
            and c.args.get("channel") == "C0DESK"
            and s.says(str(c.args.get("text")), "Daily digest · {day}")
        ]

    posted = digests_since(mark)
    s.check(len(posted) == 1, N_("the digest is posted in #service-desk at 09:00"))
    blocks = str(posted[0].args.get("blocks")) if posted else ""
    s.check(
        "D-2" in blocks
        and s.t("Stage {number}/{total} · {stage}", number=2, total=4, stage=s.t("Multi-party"))
        in blocks
        and "archives/C0DESK" in blocks,
        N_("it lists D-2 with its stage and clock, linked to its thread"),
    )
    s.check(
        s.t("{who} ({party})", who="<@U0GRETA>", party="Globex Audit") in blocks,
        N_("it says Greta replied since the last digest"),
    )
    await s.later(timedelta(minutes=30), N_("Half an hour later"))
    s.check(len(digests_since(mark)) == 1, N_("it is posted once"))
    s.say(s.t(N_("{who} opens Parley's Home tab"), who="@bob"))
    before = len(s.running.slack.calls_to("views.publish"))
    await s.running.driver.home_opened("U0BOB")
    await s.running.settle()
    published = s.running.slack.calls_to("views.publish")[before:]
    if published:
        rendered = render_view(published[-1].args["view"], s.running.slack)
        s.say(textwrap.indent(rendered, "    ┆ ", predicate=lambda _line: True))
    s.check(
        bool(published) and "D-2" in str(published[-1].args["view"]),
        N_("Bob's Home shows D-2 with its clock and buttons"),
    )


async def scene_reviews(s: Session) -> None:
    async def until(when: datetime, why: str) -> None:
        await s.later(when - s.running.clock.now(), why)

    scheduled = await s.command(
        "U0ALICE",
        "C0ACME",
        "/review",
        "schedule Monthly service review with <@U0RAJ|raj> every month on the 10th working day "
        "at 10:00",
    )
    s.check(
        s.says(reply_text(scheduled), "next: {at} · {rule}")
        and s.language.stamp(datetime(2026, 12, 14, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
        in reply_text(scheduled),
        N_("R-1 is read back: the 10th CN working day of December is {day}"),
        day=s.language.day(date(2026, 12, 14)),
    )
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/review",
        "action R-1 <@U0RAJ|raj> Dec 18 Send the November service report",
    )
    items = [
        c
        for c in s.running.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0ACME" and "T-1" in str(c.args.get("text"))
    ]
    s.check(
        len(items) == 1 and "review_action_done" in str(items[0].args.get("blocks")),
        N_("T-1 is posted in #acme-shared with a Done button"),
    )
    mark = len(s.running.slack.calls_to("chat.postMessage"))
    await until(datetime(2026, 12, 11, 2, 0, tzinfo=UTC), N_("The working day before the meeting"))

    def reminders_since(start: int) -> list[Any]:
        return [
            c
            for c in s.running.slack.calls_to("chat.postMessage")[start:]
            if c.args["channel"] == "C0ACME" and "R-1" in str(c.args.get("text"))
        ]

    day_before = reminders_since(mark)
    s.check(
        len(day_before) == 1
        and s.t("Key problems to negotiate") in str(day_before[0].args.get("blocks"))
        and "T-1" in str(day_before[0].args.get("blocks")),
        N_("#acme-shared gets the agenda and Acme's open action items on {day}"),
        day=s.language.day(date(2026, 12, 11)),
    )
    await until(datetime(2026, 12, 14, 1, 45, tzinfo=UTC), N_("Monday, a quarter to ten"))
    last_call = reminders_since(mark)[1:]
    s.check(
        len(last_call) == 1
        and s.says(
            str(last_call[0].args.get("text")), "{ref} · {title} starts in 15 minutes ({at})"
        ),
        N_("15 minutes before, the last call"),
    )
    await until(datetime(2026, 12, 14, 3, 0, tzinfo=UTC), N_("An hour after the meeting began"))
    prompts = reminders_since(mark)[2:]
    thread = str((last_call[0].response or {}).get("ts")) if last_call else ""
    s.check(
        len(prompts) == 1 and prompts[0].args.get("thread_ts") == thread,
        N_("the minutes are asked for in the reminder's thread"),
    )
    minutes = "Agreed: Acme credits 5% of October's fee; new escalation contacts by Friday"
    s.say(
        s.t(
            N_("{where}  {who} (in the thread) › {text}"),
            where="#acme-shared",
            who="@raj",
            text=minutes,
        )
    )
    await s.running.driver.message("U0RAJ", "C0ACME", minutes, thread_ts=thread)
    item_ts = str((items[0].response or {}).get("ts")) if items else ""
    await s.press("U0ALICE", "C0ACME", item_ts, "review_action_done", N_("Done"))
    shown = await s.command("U0ALICE", "C0DESK", "/review", "show R-1")
    text = reply_text(shown)
    s.check("Acme credits 5%" in text, N_("Raj's reply is in the meeting's minutes"))
    s.check(
        s.t("*Action items* ({open} open of {n})", open=0, n=1) in text,
        N_("the Done button marked T-1 done"),
    )
    january = s.language.day_year(date(2027, 1, 15))
    s.check(s.says(text, "next: {at} · {rule}") and january in text, N_("R-1 moves on to January"))


async def scene_record_chain(s: Session) -> None:
    store = s.running.store
    s.say(
        s.t(
            N_("Parley checks D-1's record chain in process, as `parley verify --dispute D-1` does")
        )
    )
    verdict = await verify(store, number=1)
    s.say(
        "    │ "
        + s.t(
            N_("the record chain holds: {events} events of D-1, each hash recomputed"),
            events=verdict.events,
        )
    )
    s.check(
        verdict.holds and verdict.disputes == 1 and verdict.events >= 8,
        N_("D-1's whole life is on an unbroken chain"),
    )
    d1 = await s.dispute(1)
    head = d1.chain_head if d1 is not None else None
    shown = await s.command("U0ALICE", "C0DESK", "/dispute", "show D-1")
    elements = [
        str(e.get("text", ""))
        for b in (shown.json or {}).get("blocks", [])
        for e in b.get("elements", [])
        if isinstance(shown.json, dict)
    ]
    said = "\n".join([reply_text(shown), *elements])
    s.check(
        head is not None
        and f"`{chain.short(head)}…`" in said
        and head in said
        and s.says(
            said,
            "Record chain: `{short}…` (full hash `{full}`; "
            "`parley verify --dispute {ref}` checks it)",
        ),
        N_("`/dispute show` names the last hash that verify checked"),
    )
    # Somebody edits the resolution on the record behind Parley's back, then puts it back.
    async with store.write() as conn:
        row = (
            await conn.execute(
                sa.select(timeline.c.id, timeline.c.text)
                .join(disputes, disputes.c.id == timeline.c.dispute_id)
                .where(disputes.c.number == 1, timeline.c.kind == "resolved")
                .order_by(timeline.c.id)
                .limit(1)
            )
        ).one()
        await conn.execute(
            sa.update(timeline).where(timeline.c.id == row.id).values(text="Acme owes us nothing")
        )
    s.say(s.t(N_("Somebody rewrites D-1's first resolution straight in the database")))
    broken = await verify(store, number=1)
    # What `parley verify` prints (the command line speaks English, as its logs do).
    s.say("    │ parley verify: BROKEN: " + (describe(broken.fault) if broken.fault else "—"))
    s.check(
        broken.fault is not None
        and broken.fault.link is not None
        and broken.fault.link.row_id == row.id,
        N_("verify names the rewritten event: its dispute, kind, time and row"),
    )
    async with store.write() as conn:
        await conn.execute(sa.update(timeline).where(timeline.c.id == row.id).values(text=row.text))
    s.check((await verify(store)).holds, N_("with the text put back, every chain holds again"))
