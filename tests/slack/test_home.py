"""The App Home: what needs me, published on every visit (cheaply) and after changes that
touch me; its buttons do what the commands do."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bot.domain.parties import Person
from bot.sandbox.driver import Reply
from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store.schema import home_viewers
from bot.workflows.disputes import open_dispute
from tests.conftest import START
from tests.slack.test_agreements import draft, press


async def open_with(app: Running, text: str, user: str = "U0ALICE") -> None:
    await app.driver.command("/dispute", f"open {text}", user=user, channel="C0DESK")
    await app.settle()


async def visit(app: Running, user: str) -> dict[str, Any] | None:
    """Open the Home tab; the view Parley published for it (None if none)."""
    before = len(app.slack.calls_to("views.publish"))
    reply = await app.driver.home_opened(user)
    assert reply.status == 200
    await app.settle()
    calls = app.slack.calls_to("views.publish")[before:]
    return calls[-1].args["view"] if calls else None


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


async def press_on_home(app: Running, user: str, action_id: str, ref: str) -> Reply:
    """Click one of the dispute buttons on the person's Home tab (no response_url there)."""
    person = app.slack.workspace.users[user]
    view = app.slack.home_views[user]
    button = next(
        e
        for b in view["blocks"]
        if b["type"] == "actions" and b.get("block_id") == f"home_{ref}"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": person.name, "name": person.name, "team_id": "T0PARLEY"},
        "api_app_id": app.slack.workspace.app_id,
        "token": app.driver.verification_token,
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": app.slack.issue_trigger_id(user),
        "team": {"id": "T0PARLEY", "domain": "northwind"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
        "state": {"values": {}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"home_{ref}",
                "type": "button",
                "text": button["text"],
                "value": button["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    reply = await app.driver._send_payload(payload)
    await app.settle()
    return reply


async def test_opening_the_home_shows_my_disputes_overdue_first(app: Running) -> None:
    await open_with(app, "Older outage with <@U0RAJ|raj>")  # Acme: 2 working days
    app.clock.advance(timedelta(days=1))
    await open_with(app, "Newer invoice", user="U0ALICE")
    await open_with(app, "Bob's own matter", user="U0BOB")
    app.clock.advance(timedelta(days=2))  # D-1 overdue since Wednesday 10:00
    view = await visit(app, "U0ALICE")
    assert view is not None and view["type"] == "home"
    text = shown(view)
    assert "*Your open disputes* (2)" in text and "Bob's own matter" not in text
    assert text.index("*D-1*") < text.index("*D-2*")  # overdue first
    assert ":red_circle: *D-1*" in text and "overdue by 1 working day" in text
    actions = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [b["block_id"] for b in actions] == ["home_D-1", "home_D-2"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [
        "dispute_escalate",
        "dispute_resolve",
        "dispute_note",
    ]
    empty = await visit(app, "U0CAROL")
    assert empty is not None and "no open dispute" in shown(empty)
    # Bob's Home reads in his own zone
    bob = await visit(app, "U0BOB")
    assert bob is not None and "(Europe/Berlin)" in shown(bob)


async def test_the_home_is_cheap_and_only_for_our_people(app: Running) -> None:
    await open_with(app, "Core outage with <@U0RAJ|raj>")
    await visit(app, "U0ALICE")
    app.slack.clear_calls()
    again = await visit(app, "U0ALICE")
    assert again is not None
    methods = {c.method for c in app.slack.calls}
    assert methods <= {"views.publish", "users.info", "team.info"}  # no permalinks, no history
    assert await visit(app, "U0RAJ") is None  # a Slack Connect guest: no Home of ours
    before = len(app.slack.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "messages"}
    await app.driver.event(event)
    await app.settle()
    assert len(app.slack.calls_to("views.publish")) == before  # the Messages tab is not the Home


async def test_the_home_follows_changes_that_touch_me(app: Running) -> None:
    for user in ("U0ALICE", "U0BOB", "U0RAJ"):
        await visit(app, user)
    app.slack.clear_calls()
    await open_with(app, "Core outage with <@U0RAJ|raj> <@U0BOB|bob>")
    homes = {c.args["user_id"] for c in app.slack.calls_to("views.publish")}
    assert homes == {"U0ALICE", "U0BOB"}  # owner and internal member, not the guest
    await app.driver.command("/dispute", "escalate D-1 No answer", user="U0ALICE", channel="C0DESK")
    await app.settle()
    latest = app.slack.home_views["U0ALICE"]
    assert "Stage 2/4 · Multi-party" in shown(latest)
    assert "Stage 2/4 · Multi-party" in shown(app.slack.home_views["U0BOB"])
    await app.driver.command("/dispute", "resolve D-1 Credited", user="U0ALICE", channel="C0DESK")
    await app.settle()
    assert "no open dispute" in shown(app.slack.home_views["U0ALICE"])


async def test_only_homes_people_have_opened_are_republished(app: Running) -> None:
    await open_with(app, "Core outage with <@U0BOB|bob>")
    assert app.slack.calls_to("views.publish") == []  # nobody has looked at their Home yet
    await visit(app, "U0BOB")
    async with app.store.read() as conn:
        rows = (await conn.execute(sa.select(home_viewers))).all()
    assert [(r.workspace_id, r.user_id) for r in rows] == [("T0PARLEY", "U0BOB")]
    await visit(app, "U0BOB")  # a second visit writes nothing new
    async with app.store.read() as conn:
        assert len((await conn.execute(sa.select(home_viewers))).all()) == 1
    app.slack.clear_calls()
    await app.driver.command("/dispute", "escalate D-1 No answer", user="U0ALICE", channel="C0DESK")
    await app.settle()
    homes = [c.args["user_id"] for c in app.slack.calls_to("views.publish")]
    assert homes == ["U0BOB"]  # Alice owns it but has never opened her Home
    assert "Stage 2/4 · Multi-party" in shown(app.slack.home_views["U0BOB"])
    # What was recorded outlives the process: a fresh cache still republishes Bob's Home.
    deps = app.parley.deps
    assert deps is not None
    deps.runtime.home_viewers.clear()
    app.slack.clear_calls()
    await app.driver.command("/dispute", "note D-1 Chased again", user="U0ALICE", channel="C0DESK")
    await app.driver.command("/dispute", "resolve D-1 Credited", user="U0ALICE", channel="C0DESK")
    await app.settle()
    assert {c.args["user_id"] for c in app.slack.calls_to("views.publish")} == {"U0BOB"}
    assert "no open dispute" in shown(app.slack.home_views["U0BOB"])


async def test_a_home_button_does_what_the_command_does(app: Running) -> None:
    await open_with(app, "Core outage with <@U0RAJ|raj>")
    await visit(app, "U0ALICE")
    reply = await press_on_home(app, "U0ALICE", "dispute_escalate", "D-1")
    assert reply.status == 200
    view = app.slack.calls_to("views.open")[-1].args["view"]
    assert view["title"]["text"] == "Escalate D-1"
    await app.driver.view_submission(
        user="U0ALICE", view=view, values={"reason": {"text": "No answer from Acme"}}
    )
    await app.settle()
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.stage.value == "multi_party"
    assert "Stage 2/4" in shown(app.slack.home_views["U0ALICE"])
    # a stale button on a closed dispute is refused quietly (there is no message to answer)
    await app.driver.command("/dispute", "resolve D-1 Done", user="U0ALICE", channel="C0DESK")
    await app.settle()
    app.slack.home_views["U0ALICE"] = view_with_stale_buttons(app)
    opened = len(app.slack.calls_to("views.open"))
    assert (await press_on_home(app, "U0ALICE", "dispute_resolve", "D-1")).status == 200
    assert len(app.slack.calls_to("views.open")) == opened


def view_with_stale_buttons(app: Running) -> dict[str, Any]:
    current = dict(app.slack.home_views["U0ALICE"])
    current["blocks"] = [
        *current["blocks"],
        {
            "type": "actions",
            "block_id": "home_D-1",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Resolve"},
                    "action_id": "dispute_resolve",
                    "value": "D-1",
                }
            ],
        },
    ]
    return current


async def test_many_disputes_fit_the_home_tab(app: Running) -> None:
    deps = app.parley.deps
    assert deps is not None
    alice = Person(user_id="U0ALICE", team_id="T0PARLEY", name="alice")
    for n in range(60):
        await open_dispute(
            app.store,
            workspace_id="T0PARLEY",
            channel_id="C0DESK",
            owner=alice,
            title=f"Dispute {n}",
            people=[],
            config=deps.config,
            calendar=deps.calendar,
            now=START,
        )
    view = await visit(app, "U0ALICE")
    assert view is not None and len(view["blocks"]) <= 100
    assert "and 40 more — `/dispute list mine`" in shown(view)
    assert app.slack.violations == []


async def test_reviews_actions_and_agreements_awaiting_acknowledgment(app: Running) -> None:
    d = app.driver
    await d.command(
        "/review", "schedule Acme monthly review Nov 30 10:00", user="U0ALICE", channel="C0DESK"
    )
    await d.command("/review", "schedule Not mine Nov 30 10:00", user="U0BOB", channel="C0DESK")
    await d.command(
        "/review",
        "action R-1 <@U0ALICE|alice> Nov 25 Send the SLA report",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    await draft(app, what="Incident data")
    acked = await draft(app, what="Acked already")
    await press(app, "U0GRETA", "C0GLOBEX", acked)
    view = await visit(app, "U0ALICE")
    assert view is not None
    text = shown(view)
    assert "*Your upcoming reviews* (1)" in text and "R-1" in text and "R-2" not in text
    assert "*Your open action items* (1)" in text and "T-1" in text and "due Wed 25 Nov" in text
    assert "*Agreements awaiting acknowledgment* (1)" in text and "A-1" in text
    assert "Incident data" in text and "A-2" not in text
