"""Who is who, failing closed: outsiders are placed by Slack's record, wherever they ask from.

Tried as a hostile supplier rep would: from a DM with Parley (which no payload marks as
theirs), with the team a command payload holds back, as somebody Slack cannot place, and
while Slack is rate-limiting the lookups. Each refusal leaves the database as it was and
tells the rep nothing of another party or of our record.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.commands import render_agreements, render_dispute_forms, render_disputes
from bot.commands.directory import Directory
from bot.config import parse_config
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn, StoredMessage
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from tests.conftest import COMPANY_CONFIG, START, snapshot
from tests.slack.test_isolation import FORBIDDEN, busy_session

# What an Acme rep must never see: another party, its people and words, our internal record.
NOT_FOR_ACME = [*FORBIDDEN["C0ACME"], "D-1", "D-2", "D-3"]

HOSTILE_COMMANDS = [
    ("/dispute", "list all"),
    ("/dispute", "list"),
    ("/dispute", "show D-1"),
    ("/dispute", "show D-3"),
    ("/dispute", "show D-99"),
    ("/dispute", "note D-1 we were here"),
    ("/dispute", "escalate D-1 because"),
    ("/dispute", "open A dispute of our own"),
    ("/agreement", "list"),
    ("/agreement", "new"),
    ("/agreement", "show A-1"),
    ("/review", "list"),
    ("/review", "show R-1"),
    ("/digest", "now"),
    ("/digest", "subscribe"),
    ("/digest", "me at 09:00"),
    ("/party", "list"),
    ("/party", "show Globex Audit"),
    ("/party", "rename Acme Networks to Acme Holdings"),
    ("/survey", "list"),
    ("/survey", "send Globex Audit"),
    ("/survey", "show Q-1"),
]


def dm_of(app: Running, user: str) -> str:
    return app.slack.workspace.open_dm(user).id


def forget(app: Running, user: str) -> None:
    """The directory has not seen `user` yet (as after a restart)."""
    assert app.parley.deps is not None
    app.parley.deps.directory.forget_person(user)


async def acme_dispute(app: Running, title: str, *, forget_raj: bool = False) -> StoredMessage:
    """A dispute opened with Raj in Acme's shared channel: its card (the thread's root)."""
    await app.driver.command(
        "/dispute", f"open {title} with <@U0RAJ|raj>", user="U0ALICE", channel="C0ACME"
    )
    await app.settle()
    if forget_raj:
        forget(app, "U0RAJ")
    return app.slack.bot_messages("C0ACME")[-1]


def everything_sent(app: Running, since: int) -> str:
    return "\n".join(json.dumps(c.args, ensure_ascii=False) for c in app.slack.calls[since:])


@pytest.mark.parametrize("hold_back_team", [True, False])
async def test_an_outsider_in_a_dm_gets_nothing_from_any_command(
    app: Running, hold_back_team: bool
) -> None:
    await busy_session(app)
    await app.driver.command(
        "/review",
        "schedule Acme monthly review with <@U0RAJ|raj> every month on the 10th",
        user="U0ALICE",
        channel="C0DESK",
    )
    await app.settle()
    before = await snapshot(app.store)
    calls = len(app.slack.calls)
    dm = dm_of(app, "U0RAJ")
    for command, text in HOSTILE_COMMANDS:
        reply = await app.driver.command(
            command, text, user="U0RAJ", channel=dm, hold_back_team=hold_back_team
        )
        assert reply.status == 200, (command, text)
        assert "Only members of the workspace that runs Parley" in reply.text, (command, text)
        for word in NOT_FOR_ACME:
            assert word not in reply.text, (command, text, word)
    await app.settle()
    assert await snapshot(app.store) == before
    sent = everything_sent(app, calls)
    assert app.slack.calls_to("views.open") == []
    for method in ("chat.postMessage", "chat.update", "views.publish"):
        assert not [c for c in app.slack.calls[calls:] if c.method == method], method
    for word in NOT_FOR_ACME:
        assert word not in sent, word


async def test_an_outsider_in_any_other_channel_is_refused_too(app: Running) -> None:
    await busy_session(app)
    before = await snapshot(app.store)
    # #random is internal, and Raj is not even in it: the payload's channel decides nothing
    for command, text in HOSTILE_COMMANDS[:8]:
        reply = await app.driver.command(command, text, user="U0RAJ", channel="C0RANDOM")
        assert "Only members of the workspace that runs Parley" in reply.text
        assert "Globex" not in reply.text and "SECRET-NOTE" not in reply.text
    await app.settle()
    assert await snapshot(app.store) == before


async def test_somebody_slack_cannot_place_is_an_outsider(app: Running) -> None:
    await busy_session(app)
    before = await snapshot(app.store)
    app.slack.unknown_users.add("U0CAROL")  # users.info: user_not_found
    reply = await app.driver.command("/dispute", "list all", user="U0CAROL", channel="C0DESK")
    assert "Only members of the workspace that runs Parley" in reply.text
    assert "SECRET-NOTE" not in reply.text and "D-1" not in reply.text
    reply = await app.driver.command(
        "/dispute", "note D-1 sneaky", user="U0CAROL", channel="C0DESK"
    )
    assert "Only members of the workspace that runs Parley" in reply.text
    await app.settle()
    assert await snapshot(app.store) == before


async def test_a_lookup_slack_keeps_failing_refuses_and_is_not_remembered(
    slack: SlackStandIn, tmp_path: Path
) -> None:
    config = parse_config(COMPANY_CONFIG, Path("tests/company.toml"))
    async with running_parley(
        database_url=f"sqlite:///{tmp_path}/p.db",
        config=config,
        start=START,
        slack=slack,
        retry_seconds=2.0,
    ) as app:
        before = await snapshot(app.store)
        # A wait Slack asks for that does not fit the budget: give up at once, change nothing
        app.slack.rate_limit("users.info", times=1, retry_after=30)
        reply = await app.driver.command("/dispute", "list all", user="U0ALICE", channel="C0DESK")
        await app.settle()
        told = [reply.text] + [str(c.args.get("text")) for c in app.slack.calls_to("response_url")]
        assert any("Slack is having trouble" in t for t in told), told
        assert await snapshot(app.store) == before
        # The failure was not cached as an answer: the next command places Alice
        reply = await app.driver.command("/dispute", "list all", user="U0ALICE", channel="C0DESK")
        assert "Only members" not in reply.text and "trouble" not in reply.text


async def test_a_brief_rate_limit_never_fails_a_command(app: Running) -> None:
    # Four 429s in a row on one method: slack_sdk's own handler gave up after three
    app.slack.rate_limit("conversations.info", times=4, retry_after=1)
    reply = await app.driver.command(
        "/dispute", "open Rate limited but fine", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    await app.settle(grace=30)
    told = [reply.text] + [str(c.args.get("text")) for c in app.slack.calls_to("response_url")]
    assert not any("trouble" in t for t in told), told
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.title == "Rate limited but fine"
    limited = [c for c in app.slack.calls_to("conversations.info") if c.status == 429]
    assert len(limited) == 4


async def test_outsiders_press_only_their_own_partys_buttons(app: Running) -> None:
    card = await acme_dispute(app, "Shared trouble")
    before = await snapshot(app.store)
    calls = len(app.slack.calls)
    for action_id in (
        render_disputes.ESCALATE_BUTTON,
        render_disputes.RESOLVE_BUTTON,
        render_disputes.NOTE_BUTTON,
    ):
        reply = await app.driver.block_action(
            user="U0RAJ", channel="C0ACME", message_ts=card.ts, action_id=action_id
        )
        assert reply.status == 200
    await app.settle()
    told = [str(c.args.get("text")) for c in app.slack.calls_to("response_url")]
    assert len(told) == 3 and all("Only members of the workspace" in t for t in told), told
    assert [c for c in app.slack.calls[calls:] if c.method == "views.open"] == []
    # The shortcut, and the Open form submitted by hand
    shortcut = await app.driver.message_shortcut(
        callback_id="open_dispute_from_message", user="U0RAJ", channel="C0ACME", message_ts=card.ts
    )
    assert shortcut.status == 200
    form = await app.driver.view_submission(
        user="U0RAJ",
        view={
            "callback_id": render_dispute_forms.OPEN_MODAL,
            "blocks": [
                {"type": "input", "block_id": render_dispute_forms.TITLE_BLOCK, "element": {}}
            ],
        },
        values={
            render_dispute_forms.TITLE_BLOCK: {render_dispute_forms.REASON_INPUT: "Forged open"}
        },
        private_metadata=json.dumps({"channel": "C0DESK"}),
    )
    assert "Only members of the workspace" in form.json["errors"][render_dispute_forms.TITLE_BLOCK]
    await app.settle()
    assert await snapshot(app.store) == before
    assert [c for c in app.slack.calls[calls:] if c.method == "chat.postMessage"] == []


async def test_acknowledge_stays_open_to_the_right_party(app: Running) -> None:
    # The one button an outsider may press goes through to its workflow's own checks
    assert (
        render_agreements.ACKNOWLEDGE_BUTTON
        in __import__("bot.commands.identity", fromlist=["OUTSIDER_ACTIONS"]).OUTSIDER_ACTIONS
    )


async def test_an_outsider_gets_no_home(app: Running) -> None:
    await busy_session(app)
    calls = len(app.slack.calls)
    reply = await app.driver.home_opened("U0RAJ")
    assert reply.status == 200
    await app.settle()
    assert [c for c in app.slack.calls[calls:] if c.method == "views.publish"] == []
    await app.driver.home_opened("U0ALICE")
    await app.settle()
    assert [c.args["user_id"] for c in app.slack.calls_to("views.publish")][-1] == "U0ALICE"


async def test_a_dm_is_its_persons_audience(slack: SlackStandIn) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    directory = Directory(client)
    ours = await directory.audience(slack.workspace.open_dm("U0ALICE").id, "T0PARLEY")
    theirs = await directory.audience(slack.workspace.open_dm("U0RAJ").id, "T0PARLEY")
    assert ours.internal
    assert not theirs.internal and theirs.team_ids == frozenset({"T0ACME"})
    slack.unknown_users.add("U0GRETA")
    nobody = await directory.audience(slack.workspace.open_dm("U0GRETA").id, "T0PARLEY")
    assert not nobody.internal and nobody.team_ids == frozenset()


async def test_a_thread_reply_is_acked_without_waiting_on_slack(app: Running) -> None:
    root = await acme_dispute(app, "Reply capture", forget_raj=True)
    app.slack.rate_limit("users.info", times=3, retry_after=1)
    before_lookups = len(app.slack.calls_to("users.info"))
    _, reply = await app.driver.message("U0RAJ", "C0ACME", "Looking into it", thread_ts=root.ts)
    assert reply.status == 200
    # Answered before Slack's three 429s had all been waited out: the ack did not wait on
    # users.info (which needs all three before it can answer)
    limited = [c for c in app.slack.calls_to("users.info")[before_lookups:] if c.status == 429]
    assert len(limited) < 3
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        events = await timeline_repo.events(conn, dispute_id=d1.id)
    replies = [e for e in events if e.kind == "reply"]
    assert len(replies) == 1
    assert replies[0].party == "Acme Networks"  # the event's user_team placed it
    await app.settle(grace=30)
    assert len([c for c in app.slack.calls_to("users.info") if c.status == 429]) == 3


async def test_a_reply_slack_cannot_place_keeps_the_events_team(app: Running) -> None:
    root = await acme_dispute(app, "Unknown author", forget_raj=True)
    app.slack.unknown_users.add("U0RAJ")
    await app.driver.message("U0RAJ", "C0ACME", "Who am I", thread_ts=root.ts)
    await app.settle()
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        events = await timeline_repo.events(conn, dispute_id=d1.id)
    reply = next(e for e in events if e.kind == "reply")
    assert reply.party == "Acme Networks"
    assert any(p.name == "Acme Networks" for p in d1.parties)


async def test_slacks_record_places_a_reply_the_event_did_not(app: Running) -> None:
    root = await acme_dispute(app, "No team sent", forget_raj=True)
    message = app.slack.post_human_message("U0RAJ", "C0ACME", "No team here", thread_ts=root.ts)
    event = app.driver.message_event(message)
    for key in ("user_team", "source_team", "team"):
        event.pop(key, None)
    reply = await app.driver.event(event)
    assert reply.status == 200
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        first = [e for e in await timeline_repo.events(conn, dispute_id=d1.id) if e.kind == "reply"]
    assert len(first) == 1  # stored before the ack...
    await app.settle()
    await asyncio.sleep(0)
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        after = [e for e in await timeline_repo.events(conn, dispute_id=d1.id) if e.kind == "reply"]
    assert after[0].party == "Acme Networks"
    assert any(p.name == "Acme Networks" for p in d1.parties)


async def test_a_rate_limited_lookup_of_the_asker_is_waited_out_after_the_early_answer(
    app: Running,
) -> None:
    before = await snapshot(app.store)
    app.slack.rate_limit("users.info", times=3, retry_after=1)
    reply = await app.driver.command(
        "/dispute", "open Asker looked up slowly", user="U0ALICE", channel="C0DESK"
    )
    assert reply.status == 200
    assert "I'm on it" in reply.text  # Slack was answered before the three waits were over
    await app.settle(grace=30)
    assert await snapshot(app.store) != before
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
    assert d1 is not None and d1.owner_id == "U0ALICE"
    told = [str(c.args.get("text")) for c in app.slack.calls_to("response_url")]
    assert not any("trouble" in t or "Only members" in t for t in told), told


async def test_a_team_first_seen_in_an_event_takes_its_name_once_slack_answers(
    app: Running,
) -> None:
    root = await acme_dispute(app, "A new supplier speaks")
    app.slack.workspace.channels["C0ACME"].members.append("U0IVAN")
    ivan = app.slack.post_human_message("U0IVAN", "C0ACME", "Initech here", thread_ts=root.ts)
    assert (await app.driver.event(app.driver.message_event(ivan))).status == 200
    async with app.store.read() as conn:
        d1 = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert d1 is not None
        early = [e for e in await timeline_repo.events(conn, dispute_id=d1.id) if e.kind == "reply"]
    assert early[-1].party == "T0INITECH"  # placed before the ack by the event's team alone
    await app.settle()
    async with app.store.read() as conn:
        late = [e for e in await timeline_repo.events(conn, dispute_id=d1.id) if e.kind == "reply"]
    assert late[-1].party == "Initech"  # Slack's record named the team
