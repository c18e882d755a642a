"""The satisfaction report's figures on both engines: the quarters told apart in the
company's zone, a one-quarter period, a party's figures kept from another's, and the two
notices owed with the same figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.domain.calendar import calendar_for
from bot.domain.notices import SatisfactionDue
from bot.domain.parties import PartyKind, Person
from bot.domain.surveys import SurveyKind
from bot.store import Store, counters
from bot.store import complaints as complaints_repo
from bot.store import parties as parties_repo
from bot.store import surveys as surveys_repo
from bot.store.schema import outbox
from bot.workflows import reports

WS = "T0PARLEY"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CALENDAR = calendar_for("CN", "Asia/Shanghai")
ALICE = Person(user_id="U0ALICE", team_id=WS, name="alice")


async def seed(store: Store) -> None:
    async with store.write() as conn:
        ids = []
        for name, team in (("Contoso Retail", "T0CONTOSO"), ("Initech", "T0INITECH")):
            party = await parties_repo.insert(
                conn,
                workspace_id=WS,
                name=name,
                kind=PartyKind.CUSTOMER,
                slack_team=team,
                now=NOW,
            )
            ids.append(party.id)
        # 2026-09-30 17:00 UTC is 1 October in Shanghai: the fourth quarter's.
        for party_id, at, ratings in (
            (ids[0], datetime(2026, 9, 30, 15, 0, tzinfo=UTC), (2, 4)),
            (ids[0], datetime(2026, 9, 30, 17, 0, tzinfo=UTC), (5, 5)),
            (ids[1], datetime(2026, 10, 5, 2, 0, tzinfo=UTC), (1, 1)),
        ):
            number = await counters.next_number(conn, workspace_id=WS, kind="survey")
            survey_id = await surveys_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                kind=SurveyKind.PERIODIC,
                party_id=party_id,
                title=None,
                questions=("Quality", "Overall"),
                channel_id="C0X",
                now=at,
            )
            await surveys_repo.invite(
                conn, survey_id=survey_id, workspace_id=WS, user_ids=["U1", "U2"], now=at
            )
            await surveys_repo.record_answer(
                conn,
                survey_id=survey_id,
                respondent_id="U1",
                party_id=party_id,
                ratings=dict(enumerate(ratings)),
                comment=None,
                now=at,
            )
        await complaints_repo.insert(
            conn,
            workspace_id=WS,
            number=1,
            text="Late",
            party_id=ids[0],
            complainant_id=None,
            owner_id="U0ALICE",
            channel_id="C0X",
            now=datetime(2026, 10, 2, 2, 0, tzinfo=UTC),
            answer_due_at=datetime(2026, 10, 9, 2, 0, tzinfo=UTC),
            resolve_due_at=datetime(2026, 10, 9, 2, 0, tzinfo=UTC),
        )


async def test_quarters_in_the_companys_zone_and_a_partys_own_figures(store: Store) -> None:
    await seed(store)
    asked = await reports.ask_satisfaction(
        store,
        workspace_id=WS,
        asker=ALICE,
        text="Contoso Retail this year",
        calendar=CALENDAR,
        now=NOW,
    )
    assert asked.party is not None
    report = await reports.satisfaction_figures(
        store,
        workspace_id=WS,
        party_id=asked.party.id,
        period=asked.period,
        calendar=CALENDAR,
        now=NOW,
    )
    assert report.answers == 2 and (report.asked, report.answered) == (4, 2)
    by_quarter = {q.label: (q.answers, q.average) for q in report.quarters}
    assert by_quarter == {
        "2026 Q1": (0, None),
        "2026 Q2": (0, None),
        "2026 Q3": (1, 3.0),
        "2026 Q4": (1, 5.0),
    }
    assert [(q.text, q.average) for q in report.questions] == [("Quality", 3.5), ("Overall", 4.5)]
    assert (report.complaints_opened, report.complaints_closed, report.overdue) == (1, 0, 1)
    assert report.median_days_to_close is None and report.praise == 0


async def test_one_quarter_every_party_and_the_chart_owed_once(store: Store) -> None:
    await seed(store)
    later = NOW + timedelta(days=1)
    asked = await reports.ask_satisfaction(
        store, workspace_id=WS, asker=ALICE, text="本季度", calendar=CALENDAR, now=later
    )
    assert asked.party is None
    report = await reports.satisfaction_figures(
        store,
        workspace_id=WS,
        party_id=None,
        period=asked.period,
        calendar=CALENDAR,
        now=later,
    )
    assert [(q.label, q.answers, q.average) for q in report.quarters] == [("2026 Q4", 2, 3.0)]
    async with store.read() as conn:
        due = (await conn.execute(sa.select(outbox.c.id, outbox.c.kind))).one()
    assert due.kind == "report.satisfaction"
    notice = SatisfactionDue(
        workspace_id=WS,
        owner_id="U0ALICE",
        what="the satisfaction report from {day}",
        party_id=None,
        period=asked.period,
    )
    for _ in range(2):  # a retried delivery owes no second chart
        await reports.owe_chart(store, due=notice, delivery=due.id, report=report, now=later)
    async with store.read() as conn:
        owed = (await conn.execute(sa.select(outbox.c.kind).order_by(outbox.c.id))).scalars()
        assert list(owed) == ["report.satisfaction", "report.chart"]
