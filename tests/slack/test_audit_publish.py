"""Publishing a scorecard end to end, over HTTP with the stand-in: the internal post (the
table as text, the auditor's notes, the band-D button) and the supplier's copy in its own
shared channel only (no notes, Comment and Appeal), each with its radar chart uploaded once
into its thread; a re-rated scorecard's version 2; the supplier's comments and appeals (the
owner told by DM) from its shared channel and from a DM; the improvement action; and every
refusal answered with nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.commands.render_scorecard_chart import PNG_SIGNATURE
from bot.domain.audit_publish import published_notices
from bot.domain.audits import Dimension
from bot.sandbox.harness import Running
from bot.store import audits as audits_repo
from bot.store.schema import action_items
from bot.workflows import notices
from tests.conftest import snapshot as snapshot_of
from tests.saying import said
from tests.slack.audit_publish_setup import (  # noqa: F401 (fixtures)
    OWNER,
    WS,
    appeals,
    buttons,
    comments,
    config,
    posts,
    rows,
    scorecard,
    scorecard_posts_in,
    text_of,
    ts_of,
)

DESK, ACME, GLOBEX = "C0DESK", "C0ACME", "C0GLOBEX"


async def publish(app: Running, text: str, user: str = "U0ALICE", channel: str = DESK) -> str:
    reply = await app.driver.command("/audit", f"publish {text}", user=user, channel=channel)
    await app.settle()
    return said(reply, app)


async def test_publishing_posts_the_table_and_its_chart_internally(app: Running) -> None:
    number = await scorecard(app)
    answer = await publish(app, f"S-{number}")
    assert "S-1 version 1 is published: posted here, for internal readers only." in answer
    (post,) = scorecard_posts_in(app, DESK)
    assert post["text"].startswith("S-1 · Acme Networks · ")
    shown = text_of(post)
    # the total leaves staff stability out (no data): 6110 / 90 = 67.9
    assert "*Total 68 of 100, band C*" in shown
    assert (
        "*Responsiveness*: 78 · band B · weight 22% · "
        "7 of 9 first replies within 2 h (24x7); median 1.5 h"
    ) in shown
    assert "*Problem-solving ability*: 40 · band D · weight 22% · 2 of 5 closed" in shown
    assert "*Cooperation climate*: 75 · band B · weight 11% · rated 4 of 5 by the auditor" in shown
    assert (
        "*Staff stability*: no data in the record for the period; left out of the total"
    ) in shown
    # the notes are internal, and escaped
    assert "Helpful &lt;!channel&gt; people" in shown and "<!channel>" not in shown
    # a band-D dimension offers its improvement action; no Comment or Appeal internally
    assert buttons(post) == [("audit_improvement_action", "S-1:v1:problem_solving")]
    assert scorecard_posts_in(app, ACME) == [] and scorecard_posts_in(app, GLOBEX) == []
    (chart,) = app.slack.files_in(DESK)
    assert chart.content is not None and chart.content.startswith(PNG_SIGNATURE)
    assert chart.thread_ts == ts_of(app, post)
    assert chart.alt_txt is not None and "Staff stability: no data" in chart.alt_txt
    assert "Responsiveness: 78 of 100, band B" in chart.alt_txt
    (row,) = await posts(app)
    assert (row.channel_id, row.version, row.audience, row.ts) == (
        DESK,
        1,
        "internal",
        ts_of(app, post),
    )
    async with app.store.read() as conn:
        found = await audits_repo.get(conn, workspace_id=WS, number=number)
    assert found is not None and found.status == "published" and found.published_by == "U0ALICE"
    # publishing again owes nothing more
    again = await publish(app, "S-1")
    assert "is published already" in again
    assert len(scorecard_posts_in(app, DESK)) == 1 and len(app.slack.files_in(DESK)) == 1


async def test_to_supplier_posts_its_copy_in_its_own_shared_channel_only(app: Running) -> None:
    await scorecard(app)
    answer = await publish(app, "S-1 to supplier")
    assert "posted here and in the supplier's shared channel <#C0ACME>" in answer
    (copy,) = scorecard_posts_in(app, ACME)
    shown = text_of(copy)
    assert "Helpful" not in shown and "notes" not in shown  # the notes stay internal
    assert "*Responsiveness*: 78 · band B" in shown
    assert buttons(copy) == [("audit_comment", "S-1:v1"), ("audit_appeal", "S-1:v1")]
    assert len(scorecard_posts_in(app, DESK)) == 1
    assert scorecard_posts_in(app, GLOBEX) == []
    for channel, post in ((DESK, scorecard_posts_in(app, DESK)[0]), (ACME, copy)):
        (chart,) = app.slack.files_in(channel)
        assert chart.thread_ts == ts_of(app, post)
    assert app.slack.files_in(GLOBEX) == []
    assert sorted((r.channel_id, r.audience) for r in await posts(app)) == [
        (ACME, "party"),
        (DESK, "internal"),
    ]
    # the copy can be asked for later, once
    assert "is published already" in await publish(app, "S-1 to supplier")
    assert len(scorecard_posts_in(app, ACME)) == 1


async def test_a_retried_chart_is_not_uploaded_twice(app: Running) -> None:
    await scorecard(app)
    app.slack.fail_next(1, status=500, method="files.completeUploadExternal", after_doing=True)
    await publish(app, "S-1")
    app.clock.advance(timedelta(minutes=1))
    await app.parley.tick()
    await app.settle()
    assert len(app.slack.files_in(DESK)) == 1
    assert len(app.slack.calls_to("files.getUploadURLExternal")) == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Write `/audit publish S-3`"),
        ("S-x", "is not a scorecard"),
        ("S-9", "There is no scorecard S-9"),
        ("S-1 to everybody", "Write `/audit publish S-3`"),
    ],
)
async def test_bad_publishing_is_refused_with_nothing_changed(
    app: Running, text: str, words: str
) -> None:
    await scorecard(app)
    before = await snapshot_of(app.store)
    assert words in await publish(app, text)
    assert await snapshot_of(app.store) == before
    assert scorecard_posts_in(app, DESK) == []


async def test_a_draft_without_the_auditors_rating_is_not_published(app: Running) -> None:
    await scorecard(app, rated=None)
    before = await snapshot_of(app.store)
    answer = await publish(app, "S-1 to supplier")
    assert "S-1 is a draft without the auditor's rating, so it was not published" in answer
    assert await snapshot_of(app.store) == before
    assert app.slack.calls_to("chat.postMessage") == [] and app.slack.files_in(ACME) == []


async def test_publishing_from_a_shared_channel_or_by_an_outsider_is_refused(
    app: Running,
) -> None:
    await scorecard(app)
    before = await snapshot_of(app.store)
    assert "Publish scorecards from an internal channel" in await publish(app, "S-1", channel=ACME)
    assert "Only members of the workspace" in await publish(app, "S-1", user="U0RAJ", channel=ACME)
    assert await snapshot_of(app.store) == before


async def test_a_supplier_without_a_shared_channel_gets_no_copy(app: Running) -> None:
    await scorecard(app, party="DBCo Database Services")
    before = await snapshot_of(app.store)
    answer = await publish(app, "S-1 to supplier")
    assert "no channel shared with DBCo Database Services alone" in answer
    assert await snapshot_of(app.store) == before


# --- the supplier's Comment and Appeal ---------------------------------------------------------


async def _copy(app: Running) -> str:
    await scorecard(app)
    await publish(app, "S-1 to supplier")
    return ts_of(app, scorecard_posts_in(app, ACME)[0])


async def _form(
    app: Running, user: str, ts: str, action: str, channel: str = ACME, value: str | None = None
) -> dict[str, object] | str:
    """Press Comment or Appeal: the form opened, or what the presser was told instead."""
    opened = len(app.slack.calls_to("views.open"))
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver.block_action(
        user=user, channel=channel, message_ts=ts, action_id=action, value=value
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("views.open")
    if len(calls) > opened:
        return dict(calls[-1].response["view"])
    told = app.slack.calls_to("response_url")
    assert len(told) == answered + 1
    return json.dumps(told[-1].args, ensure_ascii=False)


async def _form_from(
    app: Running, user: str, team: str, channel: str, ts: str, action: str, value: str
) -> dict[str, object] | str:
    """The same button's payload as if pressed in `channel` (a DM with Parley): only its
    fields say where; Slack's record of the presser decides."""
    opened = len(app.slack.calls_to("views.open"))
    answered = len(app.slack.calls_to("response_url"))
    reply = await app.driver._send_payload(
        {
            "type": "block_actions",
            "user": {"id": user, "team_id": team},
            "api_app_id": app.slack.workspace.app_id,
            "token": app.driver.verification_token,
            "container": {"type": "message", "message_ts": ts, "channel_id": channel},
            "trigger_id": app.slack.issue_trigger_id(user),
            "team": {"id": "T0PARLEY", "domain": "northwind"},
            "channel": {"id": channel, "name": "x"},
            "response_url": app.slack.response_url(channel, user, ts),
            "actions": [
                {
                    "action_id": action,
                    "block_id": "scorecard_remarks",
                    "type": "button",
                    "value": value,
                    "action_ts": "1.0",
                }
            ],
        }
    )
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("views.open")
    if len(calls) > opened:
        return dict(calls[-1].response["view"])
    told = app.slack.calls_to("response_url")
    assert len(told) == answered + 1
    return json.dumps(told[-1].args, ensure_ascii=False)


