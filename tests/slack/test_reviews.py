"""`/review` over HTTP: scheduling read back, every bad input refused with nothing changed,
isolation between parties, minutes, action items and their Done button, and the export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.recurrence import Recurrence
from bot.domain.reviews import Review
from bot.sandbox.harness import Running
from bot.sandbox.workspace import NORTHWIND, User
from bot.store import reviews as reviews_repo
from bot.workflows.export import ExportKind, export_document, to_csv
from tests import saying
from tests.conftest import snapshot as snapshot_of

MONTHLY = (
    "schedule Monthly service review with <@U0RAJ|raj> every month on the 10th working day at 10:00"
)


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/review", text, user=user, channel=channel)


async def review(app: Running, number: int) -> Review | None:
    async with app.store.read() as conn:
        return await reviews_repo.get(conn, workspace_id="T0PARLEY", number=number)


def posts(app: Running, channel: str | None = None) -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if channel is None or c.args["channel"] == channel
    ]


# ------------------------------------------------------------------------------ schedule


async def test_schedule_reads_back_unambiguously_and_stores_the_rule(app: Running) -> None:
    answer = await run(app, MONTHLY, channel="C0ACME")
    assert (
        "R-1 · Monthly service review · next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · "
        "every month on the 10th working day at 10:00" in answer
    )
    r1 = await review(app, 1)
    assert r1 is not None
    assert (r1.title, r1.channel_id, r1.owner_id, r1.tz) == (
        "Monthly service review",
        "C0ACME",
        "U0ALICE",
        "Asia/Shanghai",
    )
    assert r1.participants == ("U0ALICE", "U0RAJ")
    assert [p.name for p in r1.parties] == ["Acme Networks"]
    assert r1.next_at == datetime(2026, 12, 14, 2, 0, tzinfo=UTC)
    assert r1.recurrence == Recurrence.working_days(10, "month").to_storage()
    assert r1.status.value == "scheduled"
    # The answer is only for Alice; nothing is posted until the reminders.
    assert posts(app) == []


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("Kickoff next Tuesday 3pm", "once: Tue 24 Nov 2026 15:00 (Asia/Shanghai)"),
        ("Kickoff tomorrow 10:00", "once: Tue 24 Nov 2026 10:00 (Asia/Shanghai)"),
        ("Kickoff Dec 3 at 14:30", "once: Thu 3 Dec 2026 14:30 (Asia/Shanghai)"),
        ("启动会明天上午10点", "once: Tue 24 Nov 2026 10:00 (Asia/Shanghai)"),
        ("启动会 下周二下午3点", "once: Tue 1 Dec 2026 15:00 (Asia/Shanghai)"),
        ("启动会12月3日下午2点半", "once: Thu 3 Dec 2026 14:30 (Asia/Shanghai)"),
        (
            "Ops every Monday 9:30",
            "next: Mon 30 Nov 2026 09:30 (Asia/Shanghai) · every Monday at 09:30",
        ),
        (
            "Sync every 2 weeks on Friday at 16:00",
            "next: Fri 27 Nov 2026 16:00 (Asia/Shanghai) · every 2 weeks on Friday at 16:00",
        ),
        (
            "Review every month on the 15th",
            "next: Tue 15 Dec 2026 10:00 (Asia/Shanghai) · every month on the 15th at 10:00",
        ),
        (
            "Review every month on the last working day",
            "next: Mon 30 Nov 2026 10:00 (Asia/Shanghai) · every month on the last working day at 10:00",
        ),
        (
            "QBR every quarter on the 5th working day",
            "next: Fri 8 Jan 2027 10:00 (Asia/Shanghai) · every quarter on the 5th working day at 10:00",
        ),
        ("Ops weekly", "next: Mon 30 Nov 2026 10:00 (Asia/Shanghai) · every Monday at 10:00"),
        (
            "Ops monthly",
            "next: Tue 1 Dec 2026 10:00 (Asia/Shanghai) · every month on the 1st working day at 10:00",
        ),
        (
            "Ops quarterly",
            "next: Mon 4 Jan 2027 10:00 (Asia/Shanghai) · every quarter on the 1st working day at 10:00",
        ),
        (
            "周会每周一上午9点半",
            "next: Mon 30 Nov 2026 09:30 (Asia/Shanghai) · every Monday at 09:30",
        ),
        (
            "月度评审每月第10个工作日上午10点",
            "next: Mon 14 Dec 2026 10:00 (Asia/Shanghai) · every month on the 10th working day at 10:00",
        ),
        (
            "Ops every Monday 9:30 in Europe/Berlin",
            "next: Mon 23 Nov 2026 09:30 (Europe/Berlin) · every Monday at 09:30",
        ),
    ],
)
async def test_the_promised_forms_are_read(app: Running, text: str, reading: str) -> None:
    answer = await run(app, f"schedule {text}")
    assert "R-1 · " in answer and reading in answer, answer


async def test_a_year_without_an_official_calendar_is_flagged(app: Running) -> None:
    answer = await run(app, "schedule QBR with <@U0RAJ|raj> quarterly")
    assert "the official 2027 holiday schedule is not published yet" in answer


async def test_the_schedulers_own_zone_is_used(app: Running) -> None:
    # Bob's Slack profile says Europe/Berlin, where it is 03:00 on Monday.
    answer = await run(app, "schedule Ops sync every Monday 9:30", user="U0BOB")
    assert "next: Mon 23 Nov 2026 09:30 (Europe/Berlin)" in answer
    r1 = await review(app, 1)
    assert r1 is not None and r1.tz == "Europe/Berlin"
    assert r1.next_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


async def test_monthly_deadlines_are_kept_and_a_late_meeting_is_flagged(app: Running) -> None:
    answer = await run(
        app,
        "schedule Monthly service review with <@U0RAJ|raj> every month on the 15th "
        "report within 5 working days, meeting within 10 working days",
        channel="C0ACME",
    )
    assert "service report by the 5th working day; meeting by the 10th working day" in answer
    assert "Tue 15 Dec is after the month's meeting deadline (Mon 14 Dec" in answer
    r1 = await review(app, 1)
    assert r1 is not None and (r1.report_within, r1.meeting_within) == (5, 10)
    on_time = await run(
        app, "schedule Ops review every month on the 3rd working day with deadlines"
    )
    assert "service report by the 5th working day" in on_time and ":warning:" not in on_time


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("schedule Review yesterday 10:00", "not in the future"),
        ("schedule Review today 9:00", "not in the future"),
        ("schedule Review Feb 30", "There is no 30 February"),
        ("schedule Review Feb 30 at 10:00", "There is no 30 February"),
        ("schedule 评审2月30日上午10点", "There is no 30 February"),
        (
            "schedule QBR every quarter on the 66th working day",
            "no occurrence in the next two years",
        ),
        ("schedule Review every Monday 9:30 in Mars/Olympus", "I don't know the time zone"),
        ("schedule Review with @nobody every Monday 9:30", "can't find @nobody"),
        ("schedule Review with <@U0NOPE|nope> every Monday 9:30", "can't find U0NOPE"),
        ("schedule    every Monday 9:30", "Give the review a title"),
        ("schedule \u200b\u200b every Monday 9:30", "The title is empty"),
        ("schedule Review sometime soon", "couldn't find a time"),
        ("schedule Review every day 10:00", "couldn't read"),
        ("schedule Review tomorrow 25:00", "couldn't find a time"),
        ("schedule Weekly every Monday report within 5 working days", "Only a monthly review"),
        ("schedule Monthly every month on the 3rd working day report within 40 days", "1 to 23"),
        ("schedule", "What should I schedule?"),
        ("show R-9", "There is no review R-9"),
        ("show X-1", "is not a review id"),
        ("show", "Which review?"),
        ("cancel R-9", "There is no review R-9"),
        ("skip R-9", "There is no review R-9"),
        ("minutes R-9 Agreed a credit", "There is no review R-9"),
        ("action R-9 <@U0BOB|bob> Dec 18 Send it", "There is no review R-9"),
        ("done T-9", "There is no action item T-9"),
        ("done D-1", "is not an action item id"),
        ("list everything", "is not a list"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    app: Running, text: str, expected: str
) -> None:
    before = await snapshot_of(app.store)
    answer = await run(app, text)
    assert expected in answer, answer
    assert ":warning:" in answer
    assert await snapshot_of(app.store) == before
    assert posts(app) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show R-1", "There is no review R-1 in this channel"),
        ("cancel R-1", "There is no review R-1 in this channel"),
        ("minutes R-1 notes", "There is no review R-1 in this channel"),
        ("skip R-1", "There is no review R-1 in this channel"),
    ],
)
async def test_another_partys_review_does_not_exist_in_their_channel(
    app: Running, text: str, expected: str
) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    before = await snapshot_of(app.store)
    answer = await run(app, text, channel="C0GLOBEX")
    assert expected in answer and "Acme" not in answer and "Monthly" not in answer
    assert await snapshot_of(app.store) == before


async def test_changes_to_one_review_are_refused_with_reasons(app: Running) -> None:
    await run(app, "schedule Kickoff with <@U0RAJ|raj> tomorrow 10:00", channel="C0ACME")
    await run(app, "schedule Weekly ops every Monday 9:30")
    before = await snapshot_of(app.store)
    cases = [
        ("skip R-1", "happens once"),
        ("minutes R-2 Too early", "has not met yet (next: Mon 30 Nov 2026 09:30 (Asia/Shanghai))"),
        ("minutes R-2", "The minutes is empty"),
        ("action R-2 Dec 18 Send it", "Who owns it?"),
        ("action R-2 <@U0BOB|bob> yesterday Send it", "not in the future"),
        ("action R-2 <@U0BOB|bob> every Friday Send it", "due once"),
        ("action R-2 <@U0BOB|bob> Dec 18", "What is to be done?"),
        ("action R-2 <@U0BOB|bob> Send it soon", "couldn't read a due date"),
        ("action R-2 <@U0BOB|bob> Feb 30 Send it", "There is no 30 February"),
        ("action R-2 <@U0PARLEY|parley> Dec 18 Send it", "is a bot"),
        ("action R-2 <@U0RAJ|raj> Dec 18 Send it", "does not speak for a party of R-2"),
    ]
    for text, expected in cases:
        answer = await run(app, text)
        assert expected in answer, (text, answer)
    assert await snapshot_of(app.store) == before
    assert "is cancelled" in await run(app, "cancel R-2")
    after_cancel = await snapshot_of(app.store)
    for text, expected in [
        ("cancel R-2", "already cancelled"),
        ("skip R-2", "is cancelled; there is nothing to skip"),
        ("action R-2 <@U0BOB|bob> Dec 18 Send it", "is cancelled; it takes no action items"),
    ]:
        assert expected in await run(app, text), text
    assert await snapshot_of(app.store) == after_cancel


async def test_a_participant_of_another_organisation_is_refused_in_a_shared_channel(
    app: Running,
) -> None:
    before = await snapshot_of(app.store)
    answer = await run(app, "schedule Joint review with <@U0GRETA|greta> monthly", channel="C0ACME")
    assert "does not speak for this channel's organisation" in answer
    assert "Globex" not in answer
    assert await snapshot_of(app.store) == before


async def test_an_unknown_zone_in_a_slack_profile_is_refused(app: Running) -> None:
    app.slack.workspace.add_user(
        User("U0ZED", NORTHWIND, "zed", "Zed Zone", tz="Mars/Olympus_Mons", display_name="zed")
    )
    app.slack.workspace.channels["C0DESK"].members.append("U0ZED")
    before = await snapshot_of(app.store)
    answer = await run(app, "schedule Ops every Monday 9:30", user="U0ZED")
    assert "Your Slack profile's time zone “Mars/Olympus_Mons” is not one I know" in answer
    assert await snapshot_of(app.store) == before
    fixed = await run(app, "schedule Ops every Monday 9:30 in Asia/Tokyo", user="U0ZED")
    assert "next: Mon 30 Nov 2026 09:30 (Asia/Tokyo)" in fixed


@pytest.mark.parametrize(
    "text",
    ["list", "schedule Our review monthly", "show R-1", "minutes R-1 we agree", "help"],
)
async def test_external_users_cannot_run_review(app: Running, text: str) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    before = await snapshot_of(app.store)
    answer = await run(app, text, user="U0RAJ", channel="C0ACME")
    if text == "help":
        assert "/review schedule" in answer
    else:
        assert "Only members of the workspace that runs Parley can use /review" in answer
    assert await snapshot_of(app.store) == before


async def test_help_and_unknown_subcommands_answer_the_usage(app: Running) -> None:
    for text in ("", "help"):
        assert "/review schedule &lt;title&gt;" in await run(app, text)
    unknown = await run(app, "frobnicate R-1")
    assert "`frobnicate` is not a /review subcommand" in unknown and "/review list" in unknown


# ------------------------------------------------------------------------------ list, show


async def test_lists_and_records_show_each_channel_only_its_own(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "schedule Audit follow-up with <@U0GRETA|greta> monthly", channel="C0GLOBEX")
    await run(app, "schedule Internal ops every Monday 9:30")
    desk = await run(app, "list")
    assert "R-1" in desk and "R-2" in desk and "R-3" in desk
    # Soonest first: Tue 1 Dec, then Mon 14 Dec; R-3 is Mon 30 Nov.
    assert desk.index("R-3") < desk.index("R-2") < desk.index("R-1")
    acme = await run(app, "list", channel="C0ACME")
    assert "R-1" in acme and "R-2" not in acme and "R-3" not in acme and "Globex" not in acme
    globex = await run(app, "list", channel="C0GLOBEX")
    assert "R-2" in globex and "R-1" not in globex and "Acme" not in globex
    shown = await run(app, "show r1", channel="C0ACME")
    assert "Monthly service review" in shown and "*Parties:* Acme Networks" in shown


async def test_skip_moves_only_the_next_occurrence(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    answer = await run(app, "skip R-1")
    assert "Mon 14 Dec 2026 10:00 (Asia/Shanghai) is skipped" in answer
    r1 = await review(app, 1)
    assert r1 is not None and r1.skipped == (datetime(2026, 12, 14, 2, 0, tzinfo=UTC),)
    assert r1.next_at is not None and r1.next_at.astimezone(UTC).month == 1
    assert "*Skipped:* Mon 14 Dec 2026 10:00" in await run(app, "show R-1")


async def test_cancel_keeps_the_record(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    assert "R-1 · Monthly service review is cancelled" in await run(app, "cancel R-1")
    r1 = await review(app, 1)
    assert r1 is not None and r1.status.value == "cancelled" and r1.next_at is None
    assert "No reviews are scheduled" in await run(app, "list")
    assert "R-1" in await run(app, "list all")
    assert "cancelled" in await run(app, "show R-1")


# ------------------------------------------------------------------------------ actions


async def test_action_items_are_posted_with_a_done_button(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    answer = await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    assert "T-1 from R-1: Send the corrected SLA report — <@U0RAJ>, due Fri 18 Dec 2026 10:00" in (
        answer
    )
    (post,) = posts(app, "C0ACME")
    assert "Send the corrected SLA report" in post["text"]
    assert "review_action_done" in json.dumps(post["blocks"])
    chinese = await run(app, "action r1 <@U0BOB|bob> 下周五发送报告")
    assert "T-2 from R-1: 发送报告 — <@U0BOB>, due Fri 4 Dec 2026 10:00" in chinese
    assert "1 open action item" not in await run(app, "list")
    assert "2 open action items" in await run(app, "list")
    shown = await run(app, "show R-1")
    assert "*Action items* (2 open of 2)" in shown and "T-1" in shown


async def test_done_button_only_for_members_and_only_once(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    ts = str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])
    before = await snapshot_of(app.store)
    refused = await app.driver.block_action(
        user="U0RAJ", channel="C0ACME", message_ts=ts, action_id="review_action_done"
    )
    assert refused.status == 200
    await app.settle()
    told = [c.args for c in app.slack.calls_to("response_url")][-1]
    assert "Only members of the workspace" in told["text"]
    assert await snapshot_of(app.store) == before
    await app.driver.block_action(
        user="U0ALICE", channel="C0ACME", message_ts=ts, action_id="review_action_done"
    )
    await app.settle()
    update = app.slack.calls_to("chat.update")[-1].args
    assert update["ts"] == ts and "Done by <@U0ALICE>" in json.dumps(update["blocks"])
    assert "review_action_done" not in json.dumps(update["blocks"])
    async with app.store.read() as conn:
        item = await reviews_repo.get_action(conn, workspace_id="T0PARLEY", number=1)
    assert item is not None and item.status.value == "done" and item.done_by == "U0ALICE"
    assert "T-1 is already done by <@U0ALICE>" in await run(app, "done T-1")


async def test_done_command_marks_it_done_and_edits_the_post(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "action R-1 <@U0BOB|bob> Dec 18 Draft the improvement plan")
    assert "T-1 is done" in await run(app, "done t1")
    assert "Done by <@U0ALICE>" in json.dumps(app.slack.calls_to("chat.update")[-1].args["blocks"])


# ------------------------------------------------------------------------------ export


async def test_export_has_reviews_and_actions_in_the_contracts_shape(app: Running) -> None:
    await run(app, MONTHLY, channel="C0ACME")
    await run(app, "schedule Kickoff tomorrow 10:00")
    await run(app, "action R-1 <@U0RAJ|raj> Dec 18 Send the corrected SLA report")
    await run(app, "cancel R-2")
    document = await export_document(app.store)
    assert document["reviews"] == [
        {
            "id": "R-1",
            "title": "Monthly service review",
            "channel": "C0ACME",
            "participants": ["U0ALICE", "U0RAJ"],
            "recurrence": "every month on the 10th working day at 10:00",
            "next_at": "2026-12-14T02:00:00Z",
            "status": "scheduled",
            "dispute": None,
        },
        {
            "id": "R-2",
            "title": "Kickoff",
            "channel": "C0DESK",
            "participants": ["U0ALICE"],
            "recurrence": None,
            "next_at": None,
            "status": "cancelled",
            "dispute": None,
        },
    ]
    assert document["actions"] == [
        {
            "id": "T-1",
            "review": "R-1",
            "scorecard": None,
            "owner": "U0RAJ",
            "due_at": "2026-12-18T02:00:00Z",
            "text": "Send the corrected SLA report",
            "status": "open",
        }
    ]
    assert to_csv(document, ExportKind.REVIEWS).splitlines()[1] == (
        "R-1,Monthly service review,C0ACME,U0ALICE; U0RAJ,"
        "every month on the 10th working day at 10:00,2026-12-14T02:00:00Z,scheduled,"
    )
    assert to_csv(document, ExportKind.ACTIONS).splitlines() == [
        "id,review,owner,due_at,text,status,scorecard",
        "T-1,R-1,U0RAJ,2026-12-18T02:00:00Z,Send the corrected SLA report,open,",
    ]
