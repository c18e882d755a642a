"""The digest and the Home carry reviews and action items from the reviews feature."""

from __future__ import annotations

import json

from bot.sandbox.harness import Running


async def test_digest_and_home_list_reviews_and_open_action_items(app: Running) -> None:
    d = app.driver
    await d.command(
        "/review", "schedule Weekly ops sync tomorrow 10:00", user="U0ALICE", channel="C0DESK"
    )
    await d.command(
        "/review",
        "action R-1 <@U0ALICE|alice> tomorrow 17:00 Send the backup report",
        user="U0ALICE",
        channel="C0DESK",
    )
    await d.command("/dispute", "open Backup SLA missed", user="U0ALICE", channel="C0DESK")
    await app.settle()
    await d.command("/digest", "now", user="U0ALICE", channel="C0DESK")
    await app.settle()
    digest = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0DESK" and "Weekly ops sync" in json.dumps(c.args)
    ]
    assert digest, "the digest lists the review due tomorrow"
    text = json.dumps(digest[-1].args, ensure_ascii=False)
    assert "T-1" in text and "Send the backup report" in text
    await d.home_opened("U0ALICE")
    await app.settle()
    home = json.dumps(app.slack.calls_to("views.publish")[-1].args["view"], ensure_ascii=False)
    assert "T-1" in home and "Weekly ops sync" in home and "Backup SLA missed" in home