async def test_the_suppliers_rep_appeals_and_the_owner_is_told(app: Running) -> None:
    ts = await _copy(app)
    view = await _form(app, "U0RAJ", ts, "audit_appeal")
    assert isinstance(view, dict) and view["callback_id"] == "audit_appeal_form"
    before = await snapshot_of(app.store)
    for typed, words in (("   ", "Write what you appeal"), ("x" * 5000, "up to 3000 characters")):
        reply = await app.driver.view_submission(
            user="U0RAJ", view=view, values={"remark": {"remark_text": typed}}
        )
        assert reply.json["response_action"] == "errors"
        assert words in reply.json["errors"]["remark"]
        assert await snapshot_of(app.store) == before
    typed = "Two replies were on a holiday <!channel> see <https://x|label>"
    reply = await app.driver.view_submission(
        user="U0RAJ", view=view, values={"remark": {"remark_text": typed}}
    )
    assert reply.status == 200 and not reply.text
    await app.settle()
    (appeal,) = await appeals(app)
    assert (appeal.user_id, appeal.version, appeal.text) == ("U0RAJ", 1, typed)
    dms = [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if str(c.args["channel"]).startswith("D") and "appealed" in str(c.args["text"])
    ]
    (dm,) = dms
    opened = [c for c in app.slack.calls_to("conversations.open") if c.args["users"] == OWNER]
    assert opened and dm["channel"] == opened[-1].response["channel"]["id"]
    shown = text_of(dm)
    assert "S-1 (Acme Networks, version 1) was appealed." in shown and "<@U0RAJ>" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "&lt;https://x|label&gt;" in shown
    assert await comments(app) == []
    # and Raj is thanked in his DM
    (thanks,) = [
        c.args for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "D0RAJ"
    ]
    assert thanks["text"] == "Your appeal against S-1 is recorded, and its owner has been told."


