"""The outbox's pace: Slack's rate limits kept before Slack has to say so.

The buckets alone with a fake monotonic time; then the real app against a stand-in that
keeps Slack's limits (`bot/sandbox/limits.py`), both ten times as fast as Slack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.commands import pacing
from bot.commands.pacing import Paced, PacedWebClient, Pacer, delivery_starts
from bot.config import ParleyConfig
from bot.domain.disputes import Dispute
from bot.domain.notices import DisputeRefresh
from bot.domain.parties import Person
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.limits import Limits
from bot.sandbox.slack_api import SlackStandIn
from bot.workflows import notices
from bot.workflows.disputes import open_dispute
from tests.conftest import START

ALICE = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def pacer(scale: float = 1.0) -> tuple[Pacer, FakeTime]:
    fake = FakeTime()
    return Pacer(scale=scale, monotonic=fake.monotonic, sleep=fake.sleep), fake


# ------------------------------------------------------------------ the buckets alone


async def test_a_channel_takes_a_short_burst_then_one_post_a_second() -> None:
    pace, fake = pacer()
    for _ in range(3):
        await pace.before("T", "chat.postMessage", "C1")
    assert fake.slept == []
    await pace.before("T", "chat.postMessage", "C1")
    assert fake.slept == [1.0]
    # Another channel has its own bucket.
    await pace.before("T", "chat.postMessage", "C2")
    assert fake.slept == [1.0]


async def test_the_workspace_limit_holds_across_channels() -> None:
    pace, fake = pacer()
    for n in range(50):
        await pace.before("T", "chat.postMessage", f"C{n}")
    assert fake.slept == []
    await pace.before("T", "chat.postMessage", "C999")
    assert fake.slept == [round(60 / 250, 3)]


async def test_a_tier_3_method_allows_ten_then_forty_a_minute() -> None:
    pace, fake = pacer()
    for _ in range(10):
        await pace.before("T", "chat.update", "C1")
    await pace.before("T", "chat.update", "C1")
    assert fake.slept == [1.5]
    # A whole minute from idle: never more than the tier's fifty.
    pace, fake = pacer()
    start, calls = fake.now, 0
    while fake.now < start + 60:
        await pace.before("T", "chat.update", None)
        calls += 1
    assert calls <= 51


async def test_a_long_wait_puts_an_untouched_delivery_off_but_not_one_that_posted() -> None:
    pace, fake = pacer()

    async def fill() -> None:
        for _ in range(10):
            await pace.before("T", "chat.update", "C1")

    async def delivery(first: str) -> None:
        delivery_starts()
        await pace.before("T", first, "C1")
        await pace.before("T", "chat.update", "C1")

    # Ten updates empty the bucket; the next would wait 1.5 s: put off, nothing slept.
    await fill()
    with pytest.raises(Paced) as paced:
        await asyncio.create_task(delivery("conversations.history"))
    assert paced.value.method == "chat.update" and paced.value.after == pytest.approx(1.5)
    assert fake.slept == [] and pace.put_off == 1
    # A delivery that already posted waits its turn instead: a second try would post again.
    fake.now += 60
    await fill()
    await asyncio.create_task(delivery("chat.postMessage"))
    assert fake.slept == [1.5]


async def test_outside_a_delivery_a_wait_is_slept() -> None:
    pace, fake = pacer()
    for _ in range(11):
        await pace.before("T", "chat.update", None)
    assert fake.slept == [1.5]


async def test_a_429_holds_every_call_of_its_kind_for_the_wait_slack_asked() -> None:
    pace, fake = pacer()
    pace.hold("T", "chat.update", None, 7)
    await pace.before("T", "chat.update", None)
    assert sum(fake.slept) == pytest.approx(7.0)  # looked at again each second
    # Posts to a channel: that channel's bucket and the workspace's are held.
    fake.slept.clear()
    pace.hold("T", "chat.postMessage", "C1", 3)
    await pace.before("T", "chat.postMessage", "C2")
    assert sum(fake.slept) == pytest.approx(3.0)
    # Within a delivery that changed nothing yet, a hold puts it off, to look again soon.
    pace.hold("T", "chat.update", None, 30)

    async def delivery() -> None:
        delivery_starts()
        await pace.before("T", "chat.update", None)

    with pytest.raises(Paced) as paced:
        await asyncio.create_task(delivery())
    assert paced.value.after == pytest.approx(1.0)


async def test_a_hold_counts_on_the_clock_it_is_given() -> None:
    """The app counts a 429's hold on its own clock, the one its retries are scheduled by: a
    fake clock moved past the Retry-After ends the hold at once."""
    fake, wall = FakeTime(), [5000.0]
    pace = Pacer(monotonic=fake.monotonic, sleep=fake.sleep, held=lambda: wall[0])
    pace.hold("T", "chat.update", None, 30)
    wall[0] += 31
    await pace.before("T", "chat.update", None)
    assert fake.slept == [1.5]  # only the bucket's refill after the hold emptied it


async def test_scale_makes_the_buckets_refill_faster() -> None:
    pace, fake = pacer(scale=10)
    for _ in range(4):
        await pace.before("T", "chat.postMessage", "C1")
    assert fake.slept == [0.1]


def test_retry_after_reads_slacks_answer() -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.slack_response import SlackResponse

    def error(status: int, body: dict[str, object], headers: dict[str, str]) -> SlackApiError:
        response = SlackResponse(
            client=None,
            http_verb="POST",
            api_url="https://slack.com/api/chat.update",
            req_args={},
            data=body,
            headers=headers,
            status_code=status,
        )
        return SlackApiError("x", response)

    assert pacing.retry_after(error(429, {"ok": False}, {"Retry-After": "12"})) == 12.0
    assert pacing.retry_after(error(200, {"ok": False, "error": "ratelimited"}, {})) == 1.0
    assert pacing.retry_after(error(429, {"ok": False}, {"Retry-After": "soon"})) == 1.0
    assert pacing.retry_after(error(200, {"ok": False, "error": "channel_not_found"}, {})) is None


# ------------------------------------------------------------ the app against Slack's limits

SCALE = 10.0


@pytest.fixture
async def limited(
    slack: SlackStandIn, config: ParleyConfig, sqlite_url: str
) -> AsyncIterator[tuple[Running, Limits]]:
    limits = slack.keep_limits(scale=SCALE)
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack, pace=SCALE
    ) as running:
        yield running, limits


async def test_forty_cards_in_one_channel_go_out_without_one_429(
    limited: tuple[Running, Limits],
) -> None:
    app, limits = limited
    deps = app.parley.deps
    assert deps is not None
    for n in range(40):
        await open_dispute(
            app.store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=ALICE,
            title=f"Dispute {n}",
            people=[],
            config=deps.config,
            calendar=deps.calendar,
            now=START,
        )
    await app.settle(grace=30)
    posts = [c for c in app.slack.calls if c.method == "chat.postMessage"]
    assert len([c for c in posts if not c.faulted]) == 40
    assert limits.refused == 0
    assert [c for c in app.slack.calls if c.status == 429] == []
    # One post a second after the burst of three (at ten times Slack's speed): ≥ 3.6 s of
    # Slack's time for the forty, i.e. the pace was kept, not merely lucky.
    times = sorted(c.at for c in posts)
    assert (times[-1] - times[0]) * SCALE >= 36 * 0.9


async def test_without_the_pace_the_same_burst_meets_slacks_429s(
    slack: SlackStandIn, config: ParleyConfig, sqlite_url: str
) -> None:
    """The stand-in's limits are real: the same cards at a pace far above Slack's are refused
    (and the first 429 holds the rest, so they are few, not one per card)."""
    limits = slack.keep_limits(scale=SCALE)
    async with running_parley(
        database_url=sqlite_url, config=config, start=START, slack=slack, pace=1000
    ) as app:
        deps = app.parley.deps
        assert deps is not None
        for n in range(20):
            await open_dispute(
                app.store,
                workspace_id="T0PARLEY",
                channel_id="C0DESK",
                owner=ALICE,
                title=f"Dispute {n}",
                people=[],
                config=deps.config,
                calendar=deps.calendar,
                now=START,
            )
        for _ in range(400):
            app.clock.advance(timedelta(seconds=1))
            await app.settle(grace=30)
            delivered = [
                c for c in app.slack.calls if c.method == "chat.postMessage" and not c.faulted
            ]
            if len(delivered) == 20:
                break
            await asyncio.sleep(0.05)
        assert len(delivered) == 20
        assert 1 <= limits.refused <= 8
        assert isinstance(app.parley.outbox.client, PacedWebClient)  # type: ignore[union-attr]


async def test_a_new_card_is_not_held_up_behind_a_burst_of_card_edits(
    limited: tuple[Running, Limits],
) -> None:
    """Forty-five edits wait for chat.update's tier (more than the worker's batch of lane
    heads and the tier's burst together); the card of a dispute opened meanwhile goes out at
    once (another kind, another method), not once the edits ahead of it thinned out."""
    app, limits = limited
    deps = app.parley.deps
    assert deps is not None

    async def dispute(n: int, channel: str = "C0DESK") -> Dispute:
        return await open_dispute(
            app.store,
            workspace_id="T0PARLEY",
            channel_id=channel,
            owner=ALICE,
            title=f"Dispute {n}",
            people=[],
            config=deps.config,
            calendar=deps.calendar,
            now=START,
        )

    found = [await dispute(n) for n in range(45)]
    await app.settle(grace=30)
    mark = len(app.slack.calls)
    async with app.store.write() as conn:
        for d in found:
            await notices.owe(conn, DisputeRefresh.of(d), now=START)
    app.parley.outbox.wake()  # type: ignore[union-attr]
    await asyncio.sleep(0.1)
    await dispute(99, channel="C0PROCESS")
    await app.settle(grace=30)
    calls = app.slack.calls[mark:]
    edits = [c for c in calls if c.method == "chat.update" and c.ok]
    (card,) = [c for c in calls if c.method == "chat.postMessage" and c.ok]
    assert card.args["channel"] == "C0PROCESS"
    assert len(edits) == 45 and limits.refused == 0
    # Out while most edits still waited their turn (over half of them: the pace is real time,
    # so a loaded machine moves where among the first half the card lands, never past it).
    assert card.at < edits[22].at
