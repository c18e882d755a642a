"""The surveys a report period's edges cut, on both engines: each one's sums by question and
quarter, read from the ratings of every part but its largest and the largest made from its
tallies less the rest (`bot/store/reports.py: _rating_sums_cut`), are the very sums made from
all its rows, whichever part is largest (before the period, in any quarter, after it), with
answers replaced across an edge, two questionnaires, a survey cut by two edges, one without a
tally and one answered only after the period; the figures alike; SQLite reads two
indexes for them, not the answers' or ratings' rows; and migration 0029 (indexes only) leaves
every figure as it was, down and up again."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.domain.calendar import calendar_for
from bot.domain.parties import PartyKind
from bot.domain.reports import Period, quarter_edges, quarter_figures, question_figures
from bot.domain.surveys import SurveyKind
from bot.store import Store, counters
from bot.store import parties as parties_repo
from bot.store import reports as repo
from bot.store import surveys as surveys_repo
from bot.store.db import MIGRATIONS
from bot.store.schema_surveys import survey_tallies
from bot.workflows.reports import satisfaction_figures

WS = "T0PARLEY"
CALENDAR = calendar_for("CN", "Asia/Shanghai")
TZ = CALENDAR.tz
NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
# Midnight in Shanghai of 1 July and of 1 October 2026: where Q3 and Q4 begin.
JULY = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
OCTOBER = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
PERIODS = (
    Period(start=date(2026, 1, 1), end=date(2026, 12, 20)),  # this year: the edges cut
    Period(start=date(2026, 10, 1), end=date(2026, 12, 31)),  # its start cuts
    Period(start=date(2026, 7, 1), end=date(2026, 9, 30)),  # its start and end cut
    Period(start=date(2026, 9, 29), end=date(2026, 10, 2)),  # four days about an edge
    Period(start=date(2026, 10, 1), end=date(2026, 10, 1)),  # one day
    Period(start=date(2025, 1, 1), end=date(2026, 12, 31)),  # two years: eight quarters
)
# (party, questions, first answer's hours from OCTOBER's edge, answers, hours apart, replaced):
# answers mostly before the edge, mostly after, evenly, within hours of it; one survey over
# both edges (by days), the other questionnaire, and answers replaced across the edge.
SURVEYS = (
    (0, ("Quality", "总体"), -30, 12, 3, (1, 4)),
    (1, ("Quality", "总体"), -6, 14, 2, (0, 9)),
    (0, ("Quality", "总体"), -11, 9, 2, ()),
    (1, ("Speed",), -1, 3, 1, (2,)),
    (0, ("Quality", "总体"), -24 * 100, 30, 24 * 4, (5, 20)),
    (1, ("Speed",), -3, 5, 5, ()),
    (0, ("Quality", "总体"), 24 * 81, 4, 1, ()),  # only after this year's end
)


async def seed(store: Store) -> tuple[list[int], list[int]]:
    """The surveys, each answered through the store (which keeps the tallies) as listed; an
    answer replaced a day after the last; one survey's tally taken away; the surveys' ids and
    the parties'."""
    ids = []
    async with store.write() as conn:
        parties = [
            await parties_repo.insert(
                conn,
                workspace_id=WS,
                name=name,
                kind=PartyKind.CUSTOMER,
                slack_team=team,
                now=NOW,
            )
            for name, team in (("Contoso Retail", "T0CONTOSO"), ("Initech 中国", "T0INITECH"))
        ]
        for n, (party, questions, first, answers, apart, replaced) in enumerate(SURVEYS):
            opened = OCTOBER + timedelta(hours=first - 1)
            survey_id = await surveys_repo.insert(
                conn,
                workspace_id=WS,
                number=await counters.next_number(conn, workspace_id=WS, kind="survey"),
                kind=SurveyKind.PERIODIC,
                party_id=parties[party].id,
                title=None,
                questions=questions,
                channel_id="C0X",
                now=opened,
            )
            ids.append(survey_id)
            last = opened
            for a in range(answers):
                last = OCTOBER + timedelta(hours=first + a * apart)
                await _answer(conn, survey_id, f"U{a}", parties[party].id, last, n + a, questions)
            for a in replaced:
                last += timedelta(days=1)
                await _answer(conn, survey_id, f"U{a}", parties[party].id, last, n * a, questions)
        await conn.execute(sa.delete(survey_tallies).where(survey_tallies.c.survey_id == ids[2]))
    return ids, [p.id for p in parties]