async def test_a_comment_is_recorded_from_the_shared_channel_and_from_a_dm(app: Running) -> None:
    ts = await _copy(app)
    view = await _form(app, "U0RAJ", ts, "audit_comment")
    assert isinstance(view, dict) and view["callback_id"] == "audit_comment_form"
    await app.driver.view_submission(
        user="U0RAJ", view=view, values={"remark": {"remark_text": "Fair <!here>"}}
    )
    await app.settle()
    # the same button's payload from Raj's DM with Parley: who he is decides, not where
    dm = app.slack.workspace.open_dm("U0RAJ").id
    view = await _form_from(app, "U0RAJ", "T0ACME", dm, ts, "audit_comment", "S-1:v1")
    assert isinstance(view, dict)
    await app.driver.view_submission(
        user="U0RAJ", view=view, values={"remark": {"remark_text": "Also from my DM"}}
    )
    await app.settle()
    assert [(c.user_id, c.text) for c in await comments(app)] == [
        ("U0RAJ", "Fair <!here>"),
        ("U0RAJ", "Also from my DM"),
    ]
    assert await appeals(app) == []
    assert "<!here>" not in json.dumps([c.args for c in app.slack.calls_to("chat.postMessage")])


async def test_another_supplier_an_insider_or_a_forged_payload_is_refused(app: Running) -> None:
    ts = await _copy(app)
    raj_view = await _form(app, "U0RAJ", ts, "audit_appeal")
    assert isinstance(raj_view, dict)
    before = await snapshot_of(app.store)
    # Greta (Globex, another supplier) presses Acme's Appeal, from her DM with Parley
    dm = app.slack.workspace.open_dm("U0GRETA").id
    told = await _form_from(app, "U0GRETA", "T0GLOBEX", dm, ts, "audit_appeal", "S-1:v1")
    assert isinstance(told, str) and "Only the people of the supplier that S-1 rates" in told
    # Alice (an insider) presses it in Acme's channel
    told = await _form(app, "U0ALICE", ts, "audit_appeal")
    assert isinstance(told, str) and "Only the people of the supplier" in told
    # forged values: a scorecard that does not exist, a version it never had, garbage
    for value, words in (
        ("S-7:v1", "no published scorecard S-7"),
        ("S-1:v9", "S-1"),
        ("<!channel>", "out of date"),
    ):
        told = await _form(app, "U0RAJ", ts, "audit_comment", value=value)
        assert isinstance(told, str) and words in told
    # Greta submits Raj's form (naming Acme's scorecard): refused on the field
    reply = await app.driver.view_submission(
        user="U0GRETA", view=raj_view, values={"remark": {"remark_text": "Mine"}}
    )
    assert "Only the people of the supplier" in reply.json["errors"]["remark"]
    # a form whose metadata names another scorecard, or is mangled
    for metadata, words in (
        ('{"number": 2, "version": 1}', "no published scorecard S-2"),
        ('{"number": "x"}', "out of date"),
    ):
        reply = await app.driver.view_submission(
            user="U0RAJ",
            view=raj_view,
            values={"remark": {"remark_text": "Mine"}},
            private_metadata=metadata,
        )
        assert words in reply.json["errors"]["remark"]
    # an outsider's press of the internal copy's button never passes the gate
    told = await _form_from(
        app, "U0RAJ", "T0ACME", ACME, ts, "audit_improvement_action", "S-1:v1:problem_solving"
    )
    assert isinstance(told, str) and "Only members of the workspace" in told
    assert await snapshot_of(app.store) == before


