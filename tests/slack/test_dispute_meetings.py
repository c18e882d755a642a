"""/dispute meet D-n <when> [with @user …] over HTTP: a one-off review R-n of the dispute,
said in its thread, on its card and record, reminded with the dispute's summary as agenda,
its minutes on both records; every bad input refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.reviews import Review
from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from bot.store import reviews as reviews_repo
from bot.workflows.export import ExportKind, export_document, to_csv
from tests import saying
from tests.conftest import snapshot as snapshot_of

# Thu 26 Nov 2026 15:00 in Alice's zone (Asia/Shanghai); the clock starts Mon 23 Nov 10:00.
MEETING = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
DAY_BEFORE = MEETING - timedelta(days=1)


async def run(
    app: Running,
    text: str,
    user: str = "U0ALICE",
    channel: str = "C0ACME",
    command: str = "/dispute",
) -> str:
    return await saying.answer(app, command, text, user=user, channel=channel)


def posts(app: Running, channel: str) -> list[Any]:
    return [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


def reminders(app: Running) -> list[Any]:
    return [c for c in posts(app, "C0ACME") if "next meeting" in c.args["text"]]


def block_text(call: Any) -> str:
    return "\n".join(
        str((b.get("text") or {}).get("text", "")) for b in call.args.get("blocks", [])
    )


async def opened(app: Running, channel: str = "C0ACME") -> str:
    """D-1 with Raj of Acme, in Acme's shared channel; the card's ts (its home thread)."""
    await run(app, "open Core outage with <@U0RAJ|raj>", channel=channel)
    return str(posts(app, channel)[-1].response["ts"])


async def r1(app: Running) -> Review:
    async with app.store.read() as conn:
        found = await reviews_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert found is not None
    return found


async def record(app: Running) -> list[tuple[str, str | None, str | None]]:
    async with app.store.read() as conn:
        dispute = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert dispute is not None
        events = await timeline_repo.events(conn, dispute_id=dispute.id)
    return [(e.kind.value, e.party, e.text) for e in events]


async def tick_at(app: Running, when: datetime) -> None:
    app.clock.set(when)
    await app.parley.tick()
    await app.settle()


async def test_a_meeting_is_called_said_reminded_and_minuted_on_both_records(
    app: Running,
) -> None:
    root = await opened(app)
    await app.driver.message(
        "U0RAJ", "C0ACME", "Patch is late <!channel> <https://x|label>", thread_ts=root
    )
    await app.settle()

    answer = await run(app, "meet D-1 Nov 26 15:00 with <@U0CAROL|carol>")
    assert (
        "R-1 · Meeting on D-1: Core outage · once: Thu 26 Nov 2026 15:00 (Asia/Shanghai)" in answer
    )
    assert "*With:* <@U0ALICE>, <@U0CAROL>, <@U0RAJ>" in answer
    review = await r1(app)
    assert (review.channel_id, review.recurrence, review.next_at) == ("C0ACME", None, MEETING)
    assert review.dispute_ref == "D-1" and review.title == "Meeting on D-1: Core outage"
    assert review.participants == ("U0ALICE", "U0CAROL", "U0RAJ")
    assert [p.name for p in review.parties] == ["Acme Networks"]
    assert (await record(app))[-1] == (
        "meeting_scheduled",
        None,
        "R-1 · Meeting on D-1: Core outage",
    )

    # Said in the dispute's thread; the card, edited in place, lists the meeting.
    line = posts(app, "C0ACME")[-1]
    assert line.args["thread_ts"] == root
    assert line.args["text"] == (
        ":calendar: <@U0ALICE> called a meeting on D-1: *R-1*, Thu 26 Nov 2026 15:00 "
        "(Asia/Shanghai). With: <@U0ALICE>, <@U0CAROL>, <@U0RAJ>. Reply in its reminder's "
        "thread to take the minutes; they go on this record too."
    )
    card = app.slack.calls_to("chat.update")[-1]
    assert card.args["ts"] == root
    assert "*Meetings:* R-1 once: Thu 26 Nov 2026 15:00 (Asia/Shanghai)" in block_text(card)

    # Reminded the day before in the channel, with the dispute's summary as the agenda and
    # the party's reply as text (typed markup stays text).
    await tick_at(app, DAY_BEFORE - timedelta(minutes=1))
    assert reminders(app) == []
    await tick_at(app, DAY_BEFORE)
    [reminder] = reminders(app)
    assert "thread_ts" not in reminder.args or reminder.args["thread_ts"] is None
    shown = block_text(reminder)
    assert "*Agenda: D-1 · Core outage*" in shown
    assert "Stage 1/4 · Coordination" in shown and "Acme Networks (supplier)" in shown
    assert "Patch is late @channel label (https://x)" in shown
    assert "<!channel>" not in shown and "<https://x|label>" not in shown
    assert "Review of service delivery against the agreement" not in shown

    # Raj's reply in the reminder's thread: the meeting's minutes and the dispute's record.
    reminder_ts = str(reminder.response["ts"])
    await app.driver.message("U0RAJ", "C0ACME", "Agreed: patch by Friday", thread_ts=reminder_ts)
    await app.settle()
    await tick_at(app, MEETING)  # held: the card shows it done
    assert "R-1 done, last met Thu 26 Nov 2026 15:00 (Asia/Shanghai)" in block_text(
        app.slack.calls_to("chat.update")[-1]
    )
    await run(app, "minutes R-1 Internal: push for a credit", channel="C0DESK", command="/review")
    async with app.store.read() as conn:
        minutes = await reviews_repo.minutes(conn, review_id=review.id)
    assert [m.text for m in minutes] == ["Agreed: patch by Friday", "Internal: push for a credit"]
    assert (await record(app))[-2:] == [
        ("meeting_minutes", "Acme Networks", "R-1 · Agreed: patch by Friday"),
        ("meeting_minutes", None, "R-1 · Internal: push for a credit"),
    ]
    shared = await run(app, "show D-1")
    assert "added to the minutes of a meeting: R-1 · Agreed: patch by Friday" in shared
    assert "push for a credit" not in shared
    assert "push for a credit" in await run(app, "show D-1", channel="C0DESK")

    meeting = await run(app, "show R-1", command="/review")
    assert "*For:* D-1" in meeting and "*Agenda: D-1 · Core outage*" in meeting

    document = await export_document(app.store)
    assert document["reviews"][0]["dispute"] == "D-1"
    assert to_csv(document, ExportKind.REVIEWS).splitlines()[1].endswith(",done,D-1")
    kinds = [e["kind"] for e in document["disputes"][0]["timeline"]]
    assert kinds.count("meeting_scheduled") == 1 and kinds.count("meeting_minutes") == 2


async def test_a_meeting_in_chinese_time_and_from_an_internal_channel(app: Running) -> None:
    await opened(app)
    answer = await run(app, "meet d1 下周二下午3点", channel="C0DESK")
    assert "R-1 · Meeting on D-1: Core outage" in answer
    review = await r1(app)
    assert review.next_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    # Held where the dispute lives, with its party's people only.
    assert review.channel_id == "C0ACME" and review.participants == ("U0ALICE", "U0RAJ")


async def test_an_internal_dispute_invites_every_party_it_has(app: Running) -> None:
    await run(app, "open Audit gap with <@U0RAJ|raj> <@U0GRETA|greta>", channel="C0DESK")
    await run(app, "meet D-1 Nov 26 15:00 in Europe/Berlin", channel="C0DESK")
    review = await r1(app)
    assert review.participants == ("U0ALICE", "U0GRETA", "U0RAJ")
    assert sorted(p.name for p in review.parties) == ["Acme Networks", "Globex Audit"]
    assert review.tz == "Europe/Berlin"
    assert review.next_at == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "channel", "expected"),
    [
        ("meet", "C0ACME", "Which dispute? Write it like `/dispute meet D-3 next Tuesday 3pm"),
        ("meet D-x tomorrow 10:00", "C0ACME", "`D-x` is not a dispute id"),
        ("meet D-9 tomorrow 10:00", "C0DESK", "There is no dispute D-9"),
        ("meet D-1 tomorrow 10:00", "C0GLOBEX", "There is no dispute D-1 in this channel"),
        ("meet D-1", "C0ACME", "When should they meet?"),
        ("meet D-1 whenever suits", "C0ACME", "I couldn't read “whenever suits” as a time"),
        ("meet D-1 every Monday 9:30", "C0ACME", "A dispute's meeting happens once"),
        ("meet D-1 yesterday 10:00", "C0ACME", "which is not in the future"),
        ("meet D-1 2031-01-05 10:00", "C0ACME", "is more than two years away"),
        ("meet D-1 Feb 30 10:00", "C0ACME", "There is no 30 February"),
        (
            "meet D-1 tomorrow 10:00 with <@U0GRETA|greta>",
            "C0ACME",
            "<@U0GRETA> does not speak for an organisation of this dispute's channel",
        ),
        ("meet D-1 tomorrow 10:00 with @nobody", "C0ACME", "I can't find @nobody in Slack"),
        ("meet D-1 tomorrow 10:00 with <@U0PARLEY|parley>", "C0ACME", "is a bot"),
    ],
)
async def test_bad_meetings_are_refused_and_change_nothing(
    app: Running, text: str, channel: str, expected: str
) -> None:
    await opened(app)
    before = await snapshot_of(app.store)
    sent = len(app.slack.calls_to("chat.postMessage"))
    answer = await run(app, text, channel=channel)
    assert expected in answer
    assert await snapshot_of(app.store) == before
    assert len(app.slack.calls_to("chat.postMessage")) == sent


async def test_a_closed_dispute_meets_no_more_and_outsiders_may_not_call_one(
    app: Running,
) -> None:
    await opened(app)
    outsider = await run(app, "meet D-1 tomorrow 10:00", user="U0RAJ")
    assert "Only members of the workspace that runs Parley can use /dispute" in outsider
    await run(app, "resolve D-1 Patched")
    before = await snapshot_of(app.store)
    answer = await run(app, "meet D-1 tomorrow 10:00")
    assert "D-1 is already resolved; a closed dispute holds no meetings." in answer
    assert "`/dispute reopen D-1 <reason>`" in answer
    assert await snapshot_of(app.store) == before


async def test_a_meeting_called_off_leaves_the_card_saying_so(app: Running) -> None:
    root = await opened(app)
    await run(app, "meet D-1 Nov 26 15:00")
    await run(app, "cancel R-1", command="/review")
    card = app.slack.calls_to("chat.update")[-1]
    assert card.args["ts"] == root and "*Meetings:* R-1 cancelled" in block_text(card)
    await tick_at(app, DAY_BEFORE)
    assert "Agenda" not in block_text(posts(app, "C0ACME")[-1])


async def test_typed_markup_stays_text_in_the_meeting_and_its_reminder(app: Running) -> None:
    # As Slack sends it: `@channel` and a link became markup; `<!here>` typed literally arrives
    # escaped and is kept as the text it is.
    await run(app, "open Outage <!channel> <https://x|label> &lt;!here&gt; with <@U0RAJ|raj>")
    await run(app, "meet D-1 Nov 26 15:00")
    review = await r1(app)
    assert review.title == "Meeting on D-1: Outage @channel label (https://x) <!here>"
    await tick_at(app, DAY_BEFORE)
    [reminder] = reminders(app)
    assert reminder.args["text"] == (
        "R-1 · Meeting on D-1: Outage @channel label (https://x) &lt;!here&gt;: next meeting "
        "Thu 26 Nov 2026 15:00 (Asia/Shanghai)"
    )
    shown = block_text(reminder)
    assert "*Agenda: D-1 · Outage @channel label (https://x) &lt;!here&gt;*" in shown
    posted = str(reminder.args)
    assert "<!channel>" not in posted and "<!here>" not in posted and "|label>" not in posted


async def test_a_chinese_reader_and_a_chinese_channel_get_the_meeting_in_chinese(
    app: Running,
) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    root = await opened(app, channel="C0DESK")
    answer = await run(app, "meet D-1 下周二下午3点", channel="C0DESK")
    assert "R-1 · 关于 D-1 的会议：Core outage · 单次：2026年12月1日 周二 15:00" in answer
    refused = await run(app, "meet D-1 每周一上午9点", channel="C0DESK")
    assert "争议会议只举行一次" in refused
    # #service-desk speaks English (the company's default): its thread line is English.
    line = posts(app, "C0DESK")[-1]
    assert line.args["thread_ts"] == root and "called a meeting on D-1" in line.args["text"]
