"""/dispute reopen D-n <reason>: back at the stage it was closed at, with a fresh clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.ladder import Stage, Status
from bot.sandbox.harness import Running
from bot.store import disputes as disputes_repo
from bot.store import disputes_timeline as timeline_repo
from tests import saying
from tests.conftest import snapshot as snapshot_of


async def run(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    return await saying.answer(app, "/dispute", text, user=user, channel=channel)


async def opened(app: Running) -> str:
    await app.driver.command(
        "/dispute", "open Core outage with <@U0RAJ|raj>", user="U0ALICE", channel="C0DESK"
    )
    await app.settle()
    return str(app.slack.calls_to("chat.postMessage")[-1].response["ts"])


async def d1(app: Running):  # type: ignore[no-untyped-def]
    async with app.store.read() as conn:
        dispute = await disputes_repo.get(conn, workspace_id="T0PARLEY", number=1)
        assert dispute is not None
        events = await timeline_repo.events(conn, dispute_id=dispute.id)
    return dispute, [e.kind.value for e in events]


def dms(app: Running) -> list[dict[str, object]]:
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if str(c.args["channel"]).startswith("D")
    ]


@pytest.mark.parametrize(
    "closing", ["resolve D-1 Credit note issued", "withdraw D-1 Raised in error"]
)
async def test_a_closed_dispute_comes_back_at_its_stage_with_a_fresh_clock(
    app: Running, closing: str
) -> None:
    root = await opened(app)
    await run(app, "escalate D-1 No fix by Friday")
    app.clock.advance(timedelta(days=9))  # the multi-party stage is long overdue
    await app.parley.tick()
    await app.settle()
    assert len(dms(app)) == 1  # told once, for this stage
    await run(app, closing)
    closed, _ = await d1(app)
    assert closed.status is not Status.OPEN and closed.closed_at is not None

    app.clock.advance(timedelta(days=1))
    reopened_at = app.clock.now()
    answer = await run(app, "reopen D-1 The fix did not hold")
    assert "D-1 reopened at Stage 2/4 · Multi-party, with a fresh clock." in answer

    dispute, kinds = await d1(app)
    assert (dispute.status, dispute.stage) == (Status.OPEN, Stage.MULTI_PARTY)
    assert dispute.stage_started_at == reopened_at
    assert dispute.stage_due_at == app.parley.deps.calendar.add_working_days(reopened_at, 3)
    assert dispute.closed_at is None and dispute.resolution is None
    assert kinds.count("reopened") == 1 and kinds[-1] == "reopened"

    line = app.slack.calls_to("chat.postMessage")[-1]
    assert (line.args["channel"], line.args["thread_ts"]) == ("C0DESK", root)
    assert "Reopened at *Stage 2/4 · Multi-party* by <@U0ALICE>" in line.args["text"]
    update = app.slack.calls_to("chat.update")[-1]
    assert (update.args["channel"], update.args["ts"]) == ("C0DESK", root)
    card = update.args["blocks"][1]["text"]["text"]
    assert "Stage 2/4 · Multi-party" in card and "3 working days left" in card
    assert "Resolved" not in card and "Withdrawn" not in card

    # The overdue marker starts again: the stage can be overdue, and told, once more.
    await app.parley.tick()
    assert len(dms(app)) == 1
    app.clock.advance(timedelta(days=7))
    await app.parley.tick()
    await app.settle()
    assert len(dms(app)) == 2


async def test_the_reason_stays_inside_the_company(app: Running) -> None:
    await opened(app)
    await run(app, "resolve D-1 Fixed")
    await run(app, "reopen D-1 Our clause 7 was breached again")
    shown = await run(app, "show D-1", user="U0ALICE", channel="C0ACME")
    assert "reopened the dispute" in shown
    assert "clause 7" not in shown
    assert "clause 7" in await run(app, "show D-1")


async def test_a_dispute_under_legal_hold_is_reopened_by_an_approver_and_keeps_its_hold(
    app: Running,
) -> None:
    await opened(app)
    for reason in ("No fix", "Beyond the manager"):
        await run(app, f"escalate D-1 {reason}")
    await run(app, "escalate D-1 Approved for court", user="U0CAROL")
    await run(app, "resolve D-1 Settled out of court", user="U0CAROL")
    before = await snapshot_of(app.store)
    assert "Only an approver may reopen D-1 at the legal stage" in await run(
        app, "reopen D-1 Settlement unpaid"
    )
    assert await snapshot_of(app.store) == before
    assert "D-1 reopened at Stage 4/4 · Legal" in await run(
        app, "reopen D-1 Settlement unpaid", user="U0CAROL"
    )
    dispute, _ = await d1(app)
    assert dispute.is_open and dispute.stage is Stage.LEGAL and dispute.legal_hold
    assert dispute.stage_due_at is None  # legal has no limit
    legal = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "C0LEGAL"]
    assert len(legal) == 1  # entering legal told it; coming back to it does not


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("reopen", "U0ALICE", "Which dispute?"),
        ("reopen D-1", "U0ALICE", "The reason is empty"),
        ("reopen D-9 why", "U0ALICE", "There is no dispute D-9"),
        ("reopen Z-1 why", "U0ALICE", "is not a dispute id"),
        ("reopen D-1 " + "x" * 5000, "U0ALICE", "keep it to 2000"),
        (
            "reopen D-1 <!channel> <https://evil.example|click>",
            "U0RAJ",
            "Only members of the workspace",
        ),
        (
            "reopen D-1 still open",
            "U0ALICE",
            "D-1 is open; only a resolved or withdrawn dispute can be reopened.",
        ),
    ],
)
async def test_bad_reopens_change_nothing(
    app: Running, text: str, user: str, expected: str
) -> None:
    await opened(app)
    if "still open" not in text:
        await run(app, "resolve D-1 Fixed")
    before = await snapshot_of(app.store)
    calls = len(app.slack.calls_to("chat.postMessage")) + len(app.slack.calls_to("chat.update"))
    assert expected in await run(
        app, text, user=user, channel="C0ACME" if user == "U0RAJ" else "C0DESK"
    )
    assert await snapshot_of(app.store) == before
    assert (
        len(app.slack.calls_to("chat.postMessage")) + len(app.slack.calls_to("chat.update"))
        == calls
    )


async def test_an_outsider_in_a_dm_cannot_reopen(app: Running) -> None:
    await opened(app)
    await run(app, "resolve D-1 Fixed")
    before = await snapshot_of(app.store)
    answer = await run(app, "reopen D-1 please", user="U0RAJ", channel="U0RAJ")
    assert "Only members of the workspace" in answer
    assert await snapshot_of(app.store) == before


async def test_the_reason_is_posted_as_text_not_markup(app: Running) -> None:
    await opened(app)
    await run(app, "resolve D-1 Fixed")
    await run(app, "reopen D-1 <!channel> see <https://evil.example|our notes>")
    line = app.slack.calls_to("chat.postMessage")[-1].args
    posted = str(line["text"]) + str(line.get("blocks", ""))
    assert "<!channel>" not in posted and "<https://evil.example" not in posted
    assert "@channel" in posted and "our notes (https://evil.example)" in posted
