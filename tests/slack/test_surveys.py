"""Periodic surveys over HTTP with the stand-in: `/survey send` posts the questionnaire in the
party's own shared channel, the Answer button opens the form, a later answer replaces the
first, the post shows only the count; every refusal answered with nothing changed."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.sandbox.harness import Running
from tests.conftest import START
from tests.conftest import snapshot as snapshot_of
from tests.slack.complaints_setup import config, slack  # noqa: F401 (fixtures)
from tests.slack.surveys_setup import (
    QUESTIONS,
    posts,
    press_answer,
    responses,
    run,
    sent,
    submit,
    surveys_of,
    updates,
)


async def test_send_posts_the_questionnaire_in_the_partys_own_channel(app: Running) -> None:
    answer = await run(app, "send Globex Audit Year-end check &lt;!channel&gt; <https://x|label>")
    assert "Q-1 for Globex Audit is posted in <#C0GLOBEX>, open until" in answer
    await app.settle()
    (post,) = posts(app)
    assert post["channel"] == "C0GLOBEX"
    shown = json.dumps(post["blocks"], ensure_ascii=False)
    for question in QUESTIONS:
        assert question in shown
    marked = json.dumps([post["text"], [b for b in post["blocks"] if b["type"] != "header"]])
    assert "<!channel>" not in marked and "<https://x|label>" not in marked
    assert post["blocks"][0]["text"]["type"] == "plain_text"  # the header shows it as text
    assert "&lt;!channel&gt;" in post["text"]
    button = [b for b in post["blocks"] if b["type"] == "actions"][0]["elements"][0]
    assert (button["action_id"], button["value"]) == ("survey_answer", "Q-1")
    assert "0 answers so far" in shown
    (survey,) = await surveys_of(app)
    assert (survey.kind, survey.status, survey.channel_id, survey.sent_by) == (
        "periodic",
        "open",
        "C0GLOBEX",
        "U0ALICE",
    )
    assert survey.title == "Year-end check <!channel> label (https://x)"  # as plain text
    assert json.loads(survey.questions) == list(QUESTIONS)
    # five working days from Monday 10:00 in Shanghai: the next Monday; reminded the Friday
    assert survey.closes_at == START + timedelta(days=7)
    assert survey.remind_at == START + timedelta(days=4)
    assert survey.post_ts == post["_ts"]


async def test_the_form_records_an_answer_and_a_later_one_replaces_it(app: Running) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    assert isinstance(view, dict) and view["callback_id"] == "survey_form"
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == [*QUESTIONS, "Comment"]
    typed = "Slow at first <!channel> see <https://x|label>"
    reply = await submit(app, "U0GRETA", view, comment=typed)
    assert reply.status == 200 and not reply.text
    (first,) = await responses(app)
    assert (first.respondent_id, first.comment, first.replaced_at) == ("U0GRETA", typed, None)
    edits = updates(app, ts)
    assert "1 answer so far" in json.dumps(edits[-1]["blocks"])
    # the channel never sees what was answered
    said = json.dumps([c.args for c in app.slack.calls_to("chat.update")])
    assert "Slow at first" not in said and "<!channel>" not in said
    # pressing again opens the form with the answer so far; a new one replaces it
    again = await press_answer(app, "U0GRETA", ts)
    chosen = [b["element"].get("initial_option", {}).get("value") for b in again["blocks"][2:7]]
    assert chosen == ["4", "5", "3", "4", "5"]
    await submit(app, "U0GRETA", again, ratings=("1", "2", "3", "4", "5"))
    found = await responses(app)
    assert len(found) == 2 and [r.replaced_at is None for r in found] == [False, True]
    assert "1 answer so far" in json.dumps(updates(app, ts)[-1]["blocks"])


async def test_two_answers_at_once_leave_one_current(app: Running) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    values = [("1", "1", "1", "1", "1"), ("5", "5", "5", "5", "5")]
    await asyncio.gather(*(submit(app, "U0GRETA", view, ratings=r) for r in values))
    found = await responses(app)
    assert len(found) == 2 and sum(r.replaced_at is None for r in found) == 1


@pytest.mark.parametrize(
    ("ratings", "block", "words"),
    [
        (("0", "5", "3", "4", "5"), "q0", "0 is not a rating"),
        (("4", "6", "3", "4", "5"), "q1", "6 is not a rating"),
        (("4", "5", "3", "4", "4.5"), "q4", "4.5 is not a rating"),
        (("4", "5", "3", "4"), "q4", "Question 5 has no rating yet"),
        (("4", "5", "3", "4", "5", "5"), "q0", "This survey has no question 6."),
    ],
)
async def test_forged_ratings_are_refused_on_their_field(
    app: Running, ratings: tuple[str, ...], block: str, words: str
) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    before = await snapshot_of(app.store)
    reply = await submit(app, "U0GRETA", view, ratings=ratings)
    assert reply.json["response_action"] == "errors"
    assert words in reply.json["errors"][block], reply.json
    assert await snapshot_of(app.store) == before


async def test_a_stale_form_is_refused(app: Running) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    before = await snapshot_of(app.store)
    for metadata in ('{"number": "x"}', '{"number": 1, "party": 2}', "not json"):
        reply = await app.driver.view_submission(
            user="U0GRETA",
            view=view,
            values={"q0": {"rating": "4"}},
            private_metadata=metadata,
        )
        assert "This form is out of date" in reply.json["errors"]["q0"], metadata
    assert await snapshot_of(app.store) == before


async def test_a_too_long_comment_is_refused(app: Running) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    before = await snapshot_of(app.store)
    reply = await submit(app, "U0GRETA", view, comment="x" * 5000)
    assert "keep it to 3,000" in reply.json["errors"]["comment"]
    assert await snapshot_of(app.store) == before


async def test_only_the_partys_people_may_answer(app: Running) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    before = await snapshot_of(app.store)
    insider = await press_answer(app, "U0ALICE", ts)
    assert "Q-1 asks the party's people; our team reads the results with" in insider
    other = await press_answer(app, "U0IVAN", ts)  # Initech's, forged into Globex's channel
    assert "Q-1 asks another organisation's people: only they can answer it." in other
    assert "Globex" not in other
    # the form submitted by another party's person, or an insider, is refused too
    for user, words in (("U0IVAN", "another organisation's people"), ("U0ALICE", "asks the party")):
        reply = await submit(app, user, view)
        assert words in reply.json["errors"]["q0"], reply.json
    assert await snapshot_of(app.store) == before


async def test_another_partys_survey_id_is_refused_on_its_own_post(app: Running) -> None:
    await sent(app)  # Q-1, Globex's
    initech = await sent(app, "send Initech")  # Q-2, in Initech's own channel
    before = await snapshot_of(app.store)
    forged = await press_answer(app, "U0IVAN", initech, channel="C0INITECH", value="Q-1")
    assert "Q-1 asks another organisation's people" in forged and "Globex" not in forged
    assert "There is no survey Q-9 for you to answer." in await press_answer(
        app, "U0IVAN", initech, channel="C0INITECH", value="Q-9"
    )
    assert await snapshot_of(app.store) == before
    assert isinstance(await press_answer(app, "U0IVAN", initech, channel="C0INITECH"), dict)


async def test_a_closed_survey_takes_no_answers(app: Running) -> None:
    ts = await sent(app)
    view = await press_answer(app, "U0GRETA", ts)
    assert "Q-1 is closed; its post no longer takes answers." in await run(app, "close Q-1")
    await app.settle()
    last = updates(app, ts)[-1]
    assert "survey_answer" not in json.dumps(last["blocks"]) and "Closed" in json.dumps(last)
    before = await snapshot_of(app.store)
    # the button as an old copy of the message still shows it
    stale = await press_answer(app, "U0GRETA", ts, value="Q-1")
    assert "Q-1 is closed: it no longer takes answers." in stale
    reply = await submit(app, "U0GRETA", view)
    assert "Q-1 is closed" in reply.json["errors"]["q0"]
    assert "Q-1 is closed already." in await run(app, "close Q-1")
    assert await snapshot_of(app.store) == before


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("send", "Name the party"),
        ("send Contoso", "I don't know a party called Contoso."),
        ("send &lt;!channel&gt; <https://x|label>", "a party called &lt;!channel&gt; label"),
        ("send Globex Auditors", "I don't know a party called Globex Auditors."),
        ("send Acme Networks", "I'm in no channel shared with Acme Networks alone"),
        ("send Globex Audit " + "x" * 5000, "The survey's title is 5,000 characters long"),
        ("show", "is not a survey id"),
        ("show Q-99", "There is no survey Q-99."),
        ("show nonsense", "`nonsense` is not a survey id"),
        ("close Q-7", "There is no survey Q-7."),
        ("list Contoso", "I don't know a party called Contoso."),
        ("schedule", "Name the party"),
        ("schedule Globex Audit", "I can't tell how often to send it"),
        ("schedule Contoso every quarter", "I don't know a party called Contoso."),
        ("schedule Globex Audit every fortnight on Caturday", "every fortnight"),
        ("unschedule Globex Audit", "Globex Audit has no survey schedule."),
        ("frobnicate", "`frobnicate` is not a /survey subcommand."),
    ],
)
async def test_bad_input_is_refused_with_nothing_changed(
    app: Running, text: str, words: str
) -> None:
    app.slack.workspace.channels["C0ACME"].members.remove("U0PARLEY")  # not in Acme's channel
    before = await snapshot_of(app.store)
    answer = await run(app, text)
    assert words in answer, answer
    assert "<!channel>" not in answer and "<https://x" not in answer
    assert await snapshot_of(app.store) == before
    assert posts(app) == []


@pytest.mark.parametrize("where", ["C0GLOBEX", "DM"])
async def test_an_outsider_cannot_use_survey(app: Running, where: str) -> None:
    channel = app.slack.workspace.open_dm("U0GRETA").id if where == "DM" else where
    before = await snapshot_of(app.store)
    for text in ("send Globex Audit", "list", "show Q-1", "schedule Globex Audit every quarter"):
        answer = await run(app, text, user="U0GRETA", channel=channel)
        assert "Only members of the workspace that runs Parley can use /survey" in answer
    assert await snapshot_of(app.store) == before
    assert posts(app) == []


async def test_help_and_empty_text_show_the_usage(app: Running) -> None:
    for text in ("", "help"):
        assert "/survey send <party> [title]" in await run(app, text)


async def test_list_and_show_are_internal_figures(app: Running) -> None:
    ts = await sent(app, "send Globex Audit Q4")
    view = await press_answer(app, "U0GRETA", ts)
    await submit(app, "U0GRETA", view, ratings=("4", "5", "3", "4", "5"), comment="Good <!here>")
    listed = await run(app, "list")
    assert "Q-1" in listed and "Globex Audit" in listed and "1 answer" in listed
    shown = await run(app, "show Q-1")
    assert "1 of 1 answered (100%)" in shown
    assert "Quality of service: 4.00 (1 answered)" in shown and "Attitude: 3.00" in shown
    assert "Good &lt;!here&gt;" in shown and "<!here>" not in shown
    # an insider in the party's shared channel is not shown the internal figures there
    there = await run(app, "show Q-1", channel="C0GLOBEX")
    assert "Good" not in there and "4.00" not in there


async def test_chinese_words(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    answer = await run(app, "send Globex Audit")
    assert "Globex Audit 的 Q-1 已发布在 <#C0GLOBEX>，开放至 11月30日" in answer
    assert "请写明是哪一方" in await run(app, "send")