# --- version 2, and the improvement action ----------------------------------------------------


async def test_re_rating_after_publishing_makes_version_2(app: Running) -> None:
    await scorecard(app)
    await publish(app, "S-1 to supplier")
    # the auditor rates it again with /audit rate: version 2 begins, as a draft
    reply = await app.driver.command("/audit", "rate S-1", user="U0ALICE", channel=DESK)
    await app.settle()
    assert reply.status == 200
    view = dict(app.slack.calls_to("views.open")[-1].response["view"])
    reply = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={
            "audit_rating": {"audit_rating_input": "5"},
            "audit_notes": {"audit_notes_input": "Better after the call"},
        },
    )
    assert reply.status == 200 and not reply.text
    await app.settle()
    async with app.store.read() as conn:
        draft = await audits_repo.get(conn, workspace_id=WS, number=1)
    assert draft is not None and (draft.version, draft.status) == (2, "draft")
    assert len(scorecard_posts_in(app, ACME)) == 1  # a draft is never posted
    answer = await publish(app, "S-1 to supplier")
    assert "S-1 version 2 is published" in answer
    for channel in (DESK, ACME):
        first, second = scorecard_posts_in(app, channel)
        assert "Version 2: it replaces version 1." in text_of(second)
        assert "*Cooperation climate*: 100 · band A" in text_of(second)
        assert "*Cooperation climate*: 75 · band B" in text_of(first)
        assert "Version 2" not in text_of(first)
        assert len(app.slack.files_in(channel)) == 2
    assert buttons(scorecard_posts_in(app, ACME)[1]) == [
        ("audit_comment", "S-1:v2"),
        ("audit_appeal", "S-1:v2"),
    ]
    assert sorted((r.version, r.channel_id) for r in await posts(app)) == [
        (1, ACME),
        (1, DESK),
        (2, ACME),
        (2, DESK),
    ]
    async with app.store.read() as conn:
        (kept,) = await audits_repo.versions(conn, scorecard_id=1)
    assert (kept.version, kept.cooperation, kept.notes) == (1, 4, "Helpful <!channel> people")


