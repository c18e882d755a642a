"""The demo's scene of a dispute's meeting (`/dispute meet`): called, reminded with the
dispute's summary, and minuted on the dispute's record."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.store import disputes as disputes_repo
from bot.store import reviews as reviews_repo


async def scene_meeting(s: Session) -> None:
    zone = s.running.parley.config.calendar.zone
    closed = await s.command("U0ALICE", "C0DESK", "/dispute", "meet D-1 tomorrow 10:00")
    s.check(
        s.says(
            reply_text(closed),
            "{ref} is already {status}; a closed dispute holds no meetings. "
            "Reopen it first with `/dispute reopen {ref} <reason>`.",
        ),
        N_("resolved D-1 holds no meetings: reopen it first"),
    )
    await s.command(
        "U0ALICE", "C0ACME", "/dispute", "open Backups fail to restore with <@U0RAJ|raj>"
    )
    async with s.running.store.read() as conn:
        number = await disputes_repo.count(conn, workspace_id="T0PARLEY")
    dispute = await s.dispute(number)
    ref = f"D-{number}"
    root = dispute.root_ts if dispute is not None else None
    reply = "Restores fail on the new storage array; our vendor ticket is 4411"
    s.say(
        s.t(
            N_("{where}  {who} (in the thread) › {text}"),
            where="#acme-shared",
            who="@raj",
            text=reply,
        )
    )
    await s.running.driver.message("U0RAJ", "C0ACME", reply, thread_ts=root)
    await s.running.settle()

    repeating = await s.command("U0ALICE", "C0ACME", "/dispute", f"meet {ref} every Monday 9:30")
    s.check(
        s.says(
            reply_text(repeating),
            "A dispute's meeting happens once: give one time, like `next Tuesday 3pm` or "
            "`下周二下午3点`. Regular meetings with a party are `/review schedule`.",
        ),
        N_("a meeting of a dispute is one-off: a repeating time is refused"),
    )
    local = s.running.clock.now().astimezone(zone) + timedelta(days=3)
    meeting = datetime(local.year, local.month, local.day, 15, 0, tzinfo=zone)
    called = await s.command(
        "U0ALICE",
        "C0ACME",
        "/dispute",
        f"meet {ref} {meeting:%b} {meeting.day} 15:00 with <@U0BOB|bob>",
    )
    async with s.running.store.read() as conn:
        called_on = await reviews_repo.of_disputes(
            conn, dispute_ids=[dispute.id] if dispute is not None else []
        )
    review = called_on[-1].ref if called_on else "R-?"
    s.check(
        s.t("Meeting on {ref}: {title}", ref=ref, title="Backups fail to restore")
        in reply_text(called)
        and s.language.stamp(meeting) in reply_text(called)
        and bool(called_on)
        and called_on[-1].participants == ("U0ALICE", "U0BOB", "U0RAJ"),
        N_("{review} is read back: {when}, with Alice, Bob and Raj"),
        review=review,
        when=s.language.stamp(meeting),
    )
    posts = s.running.slack.calls_to("chat.postMessage")
    said = [c for c in posts if c.args.get("thread_ts") == root and review in str(c.args["text"])]
    s.check(len(said) == 1, N_("the meeting is said in the dispute's thread"))
    card = s.running.slack.calls_to("chat.update")[-1].args
    s.check(
        card.get("ts") == root and review in str(card.get("blocks")),
        N_("the dispute's card lists its meeting"),
    )

    mark = len(s.running.slack.calls_to("chat.postMessage"))
    await s.later(meeting - timedelta(days=1) - s.running.clock.now(), N_("The day before"))

    def reminders() -> list[Any]:
        return [
            c
            for c in s.running.slack.calls_to("chat.postMessage")[mark:]
            if c.args["channel"] == "C0ACME" and review in str(c.args.get("text"))
        ]

    found = reminders()
    blocks = str(found[0].args.get("blocks")) if found else ""
    s.check(
        len(found) == 1
        and s.t("*Agenda: {ref} · {title}*", ref=ref, title="Backups fail to restore") in blocks
        and "vendor ticket is 4411" in blocks,
        N_("#acme-shared is reminded with the dispute's summary and Raj's reply as the agenda"),
    )
    minutes = "Agreed: Acme restores from the old array by Friday and reports the root cause"
    s.say(
        s.t(
            N_("{where}  {who} (in the thread) › {text}"),
            where="#acme-shared",
            who="@raj",
            text=minutes,
        )
    )
    thread = str((found[0].response or {}).get("ts")) if found else ""
    await s.running.driver.message("U0RAJ", "C0ACME", minutes, thread_ts=thread)
    await s.running.settle()
    shown = await s.command("U0ALICE", "C0DESK", "/dispute", f"show {ref}")
    s.check(
        s.t("added to the minutes of a meeting") in reply_text(shown)
        and "by Friday" in reply_text(shown),
        N_("Raj's minutes are on the dispute's record too"),
    )
