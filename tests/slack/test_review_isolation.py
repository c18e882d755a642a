"""Isolation for reviews: a busy session of reviews, reminders, prompts, action items and
minutes; then every byte sent to each shared channel is searched for others' business."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running
from bot.store import reviews as reviews_repo
from tests.slack.test_isolation import sent_to

FORBIDDEN = {
    "C0ACME": ["Globex", "greta", "GLOBEX-", "JOINT-", "SECRET-MINUTES", "INTERNAL-"],
    "C0GLOBEX": ["Acme", "raj", "ACME-", "JOINT-", "SECRET-MINUTES", "INTERNAL-"],
}


async def busy_session(app: Running) -> dict[str, list[Reply]]:
    d = app.driver
    answers: dict[str, list[Reply]] = {"C0ACME": [], "C0GLOBEX": []}

    async def review(text: str, channel: str = "C0DESK", user: str = "U0ALICE") -> Reply:
        reply = await d.command("/review", text, user=user, channel=channel)
        await app.settle()
        if channel in answers:
            answers[channel].append(reply)
        return reply

    await review("schedule ACME-REVIEW with <@U0RAJ|raj> every Monday 9:30", "C0ACME")
    await review("schedule GLOBEX-REVIEW with <@U0GRETA|greta> every Monday 9:30", "C0GLOBEX")
    await review("schedule JOINT-REVIEW with <@U0RAJ|raj> <@U0GRETA|greta> every Monday 9:30")
    await review("schedule INTERNAL-REVIEW every Monday 9:30")
    await review("action R-1 <@U0RAJ|raj> Dec 18 ACME-ACTION for raj")
    await review("action R-2 <@U0GRETA|greta> Dec 18 GLOBEX-ACTION for greta")
    await review("action R-3 <@U0BOB|bob> Dec 18 JOINT-ACTION for bob")
    await review("action R-4 <@U0BOB|bob> Dec 18 INTERNAL-ACTION for bob")
    for when in (
        datetime(2026, 11, 29, 1, 30, tzinfo=UTC),  # Sun 09:30: the day before
        datetime(2026, 11, 30, 1, 15, tzinfo=UTC),  # Mon 09:15: the last call
        datetime(2026, 11, 30, 1, 30, tzinfo=UTC),  # held
    ):
        app.clock.set(when)
        await app.parley.tick()
        await app.settle()
    await review("minutes R-1 SECRET-MINUTES about both suppliers")
    await review("minutes R-2 SECRET-MINUTES about both suppliers")
    app.clock.set(datetime(2026, 11, 30, 2, 30, tzinfo=UTC))  # prompts
    await app.parley.tick()
    await app.settle()
    for channel in ("C0ACME", "C0GLOBEX"):
        for text in ("list", "list all", "show R-1", "show R-2", "show R-3", "show R-4", "help"):
            await review(text, channel)
        await review("minutes R-1 in the channel", channel)
        await review("done T-3", channel)  # the joint review's item: not theirs
        await review("done T-4", channel)
    return answers


async def test_nothing_of_a_review_leaks_into_another_partys_channel(app: Running) -> None:
    answers = await busy_session(app)
    for channel, words in FORBIDDEN.items():
        texts = sent_to(app, channel, answers[channel])
        assert len(texts) > 10, f"too little reached {channel} to prove anything"
        for text in texts:
            flat = json.dumps(
                json.loads(text) if text.startswith("{") else text, ensure_ascii=False
            )
            for word in words:
                assert word.lower() not in flat.lower(), (
                    f"{word!r} leaked into {channel}: {flat[:400]}"
                )
    acme = json.dumps(sent_to(app, "C0ACME", answers["C0ACME"]), ensure_ascii=False)
    for own in ("ACME-REVIEW", "ACME-ACTION", "starts in 15 minutes", "next meeting", "Minutes of"):
        assert own in acme, own
    globex = json.dumps(sent_to(app, "C0GLOBEX", answers["C0GLOBEX"]), ensure_ascii=False)
    assert "GLOBEX-REVIEW" in globex and "GLOBEX-ACTION" in globex
    # The joint review's reminders went to its own, internal channel, with both parties' items.
    desk = json.dumps(
        [c.args for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0DESK"],
        ensure_ascii=False,
    )
    assert "JOINT-REVIEW" in desk and "JOINT-ACTION" in desk
    # "done T-3" and "done T-4" from a shared channel could not reach those items.
    async with app.store.read() as conn:
        for number in (3, 4):
            item = await reviews_repo.get_action(conn, workspace_id="T0PARLEY", number=number)
            assert item is not None and item.is_open
