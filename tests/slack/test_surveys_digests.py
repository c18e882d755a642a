"""Periodic surveys in the digests and the App Home: internally, those closing soon and those
closed in the last day with their counts of answers; a party's channel digest shows only its
own open survey (never another party's, never a closed one's figures); an insider's Home lists
the open ones."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.sandbox.harness import Running
from tests.slack.complaints_setup import (  # noqa: F401 (fixtures)
    INITECH_SHARED,
    config,
    posts,
    slack,
    text_of,
)
from tests.slack.surveys_setup import press_answer, sent, submit
from tests.slack.test_complaints_digests import digest_now


async def test_digests_show_surveys_closing_soon_and_just_closed(app: Running) -> None:
    ts = await sent(app, "send Globex Audit Year-end")
    await sent(app, "send Initech")
    view = await press_answer(app, "U0GRETA", ts)
    await submit(app, "U0GRETA", view)
    app.clock.advance(timedelta(days=4))  # Friday: both close on Monday
    internal = await digest_now(app, "C0DESK")
    assert "Surveys" in internal and "Q-1" in internal and "Q-2" in internal
    assert "closes" in internal and "1 answer" in internal and "0 answers" in internal
    globex = await digest_now(app, "C0GLOBEX")
    assert "Q-1" in globex and "Q-2" not in globex and "Initech" not in globex
    initech = await digest_now(app, INITECH_SHARED)
    assert "Q-2" in initech and "Q-1" not in initech and "Year-end" not in initech
    app.clock.advance(timedelta(days=3, hours=1))  # Monday: closed by the ticker
    await app.parley.tick()
    await app.settle()
    internal = await digest_now(app, "C0DESK")
    assert "closed" in internal and "Q-1" in internal and "1 answer" in internal
    before = len(posts(app, "C0GLOBEX"))
    await app.driver.command("/digest", "now", user="U0ALICE", channel="C0GLOBEX")
    await app.settle()
    later = [text_of(p) for p in posts(app, "C0GLOBEX")[before:]]
    assert not any("Q-1" in p or "answer" in p for p in later), later


async def test_an_insiders_home_lists_the_open_surveys(app: Running) -> None:
    await sent(app, "send Globex Audit Year-end")
    reply = await app.driver.home_opened("U0BOB")
    assert reply.status == 200
    await app.settle()
    shown = json.dumps(app.slack.calls_to("views.publish")[-1].args["view"]["blocks"])
    assert "Open surveys" in shown and "Q-1" in shown and "0 answers" in shown
