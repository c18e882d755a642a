"""Complaints in the digests and the App Home: the open ones, late ones first; a shared
channel's digest holds only its own customer's, a person's Home only those they own."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.sandbox.harness import Running
from tests.slack.complaints_setup import (  # noqa: F401 (fixtures)
    INITECH_SHARED,
    config,
    opened,
    posts,
    run,
    slack,
    text_of,
)


async def digest_now(app: Running, channel: str) -> str:
    """`/digest now` in that channel; the digest posted there."""
    await app.driver.command("/digest", "now", user="U0ALICE", channel=channel)
    await app.settle()
    found = posts(app, channel)
    assert found, f"no digest in {channel}"
    return text_of(found[-1])


async def test_each_channels_digest_shows_its_own_customers_complaints(app: Running) -> None:
    await opened(app, "open Globex report late with <@U0GRETA|greta>", channel="C0GLOBEX")
    await opened(app, "open Initech tickets closed with <@U0IVAN|ivan>", channel=INITECH_SHARED)
    app.clock.advance(timedelta(days=1, hours=1))  # the first answers are late
    internal = await digest_now(app, "C0DESK")
    assert "Open complaints" in internal and "C-1" in internal and "C-2" in internal
    assert "overdue since" in internal
    globex = await digest_now(app, "C0GLOBEX")
    assert "C-1" in globex and "C-2" not in globex and "Initech" not in globex
    initech = await digest_now(app, INITECH_SHARED)
    assert "C-2" in initech and "C-1" not in initech and "Globex" not in initech


async def test_the_home_shows_the_complaints_i_own(app: Running) -> None:
    await opened(app, "open Globex report late with <@U0GRETA|greta>")
    await app.driver.command(
        "/complaint",
        "open Initech tickets closed with <@U0IVAN|ivan>",
        user="U0BOB",
        channel="C0DESK",
    )
    await app.settle()
    for user, mine, theirs in (("U0ALICE", "C-1", "C-2"), ("U0BOB", "C-2", "C-1")):
        reply = await app.driver.home_opened(user)
        assert reply.status == 200
        await app.settle()
        view = app.slack.calls_to("views.publish")[-1].args["view"]
        shown = json.dumps(view["blocks"], ensure_ascii=False)
        assert "Your open complaints" in shown
        assert mine in shown and theirs not in shown


async def test_an_owners_home_is_republished_when_their_complaint_changes(app: Running) -> None:
    await app.driver.home_opened("U0ALICE")
    await app.settle()
    before = len(app.slack.calls_to("views.publish"))
    await opened(app, "open Globex report late with <@U0GRETA|greta>")
    published = app.slack.calls_to("views.publish")[before:]
    assert published and published[-1].args["user_id"] == "U0ALICE"
    assert "C-1" in json.dumps(published[-1].args["view"]["blocks"])
    again = len(app.slack.calls_to("views.publish"))
    await run(app, "resolve C-1 Resent")
    assert len(app.slack.calls_to("views.publish")) > again  # the card's edit republishes it
