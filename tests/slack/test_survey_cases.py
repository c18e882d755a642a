"""Case-by-case surveys after a closed complaint, over HTTP with the stand-in and the fake
clock: posted in the complaint's own thread naming the people asked, sampling decided once,
the cooldown, presses replacing each other, the internal comment form, and every refusal
answered with nothing changed."""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from random import Random

from bot.config import parse_config
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import complaints as complaints_repo
from bot.store import surveys as surveys_repo
from bot.workflows import survey_cases
from tests.conftest import START
from tests.conftest import snapshot as snapshot_of
from tests.slack.complaints_setup import (  # noqa: F401 (fixtures)
    CONFIG,
    config,
    opened,
    run,
    slack,
)
from tests.slack.survey_cases_setup import (
    GUS,
    add_gus,
    closed_by_yes,
    decisions,
    invitations,
    press,
    responses,
    survey_posts,
    surveys_of,
    thread_posts,
    ts_of,
)

QUESTION = "How satisfied are you with how C-1 was handled?"


async def test_closed_by_yes_asks_the_customer_in_its_thread(app: Running) -> None:
    root = await closed_by_yes(app)
    posted = survey_posts(app)
    assert len(posted) == 1
    post = posted[0]
    assert (post["channel"], post["thread_ts"]) == ("C0GLOBEX", root)
    assert post["text"] == f"<@U0GRETA>: {QUESTION}"
    buttons = [b for b in post["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [(e["text"]["text"], e["value"]) for e in buttons] == [
        (str(n), f"Q-1:{n}") for n in range(1, 6)
    ]
    (survey,) = await surveys_of(app)
    assert (survey.kind, survey.case_kind, survey.channel_id, survey.thread_ts) == (
        "case",
        "complaint",
        "C0GLOBEX",
        root,
    )
    assert json.loads(survey.questions) == [QUESTION]
    assert survey.remind_at is None and survey.closes_at > START
    assert survey.post_ts == ts_of(app, post)
    assert [(i.user_id, i.asked_at) for i in await invitations(app)] == [("U0GRETA", START)]
    assert [(d.case_kind, d.sampled) for d in await decisions(app)] == [("complaint", True)]
    # delivered once: more ticks post nothing more
    for _ in range(2):
        await app.parley.tick()
        await app.settle()
    assert len(survey_posts(app)) == 1
    # never in another channel
    assert all(p["channel"] == "C0GLOBEX" for p in survey_posts(app))
    assert len(thread_posts(app, "C0GLOBEX", root)) >= 3


async def test_closed_by_silence_asks_too(app: Running) -> None:
    root = await app_opened_and_resolved(app)
    app.clock.advance(timedelta(days=3, hours=1))  # past the three working days
    for _ in range(2):
        await app.parley.tick()
        await app.settle()
    (post,) = survey_posts(app)
    assert (post["channel"], post["thread_ts"]) == ("C0GLOBEX", root)
    assert "<@U0GRETA>" in post["text"]


async def app_opened_and_resolved(app: Running) -> str:
    root = await opened(
        app, "open The monthly report is late again with <@U0GRETA|greta>", channel="C0GLOBEX"
    )
    await run(app, "resolve C-1 Resent")
    return root


def _with(
    stand_in: SlackStandIn, sqlite_url: str, extra: str
) -> AbstractAsyncContextManager[Running]:
    """Parley with `[surveys]` set as `extra` says."""
    changed = parse_config(CONFIG + extra, Path("tests/company.toml"))
    return running_parley(database_url=sqlite_url, config=changed, start=START, slack=stand_in)


async def test_after_only_disputes_asks_nothing_of_a_complaint(
    slack: SlackStandIn,  # noqa: F811
    sqlite_url: str,
) -> None:
    async with _with(slack, sqlite_url, '\n[surveys]\nafter = ["dispute"]\n') as app:
        await closed_by_yes(app)
        assert survey_posts(app) == []
        assert await surveys_of(app) == [] and await decisions(app) == []


async def test_sample_zero_asks_nothing_and_the_decision_is_kept(
    slack: SlackStandIn,  # noqa: F811
    sqlite_url: str,
) -> None:
    async with _with(slack, sqlite_url, "\n[surveys]\nsample = 0.0\n") as app:
        await closed_by_yes(app)
        assert survey_posts(app) == [] and await surveys_of(app) == []
        assert [(d.case_kind, d.sampled) for d in await decisions(app)] == [("complaint", False)]
        # Deciding again (another instance, after a restart, a later config) keeps the first.
        asking = survey_cases.Asking(
            config=app.parley.deps.config.surveys.model_copy(update={"sample": 1.0}),
            calendar=app.parley.deps.calendar,
            draw=Random(7).random,
        )
        async with app.store.write() as conn:
            found = await complaints_repo.get(conn, workspace_id="T0PARLEY", number=1)
            assert found is not None
            assert await survey_cases.after_complaint(conn, found, asking, app.clock.now()) == []
        assert await surveys_of(app) == []
        assert [d.sampled for d in await decisions(app)] == [False]


async def test_a_person_asked_within_the_cooldown_is_not_asked_again(app: Running) -> None:
    add_gus(app)
    await closed_by_yes(app, 1)
    app.clock.advance(timedelta(days=10))
    root = await closed_by_yes(
        app, 2, "open The invoice is wrong with <@U0GRETA|greta>"
    )  # Greta again, ten days later
    assert len(survey_posts(app)) == 1  # nobody left to ask for C-2
    assert [d.sampled for d in await decisions(app)] == [True, True]
    # Gus replies in a third complaint's thread; Greta is still in her cooldown, Gus is asked
    app.clock.advance(timedelta(days=1))
    third = await opened(app, "open The portal is down with <@U0GRETA|greta>", channel="C0GLOBEX")
    await app.driver.message(GUS, "C0GLOBEX", "Still down for us", thread_ts=third)
    await app.settle()
    await run(app, "resolve C-3 Restarted")
    question = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == third and "complaint_resolved_yes" in json.dumps(c.args)
    ][-1]
    await app.driver.block_action(
        user=GUS,
        channel="C0GLOBEX",
        message_ts=str(question.response["ts"]),
        action_id="complaint_resolved_yes",
    )
    await app.settle()
    posted = survey_posts(app)
    assert len(posted) == 2
    assert posted[-1]["thread_ts"] == third and posted[-1]["text"].startswith("<@U0GUS>:")
    assert "U0GRETA" not in json.dumps(posted[-1])
    assert root != third
    # past the cooldown, Greta is asked again
    app.clock.advance(timedelta(days=31))
    await closed_by_yes(app, 4, "open Again late with <@U0GRETA|greta>")
    assert len(survey_posts(app)) == 3 and "<@U0GRETA>" in survey_posts(app)[-1]["text"]


