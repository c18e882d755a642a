"""The demo's scenes of disputes: opening, listing, the ladder, overdue, threads and replies."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_


async def scene_open(s: Session) -> None:
    await s.command(
        "U0ALICE",
        "C0DESK",
        "/dispute",
        "open Core switch outage breaches the SLA with <@U0RAJ|raj>",
    )
    d1 = await s.dispute(1)
    s.check(
        d1 is not None and d1.title == "Core switch outage breaches the SLA", N_("D-1 is on record")
    )
    s.check(
        d1 is not None and [p.name for p in d1.parties] == ["Acme Networks"],
        N_("Raj's Slack Connect team makes Acme Networks a party"),
    )
    posts = s.running.slack.calls_to("chat.postMessage")
    s.check(
        bool(posts) and posts[-1].args.get("channel") == "C0DESK",
        N_("the dispute's card is posted in #service-desk"),
    )
    s.check(
        d1 is not None and d1.root_ts == (posts[-1].response or {}).get("ts"),
        N_("the card's message is the dispute's home thread"),
    )
    s.check(
        bool(posts)
        and s.says_n(
            str(posts[-1].args.get("blocks")),
            "due {day}, {n} working day left",
            "due {day}, {n} working days left",
            2,
        ),
        N_("Acme's agreed 2-working-day limit sets the clock"),
    )


async def scene_list_and_show(s: Session) -> None:
    await s.command(
        "U0BOB", "C0DESK", "/dispute", "open Quarterly invoice over-billed with <@U0GRETA|greta>"
    )
    listed = await s.command("U0BOB", "C0DESK", "/dispute", "list")
    text = reply_text(listed)
    s.check(
        "D-2" in text and "D-1" in text and text.index("D-2") < text.index("D-1"),
        N_("the list shows both disputes, newest first"),
    )
    shown = await s.command("U0ALICE", "C0DESK", "/dispute", "show d1")
    s.check(
        s.t("opened the dispute") in reply_text(shown) and "Acme Networks" in reply_text(shown),
        N_("`show d1` finds D-1 and its record"),
    )


async def scene_isolation(s: Session) -> None:
    listed = await s.command("U0ALICE", "C0ACME", "/dispute", "list")
    text = reply_text(listed)
    s.check(
        "D-1" in text and "Globex" not in text and "D-2" not in text,
        N_("in Acme's shared channel only Acme's dispute is listed"),
    )
    shown = await s.command("U0ALICE", "C0ACME", "/dispute", "show D-2")
    missing = s.t(
        "There is no dispute D-{number} in this channel. `/dispute list all` lists them.", number=2
    )
    s.check(missing in reply_text(shown), N_("Globex's dispute does not exist here"))


async def scene_ladder(s: Session) -> None:
    await s.command("U0ALICE", "C0DESK", "/dispute", "escalate D-1 Acme missed the agreed fix date")
    d1 = await s.dispute(1)
    s.check(d1 is not None and d1.stage.value == "multi_party", N_("D-1 climbs to multi_party"))
    updates = s.running.slack.calls_to("chat.update")
    s.check(
        bool(updates)
        and s.t("Stage {number}/{total} · {stage}", number=2, total=4, stage=s.t("Multi-party"))
        in str(updates[-1].args.get("blocks")),
        N_("the card is edited in place"),
    )
    posts_before = len(s.running.slack.calls_to("chat.postMessage"))
    await s.command("U0ALICE", "C0DESK", "/dispute", "note D-1 Our contract's clause 7 is weak")
    s.check(
        len(s.running.slack.calls_to("chat.postMessage")) == posts_before,
        N_("an internal note is never posted"),
    )
    await s.command("U0ALICE", "C0DESK", "/dispute", "escalate D-1 Beyond my authority")
    told = [
        c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0PROCESS"
    ]
    s.check(len(told) == 1, N_("the dispute-process channel is told"))
    refused = await s.command("U0ALICE", "C0DESK", "/dispute", "escalate D-1 Take it to court")
    s.check(
        s.says(
            reply_text(refused),
            "Only an approver may take {ref} to the {stage:lower} stage. "
            "Ask one of the approvers named in Parley's config.",
        ),
        N_("only an approver may go to legal"),
    )
    await s.command("U0CAROL", "C0DESK", "/dispute", "resolve D-1 Acme credits two months of fees")
    d1 = await s.dispute(1)
    s.check(d1 is not None and d1.status.value == "resolved", N_("Carol resolves D-1"))


async def scene_overdue_and_buttons(s: Session) -> None:
    await s.later(timedelta(days=3, minutes=1), N_("Three working days on, D-2 is still open"))
    dms = [c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"][0] == "D"]
    s.check(len(dms) == 1 and "D-2" in dms[0].args["text"], N_("Bob, D-2's owner, is told by DM"))
    await s.later(timedelta(hours=4), N_("Four hours later"))
    again = [c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"][0] == "D"]
    s.check(len(again) == 1, N_("nothing is told twice for the same stage"))
    dm = dms[0]
    ts = str((dm.response or {}).get("ts"))
    await s.press("U0BOB", dm.args["channel"], ts, "dispute_escalate", N_("Escalate"))
    await s.submit(
        "U0BOB",
        {"reason": {"text": "Globex has not answered the finding"}},
        "Globex has not answered the finding",
    )
    d2 = await s.dispute(2)
    s.check(d2 is not None and d2.stage.value == "multi_party", N_("the DM's button escalates D-2"))


async def scene_linked_thread(s: Session) -> None:
    await s.command("U0BOB", "C0DESK", "/dispute", "add D-2 <#C0GLOBEX|globex-shared>")
    roots = [
        c for c in s.running.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0GLOBEX"
    ]
    s.check(len(roots) == 1, N_("a linked thread is opened in Globex's shared channel"))
    s.check(
        bool(roots) and "Acme" not in str(roots[0].args),
        N_("it names no other party"),
    )


async def scene_replies(s: Session) -> None:
    root = s.running.slack.calls_to("chat.postMessage")
    linked = [c for c in root if c.args["channel"] == "C0GLOBEX" and not c.args.get("thread_ts")]
    thread = str((linked[-1].response or {}).get("ts")) if linked else ""
    await s.later(timedelta(hours=2), N_("Two hours later"))
    monday = "We will send the corrected invoice by Monday"
    s.say(
        s.t(
            N_("{where}  {who} (in the thread) › {text}"),
            where="#globex-shared",
            who="@greta",
            text=monday,
        )
    )
    message, _ = await s.running.driver.message("U0GRETA", "C0GLOBEX", monday, thread_ts=thread)
    s.say("    " + s.t(N_("(Slack delivers the same event again: a retry)")))
    event = s.running.driver.message_event(message)
    await s.running.driver.event(event, event_id="Ev0DEMO1")
    await s.running.driver.event(event, event_id="Ev0DEMO1", retry_num=1, retry_reason="timeout")
    friday = "We will send the corrected invoice by Friday"
    s.say(
        s.t(
            N_("{where}  {who} edits it › {text}"),
            where="#globex-shared",
            who="@greta",
            text=friday,
        )
    )
    await s.running.driver.edit_message("C0GLOBEX", message.ts, friday)
    shown = await s.command("U0BOB", "C0DESK", "/dispute", "show D-2")
    text = reply_text(shown)
    s.check(
        text.count("corrected invoice by Monday") == 1, N_("Greta's reply is on D-2's record once")
    )
    s.check(s.t("edited a reply") in text, N_("the edit is on the record, beside the original"))
    s.check(
        "Globex Audit" in text
        and s.says(text, "{party}: first reply after {wall} ({working} in office hours)"),
        N_("Globex's first-response clock is shown"),
    )
    await s.command("U0ALICE", "C0DESK", "/party", "list")


async def scene_reopen(s: Session) -> None:
    updates_before = len(s.running.slack.calls_to("chat.update"))
    answered = await s.command(
        "U0ALICE",
        "C0DESK",
        "/dispute",
        "reopen D-1 Acme's fix did not hold: the switch failed again",
    )
    s.check(
        "D-1" in reply_text(answered)
        and s.says(reply_text(answered), "reopened at {stage}, with a fresh clock")
        and s.t("Stage {number}/{total} · {stage}", number=3, total=4, stage=s.t("Company process"))
        in reply_text(answered),
        N_("Alice reopens D-1 at the stage it was resolved at"),
    )
    d1 = await s.dispute(1)
    s.check(
        d1 is not None
        and d1.status.value == "open"
        and d1.stage.value == "company_process"
        and d1.stage_started_at == s.running.clock.now(),
        N_("D-1 is open again, with its stage's clock started afresh"),
    )
    updates = s.running.slack.calls_to("chat.update")
    s.check(
        len(updates) > updates_before
        and s.says_n(
            str(updates[-1].args.get("blocks")),
            "due {day}, {n} working day left",
            "due {day}, {n} working days left",
            10,
        )
        and s.t("Escalate") in str(updates[-1].args.get("blocks")),
        N_("its card is edited in place: open, due in 10 working days, its buttons back"),
    )
    shown = await s.command("U0ALICE", "C0DESK", "/dispute", "show D-1")
    s.check(
        reply_text(shown).count(s.t("reopened the dispute")) == 1,
        N_("the record has one reopening, with its reason"),
    )
    await s.command("U0ALICE", "C0DESK", "/dispute", "resolve D-1 Acme replaced the switch")