async def test_a_band_d_dimension_makes_one_improvement_action(app: Running) -> None:
    await scorecard(app)
    await publish(app, "S-1")
    post = scorecard_posts_in(app, DESK)[0]
    ts = ts_of(app, post)
    told = await _form(app, "U0BOB", ts, "audit_improvement_action", channel=DESK)
    assert isinstance(told, str) and "T-1 is created for S-1" in told and "<@U0CAROL>" in told
    (item,) = await rows(app, action_items)
    assert (item.number, item.owner_id, item.scorecard_id, item.review_id) == (1, OWNER, 1, None)
    assert item.due_at == app.parley.deps.calendar.add_working_days(app.clock.now(), 10)
    assert "problem solving" in item.text and "S-1 version 1" in item.text
    # Carol, the owner, is told by DM that Bob made it hers
    (dm,) = [
        c.args for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "D0CAROL"
    ]
    assert (
        "T-1 is yours: improve Problem-solving ability of Acme Networks (band D in S-1)"
        in (dm["text"])
    )
    assert "<@U0BOB>" in text_of(dm)
    before = await snapshot_of(app.store)
    told = await _form(app, "U0ALICE", ts, "audit_improvement_action", channel=DESK)
    assert isinstance(told, str) and "has its improvement action already: T-1" in told
    # a dimension that is not in band D, or a forged one, makes none
    for value, words in (
        ("S-1:v1:responsiveness", "not in band D"),
        ("S-1:v1:morale", "out of date"),
        ("S-1:v2:problem_solving", "S-1"),
    ):
        told = await _form(
            app, "U0ALICE", ts, "audit_improvement_action", channel=DESK, value=value
        )
        assert isinstance(told, str) and words in told
    assert await snapshot_of(app.store) == before
    assert Dimension.PROBLEM_SOLVING.value in post["blocks"][-2]["block_id"]


async def test_a_channel_acme_shares_with_another_organisation_gets_no_copy(
    app: Running,
) -> None:
    # Slack says Globex is in Acme's channel too: it is nobody's own, so no copy goes there
    app.slack.workspace.channels[ACME].shared_team_ids.append("T0GLOBEX")
    await scorecard(app)
    before = await snapshot_of(app.store)
    answer = await publish(app, "S-1 to supplier")
    assert "no channel shared with Acme Networks alone" in answer
    assert await snapshot_of(app.store) == before
    assert app.slack.calls_to("chat.postMessage") == [] and app.slack.files_in(ACME) == []


async def test_a_copy_owed_to_another_partys_channel_is_never_posted(app: Running) -> None:
    # Whatever owes it, the deliverer asks Slack whose channel it is: Globex's is not Acme's
    await scorecard(app)
    await publish(app, "S-1")
    async with app.store.write() as conn:
        found = await audits_repo.get(conn, workspace_id=WS, number=1)
        assert found is not None
        (wrong,) = published_notices(found, internal_channel=GLOBEX, party_channel=None)
        await notices.owe(conn, wrong.model_copy(update={"party": True}), now=app.clock.now())
        (internal,) = published_notices(found, internal_channel=ACME, party_channel=None)
        await notices.owe(conn, internal, now=app.clock.now())  # internal material, shared
    await app.parley.tick()
    await app.settle()
    assert scorecard_posts_in(app, GLOBEX) == [] and scorecard_posts_in(app, ACME) == []
    assert app.slack.files_in(GLOBEX) == [] and app.slack.files_in(ACME) == []
    assert [r.channel_id for r in await posts(app)] == [DESK]


async def test_somebody_slack_cannot_place_is_refused(app: Running) -> None:
    # a payload naming Acme's team for a user Slack does not know: placed by nobody, so
    # nothing opens and nothing is stored
    ts = await _copy(app)
    before = await snapshot_of(app.store)
    for action in ("audit_comment", "audit_appeal"):
        told = await _form_from(app, "U0NOBODY", "T0ACME", ACME, ts, action, "S-1:v1")
        assert isinstance(told, str) and "nothing was changed" in told
    assert await snapshot_of(app.store) == before