async def test_a_press_is_thanked_and_a_second_replaces_it(app: Running) -> None:
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    thanked = await press(app, "U0GRETA", ts, 4)
    assert "Thank you: your rating of 4 for C-1 is on record." in thanked
    assert "survey_case_comment" in thanked and '"ephemeral"' in thanked
    again = await press(app, "U0GRETA", ts, 2)
    assert "your rating for C-1 is now 2 (it was 4)" in again
    found = await responses(app)
    assert len(found) == 2 and [r.replaced_at is None for r in found] == [False, True]
    async with app.store.read() as conn:
        current = await surveys_repo.current_answer(conn, survey_id=1, respondent_id="U0GRETA")
    assert current is not None and current.ratings == {0: 2}
    # nothing was said in the channel about the answer
    assert len(survey_posts(app)) == 1


async def test_two_presses_at_once_leave_one_current_answer(app: Running) -> None:
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    replies = await asyncio.gather(
        *(
            app.driver.block_action(
                user="U0GRETA", channel="C0GLOBEX", message_ts=ts, action_id=f"survey_case_rate_{n}"
            )
            for n in (1, 5)
        )
    )
    assert all(r.status == 200 for r in replies)
    await app.settle()
    found = await responses(app)
    assert len(found) == 2 and sum(r.replaced_at is None for r in found) == 1


async def test_forged_ratings_and_ids_are_refused_with_nothing_changed(app: Running) -> None:
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    before = await snapshot_of(app.store)
    for value, words in (
        ("Q-1:0", "0 is not a rating"),
        ("Q-1:6", "6 is not a rating"),
        ("Q-1:-1", "-1 is not a rating"),
        ("Q-1:4.5", "4.5 is not a rating"),
        ("Q-1:", "is not a rating"),
        ("Q-99:3", "There is no survey Q-99 for you to answer."),
        ("nonsense", "is not a survey id"),
    ):
        assert words in await press(app, "U0GRETA", ts, 3, value=value), value
    assert await snapshot_of(app.store) == before


async def test_only_the_people_asked_of_its_party_may_answer(app: Running) -> None:
    add_gus(app)
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    before = await snapshot_of(app.store)
    insider = await press(app, "U0ALICE", ts, 5)
    assert "Q-1 asks another organisation's people: only they can answer it." in insider
    other = await press(app, "U0IVAN", ts, 1)  # Initech's: not in the channel, forged anyway
    assert "only they can answer it" in other and "Globex" not in other
    assert "you were not among them" in await press(app, GUS, ts, 3)
    assert await snapshot_of(app.store) == before


