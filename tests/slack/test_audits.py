"""/audit end to end over signed requests: a draft scorecard of Acme's last quarter with the
figures computed by hand (tests/audit_history.py), the rating form, the list and one card, in
English and Chinese; the scheduled draft and its one DM; the shared channels' membership
events; and every bad request answered with nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.config import ParleyConfig
from bot.sandbox.harness import Running
from bot.store.schema_audits import channel_memberships, scorecard_dimensions, scorecards
from tests.audit_history import seed
from tests.conftest import snapshot
from tests.slack.audits_setup import audit, audits_config


@pytest.fixture
def config() -> ParleyConfig:
    return audits_config()


async def rows(app: Running, table: sa.Table) -> list[sa.Row[object]]:
    async with app.store.read() as conn:
        return list((await conn.execute(sa.select(table))).all())


async def test_open_computes_acmes_last_quarter_from_the_record(app: Running) -> None:
    await seed(app.store)
    text, body = await audit(app, 'open "Acme Networks"')
    assert text == "Draft S-1 is ready: rate it with `/audit rate S-1`."
    assert "S-1 Acme Networks, Wed 1 Jul 2026 – Wed 30 Sep 2026" in body
    assert "*Responsiveness* 75 — 3 of 4 first replies within 2 h (24x7); median 1.5 h" in body
    assert (
        "*Problem-solving ability* 60 — 3 of 5 closed disputes resolved before the company process"
    ) in body
    assert "*Problem-solving efficiency* 33 — median 36 h to resolve" in body
    assert "against 12 h contracted" in body
    assert "*Staff stability* 50 — 2 of 4 people stayed; 2 left its shared channels" in body
    assert "*Customer feedback* 33 — 2 survey answers (mean 3 of 5); linked complaints: 1" in body
    assert "*Cooperation climate* — — no data: not rated yet" in body
    assert "*Total 50.2 · band C*" in body
    [card] = await rows(app, scorecards)
    assert (card.number, card.status, card.created_by, card.total, card.band) == (
        1,
        "draft",
        "U0ALICE",
        50.2,
        "C",
    )
    assert len(await rows(app, scorecard_dimensions)) == 6
    assert app.slack.calls_to("chat.postMessage") == []  # a draft is posted nowhere


async def test_the_rating_form_rates_and_shows_the_notes_as_typed(app: Running) -> None:
    await seed(app.store)
    await audit(app, "open Acme Networks")
    opened = len(app.slack.calls_to("views.open"))
    text, _ = await audit(app, "rate S-1")
    assert text == ""
    calls = app.slack.calls_to("views.open")
    assert len(calls) == opened + 1
    view = dict(calls[-1].response["view"])
    assert view["callback_id"] == "audit_rate"
    before = await snapshot(app.store)
    forged = {"type": "static_select", "selected_option": {"value": "6"}}
    reply = await app.driver.view_submission(
        user="U0ALICE", view=view, values={"audit_rating": {"audit_rating_input": forged}}
    )
    assert reply.json["response_action"] == "errors"
    assert "from 1 to 5 (got 6)" in reply.json["errors"]["audit_rating"]
    assert await snapshot(app.store) == before
    typed = "Helpful <!channel> see <https://x|label>"
    reply = await app.driver.view_submission(
        user="U0ALICE",
        view=view,
        values={
            "audit_rating": {"audit_rating_input": "4"},
            "audit_notes": {"audit_notes_input": typed},
        },
    )
    assert reply.status == 200 and not reply.text
    [card] = await rows(app, scorecards)
    assert (card.cooperation, card.notes, card.rated_by, card.total) == (4, typed, "U0ALICE", 52.7)
    _, body = await audit(app, "show S-1")
    assert "*Cooperation climate* 75 — rated 4 of 5 by the auditor" in body
    assert "Helpful &lt;!channel&gt; see &lt;https://x|label&gt;" in body
    assert "<!channel>" not in body and "<https://x|label>" not in body
    assert "*Total 52.7 · band C*" in body


async def test_list_and_a_supplier_without_a_contract_in_chinese(app: Running) -> None:
    await seed(app.store)
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    text, body = await audit(app, "open DBCo Database Services 上季度")
    assert text == "草稿 S-1 已生成：请用 `/audit rate S-1` 评分。"
    assert "*响应速度* — — 无数据：该供应商没有支持合同" in body
    assert "*问题解决效率* — — 无数据：该供应商没有支持合同" in body
    assert "*问题解决能力* — — 该期间的记录中无数据" in body
    assert "总分：尚无数据" in body
    await audit(app, "open acme networks")
    text, body = await audit(app, "list")
    assert text == "2 张评分卡"
    assert "*S-2* Acme Networks" in body and "总分 50.2 · 等级 C" in body


async def test_a_scheduled_audit_drafts_at_the_quarters_end_and_dms_its_owner_once(
    app: Running,
) -> None:
    await seed(app.store)
    text, body = await audit(app, "schedule Acme Networks every quarter")
    # The company's zone is Asia/Shanghai: Q4 ends at its midnight of 1 January.
    assert (
        "Acme Networks audited every quarter; next draft Fri 1 Jan 2027, owner <@U0ALICE>" in body
    )
    end = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    app.clock.set(end - timedelta(minutes=1))
    await app.parley.tick()
    await app.settle()
    assert await rows(app, scorecards) == []
    app.clock.set(end + timedelta(minutes=1))
    for _ in range(2):
        await app.parley.tick()
        await app.settle()
    [card] = await rows(app, scorecards)
    assert card.created_by is None and card.reminded
    dms = [
        c
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] == "D0ALICE" and "scheduled audit" in json.dumps(c.args)
    ]
    assert len(dms) == 1
    assert "The scheduled audit of Acme Networks is ready as draft S-1" in json.dumps(
        dms[0].args, ensure_ascii=False
    )
    _, body = await audit(app, "list")
    assert "next draft Thu 1 Apr 2027" in body


async def test_membership_events_of_a_shared_channel_are_recorded_once_on_the_party(
    app: Running,
) -> None:
    left = {"type": "member_left_channel", "channel": "C0ACME", "user": "U0RAJ", "team": "T0ACME"}
    for _ in range(2):  # a replay records nothing more
        assert (await app.driver.event(left, event_id="Ev0LEFTRAJ")).status == 200
        await app.settle()
    joined = {"type": "member_joined_channel", "channel": "C0DESK", "user": "U0BOB"}
    assert (await app.driver.event(joined, event_id="Ev0JOINBOB")).status == 200
    # An insider joining the shared channel is not the supplier's staff.
    insider = {"type": "member_joined_channel", "channel": "C0ACME", "user": "U0ALICE"}
    assert (await app.driver.event(insider, event_id="Ev0JOINALICE")).status == 200
    await app.settle()
    found = await rows(app, channel_memberships)
    assert [(r.user_id, r.event, r.channel_id, r.team_id) for r in found] == [
        ("U0RAJ", "left", "C0ACME", "T0ACME")
    ]
    async with app.store.read() as conn:
        from bot.store import parties as parties_repo

        acme = await parties_repo.by_name(conn, workspace_id="T0PARLEY", name="Acme Networks")
    assert acme is not None and found[0].party_id == acme.id


@pytest.mark.parametrize(
    ("text", "user", "channel", "expected"),
    [
        ("open Nobody Ltd", "U0ALICE", "C0DESK", "I don't know a supplier called Nobody Ltd."),
        ("open Contoso Retail", "U0ALICE", "C0DESK", "Contoso Retail is not a supplier"),
        ("open Acme Networks next quarter", "U0ALICE", "C0DESK", "has not begun yet"),
        (
            "open Acme Networks 2027-01-01 to 2027-03-31",
            "U0ALICE",
            "C0DESK",
            "has not begun yet",
        ),
        (
            "open Acme Networks 2026-09-30 to 2026-07-01",
            "U0ALICE",
            "C0DESK",
            "The period ends (",
        ),
        ("open", "U0ALICE", "C0DESK", "Which supplier?"),
        (
            "open <!channel> <https://x|label>",
            "U0ALICE",
            "C0DESK",
            "I don't know a supplier called @channel label (https://x).",
        ),
        ("show S-9", "U0ALICE", "C0DESK", "There is no scorecard S-9."),
        ("rate S-x", "U0ALICE", "C0DESK", "S-x is not a scorecard id."),
        ("rate S-9", "U0ALICE", "C0DESK", "There is no scorecard S-9."),
        ("schedule Acme Networks every fortnight", "U0ALICE", "C0DESK", "How often?"),
        ("unschedule Acme Networks", "U0ALICE", "C0DESK", "Acme Networks has no scheduled audit."),
        ("list", "U0ALICE", "C0ACME", "Scorecards are internal until they are published"),
        ("open Acme Networks", "U0RAJ", "C0ACME", "Only members of the workspace"),
        ("list", "U0RAJ", "D0RAJ", "Only members of the workspace"),
        ("close S-1", "U0ALICE", "C0DESK", "`close` is not an /audit subcommand."),
    ],
)
async def test_bad_requests_are_answered_and_change_nothing(
    app: Running, text: str, user: str, channel: str, expected: str
) -> None:
    await seed(app.store)
    if channel.startswith("D0"):
        channel = app.slack.workspace.open_dm(user).id
    before = await snapshot(app.store)
    answer, body = await audit(app, text, user=user, channel=channel)
    assert expected in answer or expected in body, (answer, body)
    assert "<!channel>" not in answer + body
    assert await snapshot(app.store) == before
    assert app.slack.calls_to("chat.postMessage") == []
    assert app.slack.calls_to("views.open") == []
