"""Daily digests: when they are due (working days, DST, CN holidays and adjusted Saturdays),
what they say (overdue first, open disputes, new replies, isolation), `/digest`, and Block Kit's
limits however much there is."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.calendar import calendar_for
from bot.domain.digests import DigestKind, Subscription
from bot.domain.errors import InvalidInput
from bot.domain.parties import Person
from bot.sandbox.harness import Running
from bot.sandbox.slack_api import RecordedCall
from bot.store.schema import outbox
from bot.workflows import digests
from bot.workflows.disputes import open_dispute
from tests import saying
from tests.conftest import START, snapshot
from tests.saying import raises_saying, words

CN = calendar_for("CN", "Asia/Shanghai")
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NINE = time(9, 0)


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)  # type: ignore[misc]


def shanghai(*args: int) -> datetime:
    return local(SHANGHAI, *args)


# --------------------------------------------------------------------- when (pure)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", NINE),
        ("at 09:00", NINE),
        ("09:00", NINE),
        ("at 7:05", time(7, 5)),
        ("AT 23:59", time(23, 59)),
        ("at ０９：３０", time(9, 30)),
    ],
)
def test_times_people_write(text: str, expected: time) -> None:
    assert digests.parse_at(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("at 25:00", "not a time of day"),
        ("at 12:60", "not a time of day"),
        ("9", "is not a time"),
        ("at 9", "is not a time"),
        ("at", "At what time?"),
        ("at 9am", "is not a time"),
        ("at 09:00 tomorrow", "more than a time"),
        ("at ٩:٠٠", "is not a time"),
    ],
)
def test_bad_times_are_refused_with_how_to_write_them(text: str, says: str) -> None:
    with raises_saying(InvalidInput, says) as caught:
        digests.parse_at(text)
    assert "09:00" in words(caught.value)


def test_berlin_nine_oclock_on_both_sides_of_the_october_change() -> None:
    # 25 Oct 2026 03:00 CEST → 02:00 CET. Friday 23 Oct and Monday 26 Oct are working days.
    friday = digests.next_due(NINE, BERLIN, CN, after=local(BERLIN, 2026, 10, 22, 9, 0))
    assert friday == datetime(2026, 10, 23, 7, 0, tzinfo=UTC)  # 09:00 CEST
    monday = digests.next_due(NINE, BERLIN, CN, after=friday)
    assert monday == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 CET, over the weekend
    assert monday.astimezone(BERLIN).hour == 9 and friday.astimezone(BERLIN).hour == 9
    # the weekend's digest time is not a due time
    assert digests.latest_due(NINE, BERLIN, CN, now=local(BERLIN, 2026, 10, 25, 23, 0)) == friday


def test_spring_forward_gap_moves_forward() -> None:
    # 29 Mar 2026 is a Sunday in Berlin; a 02:30 digest on Monday 30 Mar exists, on the
    # Sunday it does not and is not a working day anyway: use a plain Mon-Fri calendar.
    weekdays = calendar_for(None, "Europe/Berlin")
    due = digests.next_due(time(2, 30), BERLIN, weekdays, after=local(BERLIN, 2026, 3, 27, 3, 0))
    assert due.astimezone(BERLIN) == datetime(2026, 3, 30, 2, 30, tzinfo=BERLIN)


def test_cn_national_day_week_is_skipped_and_the_adjusted_saturday_included() -> None:
    """2026: 1-7 October off (the 6th and 7th paid for by Sun 20 Sep and Sat 10 Oct)."""
    days = []
    after = shanghai(2026, 9, 18, 12, 0)
    while after < shanghai(2026, 10, 13, 0, 0):
        after = digests.next_due(NINE, SHANGHAI, CN, after=after)
        days.append(after.astimezone(SHANGHAI).date())
    assert date(2026, 9, 20) in days  # an adjusted working Sunday
    assert date(2026, 9, 25) not in days  # Mid-Autumn Festival
    assert [d for d in days if date(2026, 9, 30) <= d <= date(2026, 10, 12)] == [
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),  # the adjusted working Saturday
        date(2026, 10, 12),
    ]
    # In the middle of the holiday the latest due digest is the one before it.
    assert digests.latest_due(NINE, SHANGHAI, CN, now=shanghai(2026, 10, 5, 12, 0)) == shanghai(
        2026, 9, 30, 9, 0
    )


def test_latest_due_supersedes_older_ones_and_respects_not_before() -> None:
    now = shanghai(2026, 11, 27, 15, 0)  # Friday afternoon, after a week of downtime
    assert digests.latest_due(NINE, SHANGHAI, CN, now=now) == shanghai(2026, 11, 27, 9, 0)
    assert (
        digests.latest_due(NINE, SHANGHAI, CN, now=now, not_before=shanghai(2026, 11, 27, 9, 0))
        is None
    )
    assert digests.latest_due(
        NINE, SHANGHAI, CN, now=now, not_before=shanghai(2026, 11, 20, 9, 0)
    ) == shanghai(2026, 11, 27, 9, 0)


def test_keys_name_what_whom_and_which_day() -> None:
    due = shanghai(2026, 11, 24, 9, 0)
    assert (
        digests.send_key(DigestKind.CHANNEL, "C123", due, SHANGHAI)
        == "digest:channel:C123:2026-11-24"
    )
    late_evening_utc = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert digests.send_key(DigestKind.PERSON, "U1", late_evening_utc, SHANGHAI).endswith(
        "2026-11-25"
    )


def _sub(**changes: Any) -> Subscription:
    base = Subscription(
        id=1,
        workspace_id="T0PARLEY",
        kind=DigestKind.CHANNEL,
        target="C0DESK",
        at=NINE,
        zone="Asia/Shanghai",
        subscribed_by="U0ALICE",
        subscribed_at=START,
    )
    return base.model_copy(update=changes)


def test_due_digest_states() -> None:
    tuesday = shanghai(2026, 11, 24, 9, 0)
    assert digests.due_digest(_sub(), now=tuesday - timedelta(minutes=1), calendar=CN) is None
    due = digests.due_digest(_sub(), now=tuesday, calendar=CN)
    assert due is not None and due.key == "digest:channel:C0DESK:2026-11-24"
    assert due.since == shanghai(2026, 11, 23, 9, 0)  # the previous due time
    # subscribed at 10:00 on Monday: Monday's 09:00 was before it, so not owed
    assert digests.due_digest(_sub(), now=shanghai(2026, 11, 23, 18, 0), calendar=CN) is None
    handled = _sub(last_due_at=tuesday, last_sent_at=tuesday)
    assert digests.due_digest(handled, now=tuesday + timedelta(hours=3), calendar=CN) is None
    leased = _sub(lease_key=due.key, lease_until=tuesday + timedelta(minutes=10))
    assert digests.due_digest(leased, now=tuesday + timedelta(minutes=5), calendar=CN) is None
    assert digests.due_digest(leased, now=tuesday + timedelta(minutes=11), calendar=CN)
    failing = _sub(lease_key=due.key, attempts=2, next_attempt_at=tuesday + timedelta(minutes=3))
    assert digests.due_digest(failing, now=tuesday + timedelta(minutes=2), calendar=CN) is None
    retry = digests.due_digest(failing, now=tuesday + timedelta(minutes=3), calendar=CN)
    assert retry is not None and retry.attempts == 2
    # the next day's digest supersedes a failing one at once
    wednesday = digests.due_digest(failing, now=shanghai(2026, 11, 25, 9, 0), calendar=CN)
    assert wednesday is not None and wednesday.attempts == 0 and wednesday.key.endswith("11-25")
    assert digests.due_digest(_sub(active=False), now=tuesday, calendar=CN) is None


# ------------------------------------------------------------------ end to end helpers


def digest_posts(app: Running, channel: str | None = None) -> list[RecordedCall]:
    return [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.ok
        and "digest ·" in str(c.args.get("text"))
        and (channel is None or c.args.get("channel") == channel)
    ]


async def tick_at(app: Running, when: datetime) -> None:
    app.clock.set(when)
    await app.parley.tick()
    await app.settle()


async def command(
    app: Running, text: str, *, user: str = "U0ALICE", channel: str = "C0DESK"
) -> str:
    return await saying.answer(app, "/digest", text, user=user, channel=channel, raw=True)


async def open_with(
    app: Running, text: str, channel: str = "C0DESK", user: str = "U0ALICE"
) -> None:
    await app.driver.command("/dispute", f"open {text}", user=user, channel=channel)
    await app.settle()


def flat(call: RecordedCall) -> str:
    return json.dumps(call.args, ensure_ascii=False)


# ------------------------------------------------------------------------- end to end


async def test_a_channel_digest_goes_out_each_working_morning_once(app: Running) -> None:
    await open_with(app, "Core outage with <@U0RAJ|raj>")  # Acme: 2 working days
    answer = await command(app, "subscribe")
    assert "09:00 (Asia/Shanghai)" in answer and "Tue 24 Nov 2026 09:00" in answer
    await tick_at(app, shanghai(2026, 11, 24, 8, 59))
    assert digest_posts(app) == []
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    (first,) = digest_posts(app, "C0DESK")
    text = flat(first)
    assert "Daily digest · Tue 24 Nov" in text
    assert "Open disputes" in text and "Stage 1/4 · Coordination" in text and "Overdue" not in text
    card_ts = app.slack.calls_to("chat.postMessage")[0].response["ts"]
    assert f"archives/C0DESK/p{card_ts.replace('.', '')}|*D-1*>" in text  # linked to its thread
    for minutes in (1, 30, 300):
        await tick_at(app, shanghai(2026, 11, 24, 9, 0) + timedelta(minutes=minutes))
    assert len(digest_posts(app)) == 1
    # Thursday: D-1's stage ran out on Wednesday at 10:00, so it comes first, as overdue.
    await tick_at(app, shanghai(2026, 11, 26, 9, 0))
    latest = digest_posts(app)[-1]
    assert len(digest_posts(app)) == 2  # Wednesday's was missed (no tick): superseded
    blocks = latest.args["blocks"]
    assert ":red_circle: *Overdue* (1)" in json.dumps(blocks, ensure_ascii=False)
    assert "overdue by 1 working day" in flat(latest)
    # a permalink was asked for once, then came from the cache
    assert len(app.slack.calls_to("chat.getPermalink")) <= 2


async def test_new_replies_since_the_last_digest_say_who_replied(app: Running) -> None:
    await open_with(app, "Invoice with <@U0GRETA|greta>")
    await app.driver.command(
        "/dispute", "add D-1 <#C0GLOBEX|globex-shared>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    linked = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0GLOBEX"][
        0
    ]
    await command(app, "subscribe at 09:00")
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    assert "New replies" not in flat(digest_posts(app)[-1])
    app.clock.set(shanghai(2026, 11, 24, 11, 0))
    await app.driver.message(
        "U0GRETA", "C0GLOBEX", "We will credit it", thread_ts=linked.response["ts"]
    )
    await app.settle()
    await tick_at(app, shanghai(2026, 11, 25, 9, 0))
    text = flat(digest_posts(app)[-1])
    assert "New replies since the last digest" in text
    assert "new replies from <@U0GRETA> (Globex Audit)" in text
    # and only once: the next digest counts from this one
    await tick_at(app, shanghai(2026, 11, 26, 9, 0))
    assert "New replies" not in flat(digest_posts(app)[-1])


async def test_an_empty_digest_is_not_posted(app: Running) -> None:
    await command(app, "subscribe")
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    await tick_at(app, shanghai(2026, 11, 24, 9, 5))
    assert digest_posts(app) == []
    answer = await command(app, "now")
    assert "the digest is empty" in answer and digest_posts(app) == []


async def test_digest_now_posts_at_once(app: Running) -> None:
    await open_with(app, "Late report with <@U0RAJ|raj>")
    answer = await command(app, "now")
    assert answer in ("", "null", "{}")  # the digest itself is the answer
    (posted,) = digest_posts(app, "C0DESK")
    assert "D-1" in flat(posted) and "Late report" in flat(posted)


async def test_digest_me_by_dm_in_berlin_across_the_october_change(
    slack: Any, config: Any, sqlite_url: str
) -> None:
    from bot.sandbox.harness import running_parley

    start = local(BERLIN, 2026, 10, 22, 10, 0)  # Thursday
    async with running_parley(
        database_url=sqlite_url, config=config, start=start, slack=slack
    ) as app:
        await open_with(app, "Printer fleet lease", user="U0BOB")
        answer = await command(app, "me at 09:00", user="U0BOB")
        assert "Your digest by DM will go out at 09:00 (Europe/Berlin)" in answer
        assert "Fri 23 Oct 2026 09:00" in answer
        for when, expected in [
            (datetime(2026, 10, 23, 6, 59, tzinfo=UTC), 0),
            (datetime(2026, 10, 23, 7, 0, tzinfo=UTC), 1),  # 09:00 CEST
            (datetime(2026, 10, 24, 7, 0, tzinfo=UTC), 1),  # Saturday
            (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), 1),  # Sunday, the change
            (datetime(2026, 10, 26, 7, 0, tzinfo=UTC), 1),  # 08:00 CET: not yet
            (datetime(2026, 10, 26, 8, 0, tzinfo=UTC), 2),  # 09:00 CET
        ]:
            await tick_at(app, when)
            posts = [c for c in digest_posts(app) if str(c.args["channel"]).startswith("D")]
            assert len(posts) == expected, when
        assert all(c.args["channel"] == "D0BOB" for c in posts)
        assert "Your daily digest · Mon 26 Oct" in flat(posts[-1])
        assert "Your digest by DM is stopped" in await command(app, "me off", user="U0BOB")
        await tick_at(app, datetime(2026, 10, 27, 8, 0, tzinfo=UTC))
        assert len([c for c in digest_posts(app) if c.args["channel"] == "D0BOB"]) == 2
        assert slack.violations == []


async def test_cn_holiday_week_and_adjusted_saturday_through_the_scheduler(
    slack: Any, config: Any, sqlite_url: str
) -> None:
    from bot.sandbox.harness import running_parley

    start = shanghai(2026, 9, 29, 10, 0)
    async with running_parley(
        database_url=sqlite_url, config=config, start=start, slack=slack
    ) as app:
        await open_with(app, "Backup audit finding")
        await command(app, "subscribe at 09:00")
        day = date(2026, 9, 30)
        while day <= date(2026, 10, 12):
            await tick_at(app, shanghai(day.year, day.month, day.day, 9, 1))
            day += timedelta(days=1)
        days = [
            datetime.fromtimestamp(float(c.response["ts"]), UTC).astimezone(SHANGHAI).date()
            for c in digest_posts(app)
        ]
        assert days == [
            date(2026, 9, 30),
            date(2026, 10, 8),
            date(2026, 10, 9),
            date(2026, 10, 10),
            date(2026, 10, 12),
        ]


async def test_bad_input_changes_nothing(app: Running) -> None:
    await command(app, "subscribe at 08:30")
    before = await snapshot(app.store)
    for text, says in [
        ("subscribe at 25:00", "not a time of day"),
        ("subscribe 9", "is not a time"),
        ("subscribe at", "At what time?"),
        ("me at 7", "is not a time"),
        ("me off please", "takes nothing after it"),
        ("unsubscribe now", "takes nothing after it"),
        ("now please", "takes nothing after it"),
        ("frobnicate", "is not a /digest subcommand"),
    ]:
        answer = await command(app, text)
        assert says in answer, (text, answer)
    assert "/digest subscribe" in await command(app, "help")
    assert "This channel's digest: 08:30 (Asia/Shanghai)" in await command(app, "")
    outsider = await command(app, "subscribe", user="U0RAJ", channel="C0ACME")
    assert "Only members of the workspace" in outsider
    # An outsider's usage says how to use it and nothing of what is subscribed, even to none.
    outsider_help = await command(app, "help", user="U0RAJ", channel="C0ACME")
    assert "/digest subscribe" in outsider_help
    assert "This channel gets no digest" not in outsider_help
    assert "This channel gets no digest" in await command(app, "help", channel="C0ACME")
    assert "Only members of the workspace" in await command(
        app, "me at 09:00", user="U0RAJ", channel="C0ACME"
    )
    assert "nothing to stop" in await command(app, "unsubscribe", channel="C0PROCESS")
    assert await snapshot(app.store) == before


async def test_subscribe_changes_and_stops(app: Running) -> None:
    assert "will go out at 09:00" in await command(app, "subscribe")
    assert "already goes out at 09:00" in await command(app, "subscribe at 09:00")
    assert "now goes out at 10:15 (Asia/Shanghai), not 09:00" in await command(
        app, "subscribe at 10:15"
    )
    assert "stopped" in await command(app, "unsubscribe")
    assert "This channel gets no digest" in await command(app, "help")
    # a public channel Parley is not in yet: it joins, so that the digest can be posted
    assert "will go out at 09:00" in await command(app, "subscribe", channel="C0RANDOM")
    assert [c.args["channel"] for c in app.slack.calls_to("conversations.join")] == ["C0RANDOM"]


async def test_a_shared_channel_digest_holds_only_its_parties_business(app: Running) -> None:
    d = app.driver
    await open_with(app, "Joint outage with <@U0RAJ|raj> <@U0GRETA|greta>")
    await d.command(
        "/dispute",
        "add D-1 <#C0ACME|acme-shared> <#C0GLOBEX|globex-shared>",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    await open_with(app, "GLOBEX-ONLY-TITLE with <@U0GRETA|greta>")
    await open_with(app, "ACME-ONLY-TITLE with <@U0RAJ|raj>", channel="C0ACME")
    await open_with(app, "Acme matter that names Globex Audit with <@U0RAJ|raj>")
    roots = {
        c.args["channel"]: c.response["ts"]
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] in ("C0ACME", "C0GLOBEX") and "D-1" in str(c.args["text"])
    }
    await command(app, "subscribe", channel="C0ACME")
    await command(app, "subscribe", channel="C0DESK")
    app.clock.set(shanghai(2026, 11, 23, 15, 0))
    await d.message("U0RAJ", "C0ACME", "ACME-REPLY here", thread_ts=roots["C0ACME"])
    await d.message("U0GRETA", "C0GLOBEX", "GLOBEX-REPLY here", thread_ts=roots["C0GLOBEX"])
    await app.settle()
    await tick_at(app, shanghai(2026, 11, 24, 9, 0))
    (shared,) = digest_posts(app, "C0ACME")
    text = flat(shared)
    for word in ("Globex", "greta", "U0GRETA", "GLOBEX-ONLY", "GLOBEX-REPLY", "names Globex"):
        assert word.lower() not in text.lower(), word
    assert "ACME-ONLY-TITLE" in text and "Joint outage" in text
    assert "new replies from <@U0RAJ> (Acme Networks)" in text
    assert f"archives/C0ACME/p{roots['C0ACME'].replace('.', '')}" in text  # its own thread
    assert "archives/C0DESK" not in text
    (internal,) = digest_posts(app, "C0DESK")
    inside = flat(internal)
    assert "GLOBEX-ONLY-TITLE" in inside and "<@U0GRETA> (Globex Audit)" in inside
    assert "names Globex Audit" in inside


async def test_three_hundred_disputes_fit_block_kit(app: Running) -> None:
    deps = app.parley.deps
    assert deps is not None
    raj = Person(user_id="U0RAJ", team_id="T0ACME", name="raj", team_name="Acme Networks")
    alice = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
    for n in range(300):
        await open_dispute(
            app.store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=alice,
            title=f"Dispute number {n} about a rather long title that keeps going " * 2,
            people=[raj] if n % 2 else [],
            config=deps.config,
            calendar=deps.calendar,
            now=START - timedelta(days=20) if n < 120 else START,
        )
    async with app.store.write() as conn:  # their 300 cards are not what this is about
        await conn.execute(sa.delete(outbox))
    await command(app, "now")
    (posted,) = digest_posts(app, "C0DESK")
    blocks = posted.args["blocks"]
    assert len(blocks) <= 50
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*Overdue* (120)" in text and "and 105 more — `/dispute list overdue`" in text
    assert "*Open disputes* (180)" in text and "and 165 more — `/dispute list`" in text
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert app.slack.violations == []


# ------------------------------------------------- reviews, action items and agreements


async def review(app: Running, text: str, *, channel: str, user: str = "U0ALICE") -> None:
    reply = await app.driver.command("/review", f"schedule {text}", user=user, channel=channel)
    assert reply.status == 200
    await app.settle()


async def test_a_shared_channel_digest_lists_only_its_own_reviews_in_the_window(
    app: Running,
) -> None:
    await review(app, "Acme sync with <@U0RAJ|raj> Nov 24 15:00", channel="C0ACME")
    await review(app, "Internal-only review Nov 25 10:00", channel="C0DESK")
    await review(app, "Far away review with <@U0RAJ|raj> Dec 24 10:00", channel="C0ACME")
    await command(app, "now", channel="C0ACME")
    text = flat(digest_posts(app, "C0ACME")[-1])
    assert "Reviews in the next working days" in text and "R-1" in text
    assert "next Tue 24 Nov 15:00" in text
    assert "R-2" not in text and "R-3" not in text  # another's, and too far away
    await command(app, "now")
    internal = flat(digest_posts(app, "C0DESK")[-1])
    assert "R-1" in internal and "R-2" in internal and "R-3" not in internal
    assert app.slack.violations == []


def test_the_summary_counts_in_words() -> None:
    from bot.commands.render_digests import summary
    from bot.commands.words.language import ENGLISH, Languages
    from bot.workflows.digests_content import Digest, DigestSection, SectionKey

    def section(key: SectionKey, total: int) -> DigestSection:
        return DigestSection(key=key, title="", entries=(), total=total, more="")

    digest = Digest(
        sections=(
            section(SectionKey.OVERDUE, 2),
            section(SectionKey.OPEN, 0),
            section(SectionKey.REVIEWS, 1),
            section(SectionKey.AGREEMENTS, 3),
        )
    )
    assert (
        summary(digest, Languages()[ENGLISH])
        == "2 overdue, 1 review coming up, 3 agreements expiring"
    )
    assert not digest.empty and Digest(sections=(section(SectionKey.OPEN, 0),)).empty
