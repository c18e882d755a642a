"""Slack's deadline holds when Slack itself is slow or failing: ack first, answer after."""

from __future__ import annotations

import time

from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo


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
    told = [c.args.get("text") for c in app.slack.calls_to("response_url")] + [reply.text]
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    if d1 is None:  # refused: then the person was told to try again
        assert any("try again" in str(t) for t in told), told
    else:  # or it went through, late, card and all
        assert d1.root_ts is not None