async def _answer(
    conn: Any, survey_id: int, who: str, party_id: int, at: datetime, seed: int, q: Any
) -> None:
    await surveys_repo.record_answer(
        conn,
        survey_id=survey_id,
        respondent_id=who,
        party_id=party_id,
        ratings={i: 1 + (seed * 7 + i * 3) % 5 for i in range(len(q))},
        comment=None,
        now=at,
    )


def scope_of(period: Period, party_id: int | None = None) -> repo.Scope:
    start, end = period.bounds(TZ)
    return repo.Scope(
        workspace_id=WS, party_id=party_id, start=start, end=end, edges=quarter_edges(period, TZ)
    )


async def test_a_cut_surveys_sums_are_those_of_all_its_rows(store: Store) -> None:
    ids, parties = await seed(store)
    of_party = {i: parties[s[0]] for i, s in zip(ids, SURVEYS, strict=True)}
    async with store.read() as conn:
        for period in PERIODS:
            for party_id in (None, *parties):
                scope = scope_of(period, party_id)
                # Through the tallies, as from every row: each survey is cut, or untallied.
                summed = await repo.rating_sums(conn, scope=scope, tallied=False)
                assert await repo.rating_sums(conn, scope=scope) == summed, (period, party_id)
                tallied = [i for i in ids if i != ids[2] and party_id in (None, of_party[i])]
                cut = await repo._rating_sums_cut(conn, scope=scope, ids=tallied)
                rows = await repo._rating_sums_of(conn, scope=scope, ids=tallied)
                assert sorted(cut) == sorted(tuple(r) for r in rows), (period, party_id)
        # This year: every survey is cut by an edge or by the year's end, but the one without
        # a tally, read from all its rows; the sums are each survey's, not merged.
        year = scope_of(PERIODS[0])
        apart = await repo.surveys_apart(conn, scope=year)
        assert apart.answers == {i: i != ids[2] for i in ids}
        sums = await repo.rating_sums(conn, scope=year)
        assert {s.survey_id for s in sums} == set(ids[:-1])  # the last answered after it
        assert {s.quarter for s in sums if s.survey_id == ids[4]} == {1, 2, 3}  # Q2 to Q4


async def test_the_figures_are_those_of_every_row_and_stay_through_the_migration(
    store: Store,
) -> None:
    await seed(store)
    before = [await figures(store, period, party) for period in PERIODS for party in (None, 1)]
    for (period, party), found in zip(
        ((p, q) for p in PERIODS for q in (None, 1)), before, strict=True
    ):
        assert found[0] == await from_rows(store, period, party)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = store.url
    await asyncio.to_thread(command.downgrade, config, "0025")
    async with store.read() as conn:
        names = await conn.run_sync(
            lambda c: {ix["name"] for ix in sa.inspect(c).get_indexes("complaints")}
        )
    assert "ix_complaints_not_closed_opened" not in names and "ix_complaints_opened" in names
    await store.upgrade()
    assert [await figures(store, period, party) for period in PERIODS for party in (None, 1)] == (
        before
    )


async def figures(store: Store, period: Period, party_id: int | None) -> tuple[Any, ...]:
    report = await satisfaction_figures(
        store, workspace_id=WS, party_id=party_id, period=period, calendar=CALENDAR, now=NOW
    )
    return (report.answers, report.questions, report.quarters), report


async def from_rows(store: Store, period: Period, party_id: int | None) -> tuple[Any, ...]:
    """The figures of the sums made from every rating's row."""
    async with store.read() as conn:
        sums = await repo.rating_sums(conn, scope=scope_of(period, party_id), tallied=False)
    by_quarter = repo.answers_by_quarter(sums)
    return (
        sum(by_quarter.values()),
        question_figures(sums),
        quarter_figures(period, sums, by_quarter),
    )


async def test_sqlite_reads_a_cut_surveys_answers_and_ratings_from_indexes(
    sqlite_url: str,
) -> None:
    store = Store.open(sqlite_url)
    await store.upgrade()
    try:
        ids, _ = await seed(store)
        scope = scope_of(PERIODS[0])
        sent: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            sent.append((statement, parameters))

        async with store.read() as conn:
            sa.event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
            try:
                await repo._rating_sums_cut(conn, scope=scope, ids=[*ids[:2], *ids[3:]])
            finally:
                sa.event.remove(store.engine.sync_engine, "before_cursor_execute", capture)
            plan = []
            for statement, parameters in sent:
                rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                plan.extend(str(r[-1]) for r in rows)
    finally:
        await store.close()
    text = "\n".join(plan)
    assert "COVERING INDEX ix_survey_responses_period" in text, text
    assert "COVERING INDEX ix_survey_ratings_covering" in text, text
    assert "COVERING INDEX ix_survey_rating_totals_covering" in text, text
    assert "SCAN" not in text, text
