"""Review reminders over time: a day before (the working day before, for working-day rules)
and 15 minutes before, the minutes prompt and minutes by reply, items due and the report
deadline; each sent once across ticks, restarts and late ticks; DST kept in local time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import ParleyConfig
from bot.domain.reviews import Review
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import reviews as reviews_repo
from bot.workflows.review_reminders import reminder_times
from tests import saying
from tests.conftest import START

MONTHLY = (
    "schedule Monthly service review with <@U0RAJ|raj> every month on the 10th working day at 10:00"
)
# The 10th CN working day of December 2026 is Mon 14 Dec; the working day before is Fri 11.
MEETING = datetime(2026, 12, 14, 2, 0, tzinfo=UTC)
DAY_BEFORE = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/review", text, user=user, channel=channel, raw=True)


def sent(app: Running, channel: str) -> list[Any]:
    return [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


async def tick_at(app: Running, when: datetime) -> None:
    app.clock.set(when)
    await app.parley.tick()
    await app.settle()


async def review(app: Running, number: int = 1) -> Review:
    async with app.store.read() as conn:
        found = await reviews_repo.get(conn, workspace_id="T0PARLEY", number=number)
    assert found is not None
    return found


async def test_reminders_prompt_and_minutes_once_each(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    assert len(sent(app, "C0ACME")) == 1  # the item's post

    await tick_at(app, DAY_BEFORE - timedelta(minutes=1))
    assert len(sent(app, "C0ACME")) == 1
    await tick_at(app, DAY_BEFORE)  # Fri 11 Dec 10:00: the working day before
    await tick_at(app, DAY_BEFORE + timedelta(minutes=5))
    reminders = sent(app, "C0ACME")[1:]
    assert len(reminders) == 1
    text = reminders[0].args["text"] + json.dumps(reminders[0].args["blocks"], ensure_ascii=False)
    assert "next meeting Mon 14 Dec 2026 10:00 (Asia/Shanghai)" in text
    for item in (
        "Review of service delivery against the agreement",
        "Key problems to negotiate",
        "Improvement plan for the next period",
    ):
        assert item in text
    assert "T-1" in text and "Send the corrected SLA report" in text and "<@U0RAJ>" in text
    assert "Reply in this thread" in text

    await tick_at(app, MEETING - timedelta(minutes=15))
    await tick_at(app, MEETING - timedelta(minutes=14))
    last_call = sent(app, "C0ACME")[2:]
    assert len(last_call) == 1 and "starts in 15 minutes" in last_call[0].args["text"]
    last_call_ts = str(last_call[0].response["ts"])

    await tick_at(app, MEETING)  # the meeting is held: the next occurrence is January's
    r1 = await review(app)
    assert r1.last_at == MEETING and r1.next_at is not None and r1.next_at.month == 1
    assert len(sent(app, "C0ACME")) == 3
    await tick_at(app, MEETING + timedelta(hours=1))
    await tick_at(app, MEETING + timedelta(hours=2))
    prompts = sent(app, "C0ACME")[3:]
    assert len(prompts) == 1
    assert prompts[0].args["thread_ts"] == last_call_ts
    assert "Reply in this thread with the minutes" in json.dumps(prompts[0].args["blocks"])

    message, _ = await app.driver.message(
        "U0RAJ",
        "C0ACME",
        "Acme will credit March; new escalation path agreed",
        thread_ts=last_call_ts,
    )
    event = app.driver.message_event(message)
    await app.driver.event(event, event_id="Ev0MINUTES")
    await app.driver.event(event, event_id="Ev0MINUTES", retry_num=1, retry_reason="timeout")
    await run(app, "minutes R-1 Internal: push for a bigger credit next time")
    async with app.store.read() as conn:
        minutes = await reviews_repo.minutes(conn, review_id=r1.id)
    assert [(m.author_id, m.party, m.occurrence_at) for m in minutes] == [
        ("U0RAJ", "Acme Networks", MEETING),
        ("U0ALICE", None, MEETING),
    ]
    shared = await run(app, "show R-1", channel="C0ACME")
    assert "Acme will credit March" in shared and "bigger credit" not in shared
    internal = await run(app, "show R-1")
    assert "Acme will credit March" in internal and "bigger credit" in internal


async def test_dispute_threads_are_still_captured(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await tick_at(app, DAY_BEFORE)
    reminder_ts = str(sent(app, "C0ACME")[-1].response["ts"])
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    card_ts = str(sent(app, "C0ACME")[-1].response["ts"])
    await app.driver.message("U0RAJ", "C0ACME", "About the outage: fixed", thread_ts=card_ts)
    await app.driver.message("U0RAJ", "C0ACME", "Agenda item for Monday", thread_ts=reminder_ts)
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        events = await timeline_repo.events(conn, dispute_id=d1.id)
        minutes = await reviews_repo.minutes(conn, review_id=(await review(app)).id)
    assert [e.text for e in events if e.kind == "reply"] == ["About the outage: fixed"]
    # Before the meeting, replies go into the minutes of the occurrence being reminded of.
    assert [(m.text, m.occurrence_at) for m in minutes] == [("Agenda item for Monday", MEETING)]


async def test_a_restart_neither_repeats_nor_skips(
    slack: SlackStandIn, config: ParleyConfig, sqlite_url: str
) -> None:
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack
    ) as first:
        await run(first, MONTHLY, channel="C0ACME")
        await tick_at(first, DAY_BEFORE - timedelta(days=1))
        assert sent(first, "C0ACME") == []
    # Parley is down from Thursday until Sunday: the day-before reminder goes out once, late.
    sunday = datetime(2026, 12, 13, 4, 0, tzinfo=UTC)
    async with running_parley(
        database_url=sqlite_url, config=config, start=sunday, slack=slack
    ) as second:
        await second.parley.tick()
        await second.parley.tick()
        await second.settle()
        assert len(sent(second, "C0ACME")) == 1
        assert "next meeting" in sent(second, "C0ACME")[0].args["text"]
    async with running_parley(
        database_url=sqlite_url, config=config, start=sunday + timedelta(hours=1), slack=slack
    ) as third:
        await third.parley.tick()
        await third.settle()
        assert len(sent(third, "C0ACME")) == 1  # not again after a restart
        await tick_at(third, MEETING - timedelta(minutes=10))
        await tick_at(third, MEETING - timedelta(minutes=5))
        assert len(sent(third, "C0ACME")) == 2
    assert slack.violations == []


async def test_down_across_the_meeting_the_prompt_carries_the_agenda(app: Running) -> None:
    await run(app, "schedule Kickoff with <@U0RAJ|raj> tomorrow 10:00", channel="C0ACME")
    await tick_at(app, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))  # Tue 15:00, after it
    await tick_at(app, datetime(2026, 11, 24, 7, 5, tzinfo=UTC))
    (prompt,) = sent(app, "C0ACME")
    assert "thread_ts" not in prompt.args
    blocks = json.dumps(prompt.args["blocks"])
    assert "met at Tue 24 Nov 2026 10:00" in blocks and "Key problems to negotiate" in blocks
    r1 = await review(app)
    assert r1.status.value == "done" and r1.next_at is None
    await app.driver.message(
        "U0RAJ", "C0ACME", "Kickoff done", thread_ts=str(prompt.response["ts"])
    )
    async with app.store.read() as conn:
        minutes = await reviews_repo.minutes(conn, review_id=r1.id)
    assert [m.text for m in minutes] == ["Kickoff done"]


async def test_a_reminder_due_before_scheduling_is_not_sent(app: Running) -> None:
    # Scheduled at 10:00 for 10:05: the last call (09:50) was already past.
    await run(app, "schedule Standup today 10:05")
    await tick_at(app, START + timedelta(minutes=1))
    assert sent(app, "C0DESK") == []


async def test_daylight_saving_keeps_local_time(app: Running) -> None:
    app.clock.set(datetime(2026, 10, 15, 10, 0, tzinfo=UTC))  # Thu 15 Oct, summer time
    answer = await run(app, "schedule Weekly sync every Monday 9:30", user="U0BOB")
    assert "next: Mon 19 Oct 2026 09:30 (Europe/Berlin)" in answer
    r1 = await review(app)
    assert r1.next_at == datetime(2026, 10, 19, 7, 30, tzinfo=UTC)  # CEST, UTC+2
    await tick_at(app, datetime(2026, 10, 19, 7, 30, tzinfo=UTC))
    r1 = await review(app)
    assert r1.next_at == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # CET, UTC+1: still 09:30
    times = reminder_times(r1, r1.next_at, app.parley.deps.calendar)  # type: ignore[union-attr]
    assert times["day-before"] == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)  # Sun 09:30 CET
    await tick_at(app, datetime(2026, 10, 26, 8, 15, tzinfo=UTC))
    texts = [c.args["text"] for c in sent(app, "C0DESK")]
    assert "R-1 · Weekly sync starts in 15 minutes (Mon 26 Oct 2026 09:30 (Europe/Berlin))" in texts


async def test_items_are_reminded_on_their_due_date_once(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "action R-1 <@U0BOB|bob> Dec 4 Draft the improvement plan")
    await run(app, "action R-1 <@U0RAJ|raj> Dec 4 Send the corrected SLA report")
    await run(app, "action R-1 <@U0BOB|bob> Dec 7 Book the room")
    morning = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # Fri 4 Dec 09:00 in Shanghai
    await tick_at(app, morning - timedelta(minutes=1))
    assert sent(app, "D0BOB") == [] and sent(app, "D0ALICE") == []
    await tick_at(app, morning)
    await tick_at(app, morning + timedelta(hours=2))
    (bob,) = sent(app, "D0BOB")
    assert "T-1" in bob.args["text"] and "review_action_done" in json.dumps(bob.args["blocks"])
    # Raj is of another organisation: the review's owner is told, and can press Done.
    (alice,) = sent(app, "D0ALICE")
    assert "owned by <@U0RAJ>" in json.dumps(alice.args["blocks"])
    await app.driver.block_action(
        user="U0BOB",
        channel="D0BOB",
        message_ts=str(bob.response["ts"]),
        action_id="review_action_done",
    )
    await app.settle()
    edited = {(c.args["channel"], c.args["ts"]) for c in app.slack.calls_to("chat.update")}
    assert ("D0BOB", str(bob.response["ts"])) in edited
    assert len(edited) == 2  # the DM and the item's post in #acme-shared
    # Parley was down on Mon 7 Dec: T-3 is reminded late, once.
    await tick_at(app, datetime(2026, 12, 9, 3, 0, tzinfo=UTC))
    await tick_at(app, datetime(2026, 12, 9, 4, 0, tzinfo=UTC))
    assert [c.args["text"][:3] for c in sent(app, "D0BOB")] == ["T-1", "T-3"]


async def test_the_owner_is_reminded_of_the_service_report(app: Running) -> None:
    await run(
        app,
        MONTHLY.replace("at 10:00", "at 10:00 report within 5 working days"),
        channel="C0ACME",
    )
    # The 5th working day of December is Mon 7 Dec: the reminder is Fri 4 Dec, 09:00.
    await tick_at(app, datetime(2026, 12, 4, 0, 59, tzinfo=UTC))
    assert sent(app, "D0ALICE") == []
    await tick_at(app, datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    await tick_at(app, datetime(2026, 12, 7, 1, 0, tzinfo=UTC))
    (dm,) = sent(app, "D0ALICE")
    assert "due by *Mon 7 Dec*, the 5th working day" in json.dumps(dm.args["blocks"])


async def test_cancelled_and_skipped_occurrences_are_not_reminded(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "schedule Ops review every Monday 9:30")
    await run(app, "cancel R-2")
    await run(app, "skip R-1")
    await tick_at(app, DAY_BEFORE)
    await tick_at(app, MEETING)
    await tick_at(app, MEETING + timedelta(hours=2))
    assert sent(app, "C0ACME") == [] and sent(app, "C0DESK") == []
    r1 = await review(app)
    assert r1.next_at is not None and r1.next_at > MEETING and r1.last_at is None
