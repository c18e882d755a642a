"""/report satisfaction end to end: the figures from what was stored, sent to the asker by DM
(conversations.open, the figures posted, the chart uploaded as a PNG with both file calls),
once even when a delivery is retried; every bad request refused with nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.commands.render_reports_chart import PNG_SIGNATURE
from bot.sandbox.harness import Running
from bot.store.schema import outbox
from tests.conftest import snapshot as snapshot_of
from tests.saying import said
from tests.slack.complaints_setup import config, slack  # noqa: F401 (fixtures)
from tests.slack.reports_setup import complaint, praise, reanswer, survey

DM = "D0ALICE"
FEB = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)  # Tuesday, in 2026's Q1
AUG = datetime(2026, 8, 11, 2, 0, tzinfo=UTC)  # Tuesday, in Q3


async def ask(app: Running, text: str, user: str = "U0ALICE", channel: str = "C0DESK") -> str:
    reply = await app.driver.command("/report", text, user=user, channel=channel)
    await app.settle()
    return said(reply, app)


def dm_posts(app: Running) -> list[dict[str, object]]:
    """The reports posted in Alice's DM (not the complaints' DMs to their owner)."""
    return [
        c.args
        for c in app.slack.calls_to("chat.postMessage")
        if c.args["channel"] == DM and str(c.args["text"]).startswith(("Satisfaction", "满意"))
    ]


async def seeded(app: Running) -> None:
    # Globex: asked four people in February, three answered (one answered twice: the later
    # counts); asked two in August, one answered. A case survey of a complaint in August.
    first = await survey(
        app,
        party="Globex Audit",
        at=FEB,
        asked=["U0GRETA", "U0G2", "U0G3", "U0G4"],
        answers={"U0GRETA": [2, 2, 2], "U0G2": [4, 5, 4], "U0G3": [1, 1, 1]},
    )
    await reanswer(
        app, survey_id=first, party="Globex Audit", user="U0G3", ratings=[3, 3, 3], at=FEB
    )
    await survey(
        app, party="Globex Audit", at=FEB, asked=[], answers={"U0GRETA": [5, 4, 5]}
    )  # answered without an invitation on record (counts as an answer, not in the rate)
    await survey(
        app,
        party="Globex Audit",
        at=AUG,
        asked=["U0GRETA", "U0G2"],
        answers={"U0GRETA": [4, 4]},
        questions=("Quality of service ", "Attitude"),
        # "Quality of service " matches the February question by its text
    )
    cid = await complaint(app, party="Globex Audit", opened=AUG, closed=AUG + timedelta(days=7))
    await survey(
        app,
        party="Globex Audit",
        at=AUG,
        asked=["U0GRETA"],
        answers={"U0GRETA": [5]},
        questions=("How satisfied are you with how C-1 was handled?",),
        case_id=cid,
    )
    # Still open and overdue; and one opened last year, outside the period.
    await complaint(app, party="Globex Audit", opened=FEB)
    await complaint(app, party="Globex Audit", opened=FEB - timedelta(days=365))
    # Initech: its own answers and complaint, never in Globex's figures.
    await survey(app, party="Initech", at=FEB, asked=["U0IVAN"], answers={"U0IVAN": [1, 1, 1]})
    await complaint(app, party="Initech", opened=AUG, closed=AUG + timedelta(days=1))
    await praise(app, party="Globex Audit", at=AUG)
    await praise(app, party="Globex Audit", at=FEB - timedelta(days=365))
    await praise(app, party=None, at=AUG)


async def test_the_report_arrives_in_the_askers_dm_with_its_figures_and_chart(
    app: Running,
) -> None:
    await seeded(app)
    answer = await ask(app, "satisfaction Globex Audit this year")
    assert "preparing the satisfaction report; it will arrive in your DM" in answer
    assert [c.args["users"] for c in app.slack.calls_to("conversations.open")][:1] == ["U0ALICE"]
    posted = dm_posts(app)
    assert len(posted) == 1
    shown = json.dumps(posted[0]["blocks"], ensure_ascii=False)
    assert "Satisfaction of Globex Audit, Thu 1 Jan 2026 to Mon 23 Nov 2026" in shown
    # Current answers: 3 + 1 in February, 1 + 1 in August (the replaced one not counted).
    assert "*Answers:* 6" in shown
    # Asked 4 + 2 + 1 = 7 people; answered 3 + 1 + 1 = 5.
    assert "Response rate: 71% (5 of 7 people asked)" in shown
    # Quality of service: 2 (Greta's later answer) … February: 2, 4, 3, 5; August: 4 → 3.6.
    assert "• Case handling: *5.00* (1 rating)" in shown
    assert "• Quality of service: *3.60* (5 ratings)" in shown
    assert "• Responsiveness: *3.50* (4 ratings)" in shown
    assert "• Overall: *3.50* (4 ratings)" in shown
    assert "• Attitude: *4.00* (1 rating)" in shown
    assert "#3" not in shown
    assert "2026 Q1: 4 answers, average 3.50" in shown
    assert "2026 Q2: 0 answers, no ratings" in shown
    assert "2026 Q3: 2 answers, average 4.33" in shown
    # Complaints opened this year: August's and February's; closed: August's (5 working days).
    assert "Complaints: 2 opened, 1 closed, 1 overdue now" in shown
    assert "Median time to close: 5 working days" in shown
    assert "Praise: 1" in shown
    # The chart: both upload calls, into the DM, a real PNG with the figures as alt text.
    assert len(app.slack.calls_to("files.getUploadURLExternal")) == 1
    assert len(app.slack.calls_to("files.completeUploadExternal")) == 1
    (png,) = app.slack.files_in(DM)
    assert (png.content or b"").startswith(PNG_SIGNATURE)
    assert png.filename == "satisfaction-2026-01-01-2026-11-23.png"
    assert png.alt_txt is not None and "2026 Q3: 2 answers, average 4.33" in png.alt_txt
    assert png.initial_comment is not None and "Globex Audit" in png.initial_comment


async def test_every_party_and_last_quarter(app: Running) -> None:
    await seeded(app)
    await ask(app, "satisfaction last quarter")  # 2026 Q3: Globex's August and Initech's
    shown = json.dumps(dm_posts(app)[0]["blocks"], ensure_ascii=False)
    assert "Satisfaction, every party, Wed 1 Jul 2026 to Wed 30 Sep 2026" in shown
    assert "*Answers:* 2" in shown
    assert "Complaints: 2 opened, 2 closed, 0 overdue now" in shown
    assert "Median time to close: 3 working days" in shown  # 5 and 1
    assert "Praise: 2" in shown


async def test_a_period_without_answers_still_has_the_complaint_figures(app: Running) -> None:
    await complaint(app, party="Initech", opened=AUG, closed=AUG + timedelta(days=1))
    await ask(app, "satisfaction Initech 2026-07-01 to 2026-09-30")
    shown = json.dumps(dm_posts(app)[0]["blocks"], ensure_ascii=False)
    assert "No answers in that period." in shown
    assert "Response rate: nobody was asked in that period." in shown
    assert "Complaints: 1 opened, 1 closed, 0 overdue now" in shown
    (png,) = app.slack.files_in(DM)
    assert (png.content or b"").startswith(PNG_SIGNATURE)


async def test_in_chinese_with_chinese_period_words(app: Running) -> None:
    app.slack.workspace.users["U0ALICE"].locale = "zh-CN"
    await seeded(app)
    answer = await ask(app, "satisfaction Globex Audit 今年")
    assert "私信" in answer
    shown = json.dumps(dm_posts(app)[0]["blocks"], ensure_ascii=False)
    assert "Globex Audit" in shown and "案件处理" in shown and "2026 Q3" in shown
    (png,) = app.slack.files_in(DM)
    assert (png.content or b"").startswith(PNG_SIGNATURE)
    await ask(app, "satisfaction 上季度")
    assert "2026年7月1日" in json.dumps(dm_posts(app)[1]["blocks"], ensure_ascii=False)


async def test_typed_markup_in_a_question_is_shown_as_text(app: Running) -> None:
    await survey(
        app,
        party="Globex Audit",
        at=FEB,
        asked=["U0GRETA"],
        answers={"U0GRETA": [4]},
        questions=("<!channel> see <https://x|label>",),
    )
    await ask(app, "satisfaction Globex Audit")
    shown = json.dumps(dm_posts(app)[0]["blocks"])
    assert "<!channel>" not in shown and "<https://x|label>" not in shown
    assert "&lt;!channel&gt; see &lt;https://x|label&gt;" in shown


async def test_a_retried_chart_is_not_uploaded_twice(app: Running) -> None:
    await seeded(app)
    app.slack.fail_next(1, status=500, method="files.completeUploadExternal", after_doing=True)
    await ask(app, "satisfaction Globex Audit")
    assert len(app.slack.files_in(DM)) == 1
    app.clock.advance(timedelta(minutes=1))
    await app.parley.tick()
    await app.settle()
    assert len(app.slack.files_in(DM)) == 1
    assert len(app.slack.calls_to("files.getUploadURLExternal")) == 1
    assert len(dm_posts(app)) == 1
    async with app.store.read() as conn:
        rows = (
            await conn.execute(
                sa.select(outbox.c.kind, outbox.c.status).where(outbox.c.kind.like("report.%"))
            )
        ).all()
    assert sorted(rows) == [("report.chart", "delivered"), ("report.satisfaction", "delivered")]


@pytest.mark.parametrize(
    ("text", "user", "words"),
    [
        ("", "U0ALICE", "How to use /report"),
        ("help", "U0ALICE", "/report satisfaction [party]"),
        ("foo", "U0ALICE", "`foo` is not a /report subcommand."),
        ("satisfaction Umbrella Corp", "U0ALICE", "I don't know a party called Umbrella Corp"),
        ("satisfaction Hooli this year", "U0ALICE", "I don't know a party called Hooli"),
        ("satisfaction next quarter", "U0ALICE", "next quarter has not begun yet"),
        ("satisfaction 下季度", "U0ALICE", "has not begun yet"),
        ("satisfaction 2027-01-01 to 2027-03-31", "U0ALICE", "has not begun yet"),
        ("satisfaction 2026-05-01 to 2026-02-01", "U0ALICE", "ends (2026-02-01) before"),
        ("satisfaction 2026-13-45 to 2026-14-01", "U0ALICE", "I can't read"),
        ("satisfaction last fortnight", "U0ALICE", "I can't read last fortnight as a period"),
        ("satisfaction 2026-01-01 to", "U0ALICE", "I can't read"),
        ("satisfaction 2001-01-01 to 2026-01-01", "U0ALICE", "at most 20 quarters"),
        ("satisfaction Globex Audit", "U0GRETA", "Only members of the workspace"),
    ],
)
async def test_bad_requests_are_refused_and_nothing_is_sent(
    app: Running, text: str, user: str, words: str
) -> None:
    async with app.store.write() as conn:  # a party of another workspace
        await conn.execute(
            sa.text(
                "INSERT INTO parties (workspace_id, name, name_key, kind, slack_team, created_at)"
                " VALUES ('T0OTHER', 'Hooli', 'hooli', 'customer', 'T0HOOLI', '2026-01-01')"
            )
        )
    before = await snapshot_of(app.store)
    answer = await ask(app, text, user=user)
    assert words in answer, answer
    assert await snapshot_of(app.store) == before
    assert dm_posts(app) == [] and app.slack.calls_to("files.getUploadURLExternal") == []
