"""The demo's scene of a periodic survey: Initech (a customer) is surveyed every quarter;
one is sent now, Ivan answers it in Initech's shared channel, the post shows only the count,
Alice closes it and reads the results, which stay internal."""

from __future__ import annotations

import json

from bot.demo.session import Session, reply_text
from bot.domain.marks import N_
from bot.domain.surveys import SurveyKind
from bot.store import surveys as surveys_repo

INITECH_SHARED = "C0INITECH"


async def scene_periodic_survey(s: Session) -> None:
    slack = s.running.slack
    scheduled = await s.command("U0ALICE", "C0DESK", "/survey", "schedule Initech every quarter")
    s.check(
        s.says(
            reply_text(scheduled),
            "{party}'s survey is scheduled {rule}; the first is sent on {day}.",
        ),
        N_("Initech's survey is scheduled every quarter, on the first working day"),
    )
    sent = await s.command("U0ALICE", "C0DESK", "/survey", "send Initech Year-end check")
    async with s.running.store.read() as conn:
        found, _ = await surveys_repo.find(
            conn, workspace_id="T0PARLEY", kind=SurveyKind.PERIODIC, limit=1
        )
    survey = found[0] if found else None
    ref = survey.ref if survey is not None else "Q-?"
    posts = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok and "survey_answer" in json.dumps(c.args.get("blocks"))
    ]
    s.check(
        s.says(reply_text(sent), "{ref} for {party} is posted in {channel}, open until {day}.")
        and len(posts) == 1
        and posts[0].args["channel"] == INITECH_SHARED,
        N_("{ref} is posted in Initech's shared channel only, with its Answer button"),
        ref=ref,
    )
    ts = str((posts[0].response or {}).get("ts")) if posts else ""
    await s.press("U0IVAN", INITECH_SHARED, ts, "survey_answer", N_("Answer"))
    questions = survey.questions if survey is not None else ()
    values: dict[str, dict[str, object]] = {
        f"q{i}": {"rating": r} for i, r in enumerate(("4", "3", "5", "4", "4")[: len(questions)])
    }
    comment = "Quick replies, but the weekly report is often late."
    values["comment"] = {"comment_text": comment}
    await s.submit("U0IVAN", values, "4, 3, 5, 4, 4")
    edits = [c for c in slack.calls_to("chat.update") if c.ok and c.args.get("ts") == ts]
    shown = json.dumps([c.args for c in edits], ensure_ascii=False)
    s.check(
        bool(edits)
        and s.says_n(shown, "{n} answer so far", "{n} answers so far", 1)
        and comment not in shown,
        N_("the post counts one answer and shows nothing of it"),
    )
    await s.command("U0ALICE", "C0DESK", "/survey", f"close {ref}")
    async with s.running.store.read() as conn:
        closed = await surveys_repo.get(
            conn, workspace_id="T0PARLEY", number=survey.number if survey else 0
        )
    last = [c for c in slack.calls_to("chat.update") if c.ok and c.args.get("ts") == ts]
    s.check(
        closed is not None
        and not closed.is_open
        and bool(last)
        and "survey_answer" not in json.dumps(last[-1].args.get("blocks")),
        N_("{ref} is closed and its post no longer has the Answer button"),
        ref=ref,
    )
    results = await s.command("U0ALICE", "C0DESK", "/survey", f"show {ref}")
    said = reply_text(results)
    s.check(
        "4.00" in said and "3.00" in said and comment in said and "100%" in said,
        N_("Alice reads the averages, the response rate and Ivan's comment, internally"),
    )
