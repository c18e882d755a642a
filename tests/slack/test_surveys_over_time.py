"""Periodic surveys over time, on the fake clock: the one reminder the working day before
closing, closing after `open_for` working days (case surveys too), and scheduled sends in the
reviews' recurrence language, each occurrence sent exactly once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands.surveys import sending_of
from bot.config import ParleyConfig, parse_config
from bot.sandbox.harness import Running
from bot.workflows import surveys as workflow
from tests.slack.complaints_setup import CONFIG, slack  # noqa: F401 (fixtures)
from tests.slack.survey_cases_setup import closed_by_yes
from tests.slack.surveys_setup import (
    posts,
    press_answer,
    reminders,
    run,
    schedules,
    sent,
    surveys_of,
    updates,
)

HUAWEI = '\n[parties."华为"]\nkind = "customer"\nslack_team = "T0HUAWEI"\n'
EACH = '\n[parties."Each Day Foods"]\nkind = "customer"\nslack_team = "T0EACH"\n'


@pytest.fixture
def config() -> ParleyConfig:
    return parse_config(CONFIG + HUAWEI + EACH, Path("tests/company.toml"))


async def ticks(app: Running, n: int = 2) -> None:
    for _ in range(n):
        await app.parley.tick()
        await app.settle()


async def test_one_reminder_the_working_day_before_then_closed_on_time(app: Running) -> None:
    ts = await sent(app)
    app.clock.advance(timedelta(days=3, hours=23))  # Thursday: nothing due yet
    await ticks(app)
    assert reminders(app) == []
    app.clock.advance(timedelta(hours=1))  # Friday 10:00, the working day before it closes
    await ticks(app, 3)
    (reminder,) = reminders(app)
    assert reminder["channel"] == "C0GLOBEX" and "closes on" in reminder["text"]
    assert "survey_answer" in json.dumps(reminder["blocks"])
    (survey,) = await surveys_of(app)
    assert survey.reminded and survey.status == "open"
    # the weekend is not working days: still open on Sunday
    app.clock.advance(timedelta(days=2, hours=23))
    await ticks(app)
    assert (await surveys_of(app))[0].status == "open"
    app.clock.advance(timedelta(hours=1))  # Monday 10:00: five working days
    await ticks(app, 3)
    (survey,) = await surveys_of(app)
    assert (survey.status, survey.closed_by) == ("closed", None)
    last = updates(app, ts)[-1]
    assert "survey_answer" not in json.dumps(last["blocks"]) and "Closed" in json.dumps(last)
    assert len(reminders(app)) == 1
    assert "Q-1 is closed" in await press_answer(app, "U0GRETA", ts, value="Q-1")


async def test_the_closing_job_closes_case_surveys_past_their_time(app: Running) -> None:
    await closed_by_yes(app)
    (case,) = await surveys_of(app)
    assert case.kind == "case" and case.status == "open"
    app.clock.advance(timedelta(days=8))
    await ticks(app)
    (case,) = await surveys_of(app)
    assert (case.status, case.closed_by) == ("closed", None)
    assert reminders(app) == []  # a case survey has no reminder


async def test_a_quarterly_schedule_sends_each_occurrence_once(app: Running) -> None:
    answer = await run(app, "schedule Globex Audit every quarter")
    assert "Globex Audit's survey is scheduled every quarter on the 1st working day" in answer
    (row,) = await schedules(app)
    first = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)  # 4 Jan 10:00 in Shanghai (1 Jan a holiday)
    assert (row.next_at, row.active) == (first, True)
    assert "has a survey schedule already" in await run(app, "schedule Globex Audit every month")
    await ticks(app)
    assert await surveys_of(app) == []
    app.clock.set(first)
    # two instances see the same due schedule at once: one sends, the other finds it taken
    (due,) = await workflow.due_schedules(app.store, now=first)
    sending = sending_of(app.parley.deps)
    both = await asyncio.gather(
        *(
            workflow.send_scheduled(
                app.store, schedule=due, channel_id="C0GLOBEX", sending=sending, now=first
            )
            for _ in range(2)
        )
    )
    assert sum(s is not None for s in both) == 1
    await ticks(app, 3)
    (survey,) = await surveys_of(app)
    assert (survey.schedule_id, survey.sent_by, survey.channel_id) == (row.id, None, "C0GLOBEX")
    assert len(posts(app)) == 1
    (row,) = await schedules(app)
    assert row.next_at == datetime(2027, 4, 1, 2, 0, tzinfo=UTC)
    listed = await run(app, "list")
    assert "Scheduled: Globex Audit every quarter on the 1st working day" in listed
    # the next quarter sends the next one, once
    app.clock.set(row.next_at + timedelta(minutes=1))
    await ticks(app, 3)
    assert [s.number for s in await surveys_of(app)] == [1, 2] and len(posts(app)) == 2


async def test_a_chinese_schedule_and_a_chinese_partys_name(app: Running) -> None:
    answer = await run(app, "schedule Initech 每月第1个工作日")
    assert "Initech's survey is scheduled" in answer
    answer = await run(app, "schedule 华为每季度")  # no space after a Chinese name
    assert "华为's survey is scheduled" in answer
    found = {r.party_id: r.next_at for r in await schedules(app)}
    assert sorted(found.values()) == [
        datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
        datetime(2027, 1, 4, 2, 0, tzinfo=UTC),
    ]
    # 华为 has no channel shared with it: its occurrence is skipped (and moved on), not sent
    app.clock.set(datetime(2027, 1, 4, 2, 1, tzinfo=UTC))
    await ticks(app, 3)
    sent_to = {s.channel_id for s in await surveys_of(app)}
    assert sent_to == {"C0INITECH"}
    assert all(r.next_at > app.clock.now() for r in await schedules(app))
    assert "I'm in no channel shared with 华为 alone" in await run(app, "send 华为")


async def test_a_partys_name_that_reads_like_a_repeating_time(app: Running) -> None:
    answer = await run(app, "schedule Each Day Foods every month on the 2nd working day")
    assert "Each Day Foods's survey is scheduled every month on the 2nd working day" in answer
    (row,) = await schedules(app)
    assert row.next_at == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def test_unschedule_stops_it_and_keeps_what_was_sent(app: Running) -> None:
    await run(app, "schedule Globex Audit every month")
    await sent(app)
    answer = await run(app, "unschedule Globex Audit")
    assert "Globex Audit's survey schedule is stopped" in answer
    (row,) = await schedules(app)
    assert not row.active
    app.clock.advance(timedelta(days=60))
    await ticks(app)
    assert len(await surveys_of(app)) == 1
    assert "Scheduled:" not in await run(app, "list")
    assert "Globex Audit has no survey schedule." in await run(app, "unschedule Globex Audit")
