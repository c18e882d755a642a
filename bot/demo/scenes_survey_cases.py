"""The demo's scene of a case survey: after the complaint closes, Initech's rep is asked in the
complaint's thread, rates it 4 and adds a comment, which stays internal."""

from __future__ import annotations

import json

from bot.demo.session import Session
from bot.domain.marks import N_
from bot.store import surveys as surveys_repo

INITECH_SHARED = "C0INITECH"


async def scene_case_survey(s: Session) -> None:
    slack = s.running.slack
    posted = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok and "survey_case_rate_1" in json.dumps(c.args.get("blocks"))
    ]
    async with s.running.store.read() as conn:
        survey = await surveys_repo.get(conn, workspace_id="T0PARLEY", number=1)
    root = survey.thread_ts if survey is not None else None
    s.check(
        len(posted) == 1
        and posted[0].args["channel"] == INITECH_SHARED
        and posted[0].args.get("thread_ts") == root
        and s.says(str(posted[0].args["text"]), "How satisfied are you with how {ref} was handled?")
        and "<@U0IVAN>" in str(posted[0].args["text"]),
        N_("Q-1 asks Ivan in C-1's thread, in Initech's shared channel only"),
    )
    ts = str((posted[0].response or {}).get("ts")) if posted else ""
    await s.press("U0IVAN", INITECH_SHARED, ts, "survey_case_rate_4", "4")
    thanks = slack.ephemeral_messages(INITECH_SHARED, "U0IVAN")
    s.check(
        bool(thanks) and "survey_case_comment" in json.dumps(thanks[-1].blocks),
        N_("Ivan is thanked where only he sees it, with a button to add a comment"),
    )
    await s.press(
        "U0IVAN",
        INITECH_SHARED,
        thanks[-1].ts if thanks else "",
        "survey_case_comment",
        N_("Add a comment"),
    )
    comment = "Fixed in the end, but only after we chased twice."
    mark = len(slack.calls_to("chat.postMessage"))
    await s.submit("U0IVAN", {"comment": {"comment_text": comment}}, comment)
    async with s.running.store.read() as conn:
        answer = await surveys_repo.current_answer(
            conn, survey_id=survey.id if survey else 0, respondent_id="U0IVAN"
        )
    s.check(
        answer is not None and answer.ratings == {0: 4} and answer.comment == comment,
        N_("Ivan's 4 and his comment are on record"),
    )
    s.check(
        len(slack.calls_to("chat.postMessage")) == mark
        and not any(
            comment in json.dumps(c.args, ensure_ascii=False)
            for c in slack.calls_to("chat.postMessage")
        ),
        N_("the comment is internal: it is posted nowhere"),
    )
