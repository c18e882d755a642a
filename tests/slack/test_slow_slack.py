"""Slack's deadline holds when Slack itself is slow or failing: ack first, answer after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.config import ParleyConfig
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import disputes as disputes_repo
from tests import saying
from tests.conftest import START

# The request path's retry budget (PARLEY_SLACK_RETRY_SECONDS, a minute by default) cut to
# 6 s: the failures below outlast it all the same (ten 500s back off 55 s in all), so each
# command meets the same end, a budget spent, after 6 s instead of 60.
RETRY_SECONDS = 6.0


@pytest.fixture
async def app(slack: SlackStandIn, config: ParleyConfig, sqlite_url: str) -> AsyncIterator[Running]:
    """tests/conftest.py's `app`, with the shorter retry budget."""
    async with running_parley(
        database_url=sqlite_url,
        config=config,
        start=START,
        slack=slack,
        retry_seconds=RETRY_SECONDS,
    ) as running:
        yield running
    assert slack.violations == [], slack.violations


async def test_a_slow_web_api_still_gets_an_ack_in_time(app: Running) -> None:
    app.slack.delay_seconds = 5.0  # every Web API call takes 5 s, the directory cache is cold
    started = time.monotonic()
    reply = await app.driver.command(
        "/dispute", "open Slow Slack day with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    acked_after = time.monotonic() - started
    assert reply.status == 200
    assert acked_after < 3.0, f"acked after {acked_after:.1f} s"  # Slack's own deadline
    assert "I'm on it" in reply.text
    app.slack.delay_seconds = 1.0  # a little less slow: the rest finishes sooner
    await app.settle(grace=60)
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.root_ts is not None  # stored, and its card posted, after the ack
    app.slack.delay_seconds = 0


async def test_an_answer_that_comes_late_goes_through_the_response_url(app: Running) -> None:
    app.slack.delay_seconds = 2.5
    reply = await app.driver.command("/dispute", "show D-7", user="U0BOB", channel="C0DESK")
    assert "I'm on it" in reply.text
    await app.settle(grace=30)
    app.slack.delay_seconds = 0
    late = app.slack.calls_to("response_url")[-1].args
    assert "There is no dispute D-7" in str(late["text"]) and late["response_type"] == "ephemeral"


async def test_failing_slack_calls_end_in_an_answer_never_in_silence(app: Running) -> None:
    app.slack.fail_next(10, status=500)
    app.slack.fail_next(10, status=429, retry_after=1)
    reply = await app.driver.command(
        "/dispute", "open Flaky with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    await app.settle(grace=60)
    for _ in range(10):  # whatever the failures hit after the ack, the outbox tries again
        app.clock.advance(timedelta(minutes=1))
        await app.parley.tick()
        await app.settle(grace=60)
    told = [c.args.get("text") for c in app.slack.calls_to("response_url")] + [reply.text]
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    if d1 is None:  # refused: then the person was told to try again
        assert any("try again" in str(t) for t in told), told
    else:  # or it went through, late, card and all
        assert d1.root_ts is not None


async def test_slow_and_failing_slack_every_command_and_button_still_acks_in_time(
    app: Running,
) -> None:
    """Every Web API call takes 5 s and the next 20 fail (500, then 429): Slack's 3-second
    deadline holds for commands and buttons alike, and what they owe goes out afterwards."""
    await app.driver.command("/dispute", "open Before the storm", user="U0ALICE", channel="C0DESK")
    await app.settle()
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.root_ts is not None
    app.slack.delay_seconds = 5.0
    app.slack.fail_next(10, status=500)
    app.slack.fail_next(10, status=429, retry_after=1)

    async def timed(send: object) -> float:
        started = time.monotonic()
        reply = await send  # type: ignore[misc]
        assert reply.status == 200
        return time.monotonic() - started

    took = await asyncio.gather(
        timed(app.driver.command("/dispute", "open In the storm", user="U0BOB", channel="C0DESK")),
        timed(app.driver.command("/dispute", "list", user="U0ALICE", channel="C0DESK")),
        timed(
            app.driver.command(
                "/dispute", "escalate D-1 Nobody answers", user="U0ALICE", channel="C0DESK"
            )
        ),
        timed(
            app.driver.block_action(
                user="U0ALICE", channel="C0DESK", message_ts=d1.root_ts, action_id="dispute_note"
            )
        ),
    )
    assert max(took) < 3.0, took
    app.slack.delay_seconds = 0
    for _ in range(30):  # the failures run out; the outbox retries what they hit
        app.clock.advance(timedelta(minutes=1))
        await app.parley.tick()
        await app.settle(grace=60)
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        d2 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=2)
    assert d1 is not None and d1.stage.value == "multi_party"  # stored before the ack
    if d2 is not None:  # stored (it may have been refused while Slack failed: then told so)
        assert d2.root_ts is not None
    lines = [m for m in app.slack.messages("C0DESK") if m.thread_ts == d1.root_ts]
    assert [m.text for m in lines if "Nobody answers" in m.text] != []
    assert len([m for m in lines if "Nobody answers" in m.text]) == 1


async def test_the_tests_read_the_late_answer_as_the_person_does(app: Running) -> None:
    # Tests ask through `saying.answer`: when Parley acks first with its "I'm on it", what the
    # person reads is the answer that follows through the response_url.
    app.slack.delay_seconds = 2.5
    told = await saying.answer(app, "/dispute", "show D-7", user="U0BOB")
    app.slack.delay_seconds = 0
    assert "There is no dispute D-7" in told and "I'm on it" not in told
    assert len(app.slack.calls_to("response_url")) == 1