async def test_a_press_is_judged_by_slacks_record_not_the_payloads_channel(app: Running) -> None:
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    # the same button's payload, as if pressed from a DM and from another party's channel
    for user, channel in (("U0IVAN", "D0IVAN"), ("U0ALICE", "C0GLOBEX"), ("U0GRETA", "C0ACME")):
        before = await snapshot_of(app.store)
        reply = await app.driver._send_payload(  # a forged payload: only its fields differ
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": "T0GLOBEX"},
                "api_app_id": app.slack.workspace.app_id,
                "token": app.driver.verification_token,
                "container": {"type": "message", "message_ts": ts, "channel_id": channel},
                "trigger_id": app.slack.issue_trigger_id(user),
                "team": {"id": "T0PARLEY", "domain": "northwind"},
                "channel": {"id": channel, "name": "x"},
                "response_url": app.slack.response_url(channel, user, ts),
                "actions": [
                    {
                        "action_id": "survey_case_rate_5",
                        "block_id": "survey_case_ratings",
                        "type": "button",
                        "value": "Q-1:5",
                        "action_ts": "1.0",
                    }
                ],
            }
        )
        assert reply.status == 200
        await app.settle()
        if user == "U0GRETA":  # Greta is Greta wherever the payload says she pressed
            assert [r.respondent_id for r in await responses(app)] == ["U0GRETA"]
        else:
            assert await snapshot_of(app.store) == before


async def test_a_closed_surveys_buttons_are_refused(app: Running) -> None:
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    app.clock.advance(timedelta(days=8))  # past five working days
    before = await snapshot_of(app.store)
    assert "Q-1 is closed: it no longer takes answers." in await press(app, "U0GRETA", ts, 4)
    assert await snapshot_of(app.store) == before


async def _comment_form(app: Running, ts: str) -> dict[str, object]:
    await press(app, "U0GRETA", ts, 4)
    thanks = app.slack.ephemeral_messages("C0GLOBEX", "U0GRETA")[-1]
    opened_before = len(app.slack.calls_to("views.open"))
    reply = await app.driver.block_action(
        user="U0GRETA", channel="C0GLOBEX", message_ts=thanks.ts, action_id="survey_case_comment"
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("views.open")
    assert len(calls) == opened_before + 1
    return dict(calls[-1].response["view"])


async def test_the_comment_form_keeps_a_comment_internal(app: Running) -> None:
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    view = await _comment_form(app, ts)
    before = await snapshot_of(app.store)
    for text, words in (
        ("   ", "The comment is empty"),
        ("x" * 5000, "The comment is 5,000 characters long; keep it to 3,000."),
    ):
        reply = await app.driver.view_submission(
            user="U0GRETA", view=view, values={"comment": {"comment_text": text}}
        )
        assert reply.json["response_action"] == "errors"
        assert words in reply.json["errors"]["comment"]
        assert await snapshot_of(app.store) == before
    posted = len(app.slack.calls_to("chat.postMessage"))
    typed = "Slow at first <!channel> see <https://x|label>"
    reply = await app.driver.view_submission(
        user="U0GRETA", view=view, values={"comment": {"comment_text": typed}}
    )
    assert reply.status == 200 and not reply.text
    await app.settle()
    (answer,) = await responses(app)
    assert answer.comment == typed
    assert len(app.slack.calls_to("chat.postMessage")) == posted  # never posted anywhere
    assert "<!channel>" not in json.dumps([c.args for c in app.slack.calls_to("chat.postMessage")])
    # a later press keeps the comment with the answer that replaces it
    await press(app, "U0GRETA", ts, 5)
    found = [r for r in await responses(app) if r.replaced_at is None]
    assert [r.comment for r in found] == [typed]


async def test_a_stale_or_foreign_comment_form_is_refused(app: Running) -> None:
    add_gus(app)
    await closed_by_yes(app)
    ts = ts_of(app, survey_posts(app)[0])
    view = await _comment_form(app, ts)
    before = await snapshot_of(app.store)
    reply = await app.driver.view_submission(
        user=GUS, view=view, values={"comment": {"comment_text": "Mine"}}
    )
    assert "you were not among them" in reply.json["errors"]["comment"]
    reply = await app.driver.view_submission(
        user="U0GRETA",
        view=view,
        values={"comment": {"comment_text": "Mine"}},
        private_metadata='{"number": "x"}',
    )
    assert "out of date" in reply.json["errors"]["comment"]
    assert await snapshot_of(app.store) == before


async def test_a_complaint_opened_in_an_internal_channel_asks_nobody(app: Running) -> None:
    root = await opened(app, "open The report is late with <@U0GRETA|greta>")  # in #desk
    await run(app, "resolve C-1 Resent")
    question = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == root and "complaint_resolved_yes" in json.dumps(c.args)
    ][-1]
    await app.driver.block_action(
        user="U0GRETA",
        channel="C0DESK",
        message_ts=str(question.response["ts"]),
        action_id="complaint_resolved_yes",
    )
    await app.settle()
    # Slack's record says #desk is internal: the customer is not there, so nothing is posted,
    # the survey is closed unposted and Greta's cooldown is not spent
    assert survey_posts(app) == []
    (survey,) = await surveys_of(app)
    assert survey.status == "closed" and survey.post_ts is None
    assert await invitations(app) == []
