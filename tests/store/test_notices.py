"""Typed notices: every kind is a model with one deliverer, goes through a stored row and
comes back equal, and a row that holds no notice Parley knows is failed and logged without
stopping the worker. Rows owed by the previous version (kind names and payloads as they
were) are read, and delivered, after the upgrade.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.commands import delivery
from bot.commands.sending import Deliverers, Sender
from bot.config import ParleyConfig
from bot.domain.audit_publish import (
    RemarkKind,
    ScorecardAppealed,
    ScorecardChart,
    ScorecardImprovement,
    ScorecardPublished,
    ScorecardRemarked,
)
from bot.domain.complaints import Clock as ComplaintClock
from bot.domain.complaints import ClosedBy
from bot.domain.complaints import EventKind as ComplaintEventKind
from bot.domain.digests import DigestKind
from bot.domain.ladder import Stage
from bot.domain.notices import (
    KINDS,
    ActionDue,
    ActionPosted,
    ActionRefresh,
    AgreementCard,
    AgreementExpiredDm,
    AgreementRefresh,
    AgreementVersionLine,
    AuditDraftReady,
    CaseSurveyPost,
    ComplaintCard,
    ComplaintClosed,
    ComplaintLine,
    ComplaintOverdueDm,
    ComplaintRefresh,
    ComplaintTell,
    ContractRenewal,
    DeliveryFailed,
    DigestDue,
    DisputeCard,
    DisputeLine,
    DisputeMeeting,
    DisputeOverdueDm,
    DisputeOverdueLine,
    DisputeRefresh,
    DisputeTell,
    DossierDue,
    Notice,
    PraisePost,
    PraiseThanks,
    ReportChart,
    ReportDue,
    ReviewPrompt,
    ReviewReminder,
    SatisfactionDue,
    SurveyPost,
    SurveyRefresh,
    SurveyReminder,
    UnreadableNotice,
    ValueAddSaved,
    parse_notice,
)
from bot.domain.reports import Period, QuarterFigure, QuestionFigure, SatisfactionReport
from bot.domain.timeline import TimelineKind
from bot.sandbox.harness import Running, running_parley
from bot.sandbox.slack_api import SlackStandIn
from bot.store import Store, normalise_database_url
from bot.store import outbox as outbox_repo
from bot.store.db import MIGRATIONS
from bot.store.outbox import OutboxRow
from bot.store.schema import outbox
from bot.workflows import notices
from tests.conftest import START

WS = "T0PARLEY"
LATER = datetime(2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=1)))

# One of each kind, each in a lane of its own.
EXAMPLES: list[Notice] = [
    DisputeCard(workspace_id=WS, dispute_id=1, owner_id="U0ALICE", what="the card of D-1"),
    DisputeLine(
        workspace_id=WS,
        dispute_id=2,
        event=TimelineKind.ESCALATED,
        text="No answer — «two days» & <counting>",
        actor_id="U0ALICE",
        owner_id="U0ALICE",
        what="the escalated line in the thread of D-2",
    ),
    DisputeRefresh(workspace_id=WS, dispute_id=3),
    DisputeTell(
        workspace_id=WS,
        dispute_id=4,
        channel_id="C0LEGAL",
        why="legal",
        text="Off to legal",
        actor_id="U0ALICE",
        owner_id="U0ALICE",
        what="the legal notice of D-4",
    ),
    DisputeOverdueLine(workspace_id=WS, dispute_id=5, working_days=2, stage=Stage.MULTI_PARTY),
    DisputeOverdueDm(
        workspace_id=WS, dispute_id=6, working_days=1, stage=Stage.LEGAL, escalated=True
    ),
    ReviewReminder(
        workspace_id=WS,
        review_id=1,
        occurrence=LATER,
        reminder="15-minutes",
        owner_id="U0ALICE",
        what="the 15-minutes reminder of R-1 in #desk",
    ),
    ReviewPrompt(
        workspace_id=WS, review_id=2, occurrence=START, owner_id="U0BOB", what="the prompt"
    ),
    ReportDue(workspace_id=WS, review_id=3, deadline=date(2026, 12, 1)),
    ActionPosted(
        workspace_id=WS, review_id=4, action_number=7, owner_id="U0ALICE", what="T-7's message"
    ),
    ActionRefresh(workspace_id=WS, review_id=5, action_number=8, pressed=("C0DESK", "1.000200")),
    ActionDue(workspace_id=WS, review_id=6, action_number=9),
    AgreementCard(
        workspace_id=WS, agreement_id=1, agreement_number=3, owner_id="U0ALICE", what="A-3"
    ),
    AgreementRefresh(workspace_id=WS, agreement_id=2, agreement_number=4),
    AgreementVersionLine(workspace_id=WS, agreement_id=3, agreement_number=5, version=2),
    AgreementExpiredDm(workspace_id=WS, agreement_id=4, agreement_number=6, version=3),
    DigestDue(
        workspace_id=WS,
        target_kind=DigestKind.PERSON,
        target="U0ALICE",
        subscription_id=4,
        due_at=LATER,
        since=START,
        owner_id="U0ALICE",
        what="the digest of Tue 24 Nov",
    ),
    DeliveryFailed(workspace_id=WS, user_id="U0ALICE", what="the card of D-1", error="is_archived"),
]
# Kinds declared after the upgrade to typed notices (0015): no row of theirs predates it.
LATER_KINDS: list[Notice] = [
    DossierDue(
        workspace_id=WS,
        dispute_id=7,
        asker_id="U0ALICE",
        channel_id="C0LEGAL",
        owner_id="U0ALICE",
        what="the dossier of {ref}",
        what_facts={"ref": "D-7"},
    ),
    DisputeMeeting(
        workspace_id=WS,
        dispute_id=9,
        review_id=4,
        owner_id="U0ALICE",
        what="the meeting R-4 in the thread of D-9",
    ),
    PraisePost(
        workspace_id=WS,
        praise_id=1,
        praise_number=2,
        channel_id="C0PRAISE",
        owner_id="U0ALICE",
        what="the post of P-{number} in {channel}",
        what_facts={"number": "2", "channel": "C0PRAISE"},
    ),
    PraiseThanks(workspace_id=WS, praise_id=2, praise_number=3, user_id="U0BOB"),
    ValueAddSaved(workspace_id=WS, valueadd_id=1, valueadd_number=4, user_id="U0ALICE"),
    ComplaintCard(
        workspace_id=WS,
        complaint_id=1,
        owner_id="U0ALICE",
        what="the card of C-{number}",
        what_facts={"number": "1"},
    ),
    ComplaintRefresh(workspace_id=WS, complaint_id=2),
    ComplaintLine(
        workspace_id=WS,
        complaint_id=3,
        event=ComplaintEventKind.RESOLVED,
        text="Report resent — «fixed» & <done>",
        actor_id="U0ALICE",
        round=1,
        owner_id="U0ALICE",
        what="the line in the thread of {ref}",
        what_facts={"ref": "C-1"},
    ),
    ComplaintTell(
        workspace_id=WS,
        complaint_id=4,
        channel_id="C0CARE",
        text="The CIO called",
        actor_id="U0ALICE",
        owner_id="U0ALICE",
        what="the escalation notice of {ref}",
        what_facts={"ref": "C-1"},
    ),
    ComplaintOverdueDm(workspace_id=WS, complaint_id=5, clock=ComplaintClock.ANSWER),
    ComplaintClosed(workspace_id=WS, complaint_id=6, closed_by=ClosedBy.SILENCE, working_days=3),
    CaseSurveyPost(workspace_id=WS, survey_id=1, case_kind="complaint", case_id=7),
    SurveyPost(workspace_id=WS, survey_id=2),
    SurveyRefresh(workspace_id=WS, survey_id=3),
    SurveyReminder(workspace_id=WS, survey_id=4),
    ContractRenewal(
        workspace_id=WS,
        party="Acme Networks",
        reference="ACME-2026-07",
        valid_until=date(2027, 6, 30),
        days=90,
        owner_id="U0CAROL",
    ),
    SatisfactionDue(
        workspace_id=WS,
        owner_id="U0ALICE",
        what="the satisfaction report from {day}",
        what_facts={"day": "2026-07-01"},
        party_id=3,
        period=Period(start=date(2026, 7, 1), end=date(2026, 9, 30)),
    ),
    ReportChart(
        workspace_id=WS,
        owner_id="U0BOB",
        what="the satisfaction chart from {day}",
        what_facts={"day": "2026-01-01"},
        report=SatisfactionReport(
            party=None,
            period=Period(start=date(2026, 1, 1), end=date(2026, 11, 23)),
            answers=3,
            asked=4,
            answered=3,
            questions=(QuestionFigure(text="Overall «总体»", average=4.33, ratings=3),),
            quarters=(QuarterFigure(year=2026, quarter=4, answers=3, average=4.33),),
            complaints_opened=2,
            complaints_closed=1,
            median_days_to_close=2.5,
            overdue=0,
            praise=1,
        ),
    ),
    ScorecardPublished(
        workspace_id=WS,
        owner_id="U0CAROL",
        what="the scorecard {ref}",
        what_facts={"ref": "S-1"},
        number=1,
        version=1,
        channel_id="C0ACME",
        party=True,
    ),
    ScorecardChart(
        workspace_id=WS,
        owner_id="U0CAROL",
        what="the radar chart of {ref}",
        what_facts={"ref": "S-2"},
        number=2,
        version=2,
        channel_id="C0DESK",
        thread_ts="1700000000.000100",
    ),
    ScorecardAppealed(
        workspace_id=WS,
        owner_id="U0CAROL",
        what="the appeal against {ref}",
        what_facts={"ref": "S-3"},
        number=3,
        version=1,
        appeal_id=3,
        appealed_by="U0RAJ",
    ),
    ScorecardImprovement(
        workspace_id=WS,
        owner_id="U0CAROL",
        what="the improvement action T-{number}",
        what_facts={"number": "4"},
        number=4,
        version=1,
        action_number=4,
        dimension="problem_solving",
        created_by="U0BOB",
    ),
    ScorecardRemarked(
        workspace_id=WS,
        owner_id="",
        what="the thanks for a remark on {ref}",
        what_facts={"ref": "S-5"},
        number=5,
        version=1,
        user_id="U0RAJ",
        remark=RemarkKind.APPEAL,
    ),
    AuditDraftReady(workspace_id=WS, scorecard_id=4, owner_id="U0AUDITOR"),
]
EVERY_KIND = [*EXAMPLES, *LATER_KINDS]


def test_every_kind_is_one_model_with_exactly_one_deliverer() -> None:
    models = set(KINDS.values())
    assert {type(n) for n in EVERY_KIND} == models  # a new kind needs an example here
    for model in models:
        assert KINDS[model.kind] is model
        registered = [topic for topic in delivery.TOPICS if model in topic]
        assert len(registered) == 1, f"{model.__name__} has {len(registered)} deliverers"
    assert set(delivery.deliverers()) == models
    # the two edits that show the current state answer their queued twins
    assert {m for m in models if m.coalesced} == {
        DisputeRefresh,
        AgreementRefresh,
        ComplaintRefresh,
        SurveyRefresh,
    }


def test_a_model_cannot_be_delivered_twice() -> None:
    one, other = Deliverers(), Deliverers()

    async def refresh(send: Sender, notice: DisputeRefresh) -> None:
        raise AssertionError("never called")

    one.of(DisputeRefresh)(refresh)
    with pytest.raises(TypeError, match="has a deliverer already"):
        one.of(DisputeRefresh)(refresh)
    other.of(DisputeRefresh)(refresh)
    with pytest.raises(TypeError, match="delivered twice"):
        delivery.deliverers((one, other))


def test_a_kind_cannot_be_declared_twice() -> None:
    with pytest.raises(TypeError, match="declared twice"):

        class Again(Notice, kind="dispute.card"):
            @property
            def lane(self) -> str:
                return "dispute:1"

    assert KINDS["dispute.card"] is DisputeCard


def test_an_unknown_kind_or_fields_that_do_not_parse_are_unreadable() -> None:
    with pytest.raises(UnreadableNotice, match="unknown notice kind 'dispute.sung'"):
        parse_notice("dispute.sung", workspace_id=WS, payload={"dispute_id": 1})
    secret = "what somebody wrote"
    with pytest.raises(UnreadableNotice) as caught:
        parse_notice(
            "dispute.line",
            workspace_id=WS,
            payload={"dispute_id": secret, "event": "sung", "text": 1, "actor_id": "U1"},
        )
    message = str(caught.value)
    assert "dispute_id (int_parsing)" in message and "event (enum)" in message
    assert "owner_id (missing)" in message
    assert secret not in message and "sung" not in message  # fields named, values never


async def _rows(store: Store) -> list[OutboxRow]:
    async with store.read() as conn:
        return await outbox_repo.heads(conn, now=START + timedelta(days=1), limit=100)


async def test_every_notice_comes_back_from_its_stored_row_as_it_was_owed(store: Store) -> None:
    async with store.write() as conn:
        for notice in EVERY_KIND:
            assert await notices.owe(conn, notice, now=START)
    rows = await _rows(store)
    assert [(r.kind, r.lane, r.workspace_id) for r in rows] == [
        (n.kind, n.lane, WS) for n in EVERY_KIND
    ]
    for row, notice in zip(rows, EVERY_KIND, strict=True):
        assert "workspace_id" not in row.payload  # the row's own column holds it
        assert set(row.payload) == set(type(notice).model_fields) - {"workspace_id"}
        assert notices.notice_of(row) == notice
    # what a person wrote comes back as they wrote it, not as markup
    line = notices.notice_of(rows[1])
    assert isinstance(line, DisputeLine) and line.text == "No answer — «two days» & <counting>"
    reminder = notices.notice_of(rows[6])
    assert isinstance(reminder, ReviewReminder) and reminder.occurrence == LATER


async def test_a_dedupe_key_owes_a_notice_once(store: Store) -> None:
    notice = ActionDue(workspace_id=WS, review_id=1, action_number=1)
    async with store.write() as conn:
        assert await notices.owe(conn, notice, now=START, dedupe="due:T-1")
        assert not await notices.owe(conn, notice, now=START, dedupe="due:T-1")
    assert len(await _rows(store)) == 1


async def test_a_row_that_holds_no_known_notice_is_failed_and_logged_and_the_rest_go_out(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="bot.commands.delivery")
    async with app.store.write() as conn:
        # Ahead of D-1's card in its own lane: neither may hold the card up.
        for kind, payload in (
            ("dispute.sung", {"dispute_id": 1}),
            ("dispute.line", {"dispute_id": "D-1", "owner_id": "U0ALICE", "what": "a line"}),
        ):
            await outbox_repo.enqueue(
                conn, workspace_id=WS, kind=kind, lane="dispute:1", payload=payload, now=START
            )
    await app.driver.command("/dispute", "open Core outage", user="U0ALICE", channel="C0DESK")
    await app.settle()
    async with app.store.read() as conn:
        found = await conn.execute(sa.select(outbox).order_by(outbox.c.id))
        rows = [dict(r._mapping) for r in found]
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("dispute.sung", "failed"),
        ("dispute.line", "failed"),
        ("dispute.card", "delivered"),
    ]
    assert rows[0]["error"] == "unknown notice kind 'dispute.sung'"
    assert rows[1]["error"].startswith("dispute.line does not parse: dispute_id (int_parsing)")
    logged = [r for r in caplog.records if "holds no notice Parley knows" in r.getMessage()]
    assert [r.levelno for r in logged] == [logging.ERROR, logging.ERROR]
    # a row nobody can read names nobody to tell: no DM, only the card
    posted = [c for c in app.slack.calls_to("chat.postMessage") if c.ok]
    assert [c.args["channel"] for c in posted] == ["C0DESK"]


# --- rows owed by the previous version --------------------------------------------------------

# Kind, lane and payload exactly as the version before typed notices wrote them.
OWED_BEFORE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "dispute.card",
        "dispute:1",
        {"dispute_id": 1, "owner_id": "U0ALICE", "what": "the card of D-1"},
    ),
    (
        "dispute.line",
        "dispute:2",
        {
            "dispute_id": 2,
            "event": "escalated",
            "text": "No answer — «two days» & <counting>",
            "actor_id": "U0ALICE",
            "owner_id": "U0ALICE",
            "what": "the escalated line in the thread of D-2",
        },
    ),
    ("dispute.refresh", "dispute:3", {"dispute_id": 3}),
    (
        "dispute.tell",
        "dispute:4",
        {
            "dispute_id": 4,
            "channel_id": "C0LEGAL",
            "why": "legal",
            "text": "Off to legal",
            "actor_id": "U0ALICE",
            "owner_id": "U0ALICE",
            "what": "the legal notice of D-4",
        },
    ),
    (
        "dispute.overdue_line",
        "dispute:5",
        {"dispute_id": 5, "working_days": 2, "stage": "multi_party"},
    ),
    (
        "dispute.overdue_dm",
        "dispute:6",
        {"dispute_id": 6, "working_days": 1, "stage": "legal", "escalated": True},
    ),
    (
        "review.reminder",
        "review:1",
        {
            "review_id": 1,
            "occurrence": "2026-11-24T09:30:00+01:00",
            "reminder": "15-minutes",
            "owner_id": "U0ALICE",
            "what": "the 15-minutes reminder of R-1 in #desk",
        },
    ),
    (
        "review.prompt",
        "review:2",
        {
            "review_id": 2,
            "occurrence": "2026-11-23T02:00:00+00:00",
            "owner_id": "U0BOB",
            "what": "the prompt",
        },
    ),
    ("review.report_due", "review:3", {"review_id": 3, "deadline": "2026-12-01"}),
    (
        "review.action_posted",
        "review:4",
        {"action_number": 7, "owner_id": "U0ALICE", "what": "T-7's message"},
    ),
    (
        "review.action_refresh",
        "review:5",
        {"action_number": 8, "pressed": ["C0DESK", "1.000200"]},
    ),
    ("review.action_due", "review:6", {"action_number": 9}),
    (
        "agreement.card",
        "agreement:1",
        {"agreement_number": 3, "owner_id": "U0ALICE", "what": "A-3"},
    ),
    ("agreement.refresh", "agreement:2", {"agreement_number": 4}),
    ("agreement.version_line", "agreement:3", {"agreement_number": 5, "version": 2}),
    ("agreement.expired_dm", "agreement:4", {"agreement_number": 6, "version": 3}),
    (
        "digest",
        "digest:person:U0ALICE",
        {
            "subscription_id": 4,
            "due_at": "2026-11-24T09:30:00+01:00",
            "since": "2026-11-23T02:00:00+00:00",
            "owner_id": "U0ALICE",
            "what": "the digest of Tue 24 Nov",
        },
    ),
    (
        "digest",
        "digest:channel:C0DESK",
        {
            "subscription_id": None,
            "channel_id": "C0DESK",
            "due_at": "2026-11-23T02:00:00+00:00",
            "since": "2026-11-22T02:00:00+00:00",
            "on_request": True,
            "owner_id": "U0ALICE",
            "what": "the digest you asked for in #desk",
        },
    ),
    (
        "delivery.failed",
        "dm:U0ALICE",
        {"user_id": "U0ALICE", "what": "the card of D-1", "error": "is_archived"},
    ),
]


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = normalise_database_url(url)
    (command.downgrade if down else command.upgrade)(cfg, revision)


async def _owe_as_before(store: Store) -> None:
    async with store.write() as conn:
        for kind, lane, payload in OWED_BEFORE:
            await outbox_repo.enqueue(
                conn, workspace_id=WS, kind=kind, lane=lane, payload=payload, now=START
            )


async def test_rows_owed_before_the_upgrade_are_read_as_their_notices(
    empty_database_url: str,
) -> None:
    assert {kind for kind, _, _ in OWED_BEFORE} == set(KINDS) - {n.kind for n in LATER_KINDS}
    await asyncio.to_thread(_migrate, empty_database_url, "0014")
    store = Store.open(empty_database_url)
    try:
        await _owe_as_before(store)
        await store.upgrade()
        read = [notices.notice_of(row) for row in await _rows(store)]
        on_request = DigestDue(
            workspace_id=WS,
            target_kind=DigestKind.CHANNEL,
            target="C0DESK",
            subscription_id=None,
            due_at=START,
            since=START - timedelta(days=1),
            on_request=True,
            owner_id="U0ALICE",
            what="the digest you asked for in #desk",
        )
        # the old rows say what the examples say, and `/digest now`'s as it was then
        assert read == [*EXAMPLES[:-1], on_request, EXAMPLES[-1]]
        # and back down, the previous version's payloads as they were
        await asyncio.to_thread(_migrate, empty_database_url, "0014", down=True)
        async with store.read() as conn:
            found = await conn.execute(
                sa.select(outbox.c.kind, outbox.c.lane, outbox.c.payload).order_by(outbox.c.id)
            )
            assert [(k, lane, dict(p)) for k, lane, p in found] == OWED_BEFORE
    finally:
        await store.close()


async def test_rows_owed_before_the_upgrade_reach_their_deliverers(
    slack: SlackStandIn, config: ParleyConfig, empty_sqlite_url: str
) -> None:
    await asyncio.to_thread(_migrate, empty_sqlite_url, "0014")
    store = Store.open(empty_sqlite_url)
    try:
        await _owe_as_before(store)
    finally:
        await store.close()
    async with running_parley(
        database_url=empty_sqlite_url, config=config, start=START, slack=slack
    ) as app:
        await app.settle()
        async with app.store.read() as conn:
            found = await conn.execute(
                sa.select(outbox.c.kind, outbox.c.status, outbox.c.error).order_by(outbox.c.id)
            )
            finished = [tuple(r) for r in found]
    # None of their records exist here: each deliverer looked, and found nothing to send.
    assert finished == [
        ("dispute.card", "skipped", "the dispute is gone"),
        ("dispute.line", "skipped", "the dispute is gone"),
        ("dispute.refresh", "skipped", "the dispute is gone"),
        ("dispute.tell", "skipped", "the dispute is gone"),
        ("dispute.overdue_line", "skipped", "the dispute is gone"),
        ("dispute.overdue_dm", "skipped", "the dispute is gone"),
        ("review.reminder", "skipped", "the review is gone"),
        ("review.prompt", "skipped", "the review is gone"),
        ("review.report_due", "skipped", "the review is gone"),
        ("review.action_posted", "skipped", "the action item is gone"),
        ("review.action_refresh", "skipped", "the action item is gone"),
        ("review.action_due", "skipped", "the action item is gone"),
        ("agreement.card", "skipped", "the agreement is gone"),
        ("agreement.refresh", "skipped", "the agreement is gone"),
        ("agreement.version_line", "skipped", "the agreement is gone"),
        ("agreement.expired_dm", "skipped", "the agreement is gone"),
        ("digest", "skipped", "the subscription is gone"),
        ("digest", "skipped", "the digest is empty"),
        ("delivery.failed", "delivered", None),
    ]
    (told,) = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    assert "couldn't deliver the card of D-1 (the channel is archived)" in str(told.args["text"])
    assert slack.violations == [], slack.violations


def test_a_failed_notice_is_told_in_its_owners_words() -> None:
    """What failed is stored as words with facts, so the owner's DM says it in their language
    (a day in their convention); a row from before the facts is shown as it was stored."""
    from datetime import date

    from bot.commands.delivery import _what
    from bot.commands.words.language import Languages

    languages = Languages()
    failed = DeliveryFailed(
        workspace_id=WS,
        user_id="U0ALICE",
        what="the digest of {day}",
        what_facts={"day": date(2026, 12, 14).isoformat()},
        error="is_archived",
    )
    assert _what(failed, languages["en"]) == "the digest of Mon 14 Dec"
    assert _what(failed, languages["zh-CN"]) == "12月14日 周一 的每日摘要"
    old = DeliveryFailed(workspace_id=WS, user_id="U0ALICE", what="the card of D-1", error="x")
    assert _what(old, languages["zh-CN"]) == "the card of D-1"
