"""The report's tallies on both engines: kept in the transaction of each survey, invitation and
answer (a replaced answer's ratings taken back, a person asked after answering counted as
answered, a survey's people forgotten), they equal the tallies made again from the rows; and
the report's sums and counts read through them equal those made from every row, over periods
whose edges cut through a survey's answers or leave them whole; and migration 0023 makes the
same tallies from the rows already there."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.domain.calendar import calendar_for
from bot.domain.parties import PartyKind
from bot.domain.reports import (
    Period,
    RatingSum,
    quarter_edges,
    quarter_figures,
    question_figures,
)
from bot.domain.surveys import SurveyKind
from bot.store import Store, counters, survey_tallies
from bot.store import parties as parties_repo
from bot.store import reports as repo
from bot.store import surveys as surveys_repo
from bot.store.db import MIGRATIONS
from bot.store.schema_surveys import survey_rating_totals
from bot.store.schema_surveys import survey_tallies as tallies_table

WS = "T0PARLEY"
TZ = calendar_for("CN", "Asia/Shanghai").tz
# 2026-09-30 16:00 UTC is midnight of 1 October in Shanghai: the fourth quarter begins.
EDGE = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)


async def seed(store: Store) -> tuple[int, int]:
    """Three surveys of two parties: one answered across the Q3/Q4 edge (an answer before it
    replaced after it), one answered within Q4 (a person asked after answering), one whose people are
    forgotten; their ids of the first two."""
    async with store.write() as conn:
        contoso = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Contoso Retail",
            kind=PartyKind.CUSTOMER,
            slack_team="T0CONTOSO",
            now=EDGE,
        )
        initech = await parties_repo.insert(
            conn,
            workspace_id=WS,
            name="Initech 中国",
            kind=PartyKind.CUSTOMER,
            slack_team="T0INITECH",
            now=EDGE,
        )

        async def survey(party_id: int, at: datetime) -> int:
            number = await counters.next_number(conn, workspace_id=WS, kind="survey")
            return await surveys_repo.insert(
                conn,
                workspace_id=WS,
                number=number,
                kind=SurveyKind.PERIODIC,
                party_id=party_id,
                title=None,
                questions=("Quality", "总体"),
                channel_id="C0X",
                now=at,
            )

        async def answer(survey_id: int, who: str, party_id: int, at: datetime, *r: int) -> None:
            await surveys_repo.record_answer(
                conn,
                survey_id=survey_id,
                respondent_id=who,
                party_id=party_id,
                ratings=dict(enumerate(r)),
                comment=None,
                now=at,
            )

        straddling = await survey(contoso.id, EDGE - timedelta(days=2))
        await surveys_repo.invite(
            conn,
            survey_id=straddling,
            workspace_id=WS,
            user_ids=["U1", "U2", "U3"],
            now=EDGE - timedelta(days=2),
        )
        await answer(straddling, "U1", contoso.id, EDGE - timedelta(hours=3), 2, 4)
        await answer(straddling, "U3", contoso.id, EDGE - timedelta(hours=1), 4, 4)
        await answer(straddling, "U2", contoso.id, EDGE + timedelta(hours=3), 5, 5)
        await answer(straddling, "U1", contoso.id, EDGE + timedelta(days=1), 1, 3)  # replaces
        whole = await survey(initech.id, EDGE + timedelta(days=10))
        await answer(whole, "U7", initech.id, EDGE + timedelta(days=10), 4, 2)
        await surveys_repo.invite(
            conn,
            survey_id=whole,
            workspace_id=WS,
            user_ids=["U7", "U8"],
            now=EDGE + timedelta(days=11),
        )
        await answer(whole, "U8", initech.id, EDGE + timedelta(days=12), 3, 3)
        await answer(whole, "U8", initech.id, EDGE + timedelta(days=13), 5, 1)  # replaces
        await answer(whole, "U9", initech.id, EDGE + timedelta(days=13), 2, 2)  # never asked
        forgotten = await survey(contoso.id, EDGE + timedelta(days=20))
        await surveys_repo.invite(
            conn,
            survey_id=forgotten,
            workspace_id=WS,
            user_ids=["U1"],
            now=EDGE + timedelta(days=20),
        )
        await surveys_repo.uninvite(conn, survey_id=forgotten)
    return straddling, whole


async def kept(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    async with store.read() as conn:
        tallies = (await conn.execute(sa.select(tallies_table).order_by("survey_id"))).all()
        totals = (
            await conn.execute(sa.select(survey_rating_totals).order_by("survey_id", "question"))
        ).all()
    return [tuple(r) for r in tallies], [tuple(r) for r in totals if r.answers]


async def test_the_kept_tallies_equal_those_made_again_from_the_rows(store: Store) -> None:
    straddling, whole = await seed(store)
    before = await kept(store)
    tallies, totals = before
    by_survey = {t[0]: t for t in tallies}
    # (survey_id, invited, answered, asked_first, asked_last, answer_first, answer_last)
    assert by_survey[straddling][1:3] == (3, 3)
    assert by_survey[straddling][5:] == (EDGE - timedelta(hours=3), EDGE + timedelta(days=1))
    assert by_survey[whole][1:3] == (2, 2)  # U7 answered before being asked; U9 never asked
    assert by_survey[whole + 1][1:5] == (0, 0, None, None)  # its people forgotten
    # U1's first answer (2, 4) taken back: U1's (1, 3), U2's (5, 5) and U3's (4, 4) remain.
    assert (straddling, 0, 10, 3) in totals and (straddling, 1, 12, 3) in totals
    assert (whole, 0, 11, 3) in totals and (whole, 1, 5, 3) in totals
    async with store.write() as conn:
        await survey_tallies.rebuild(conn)
    assert await kept(store) == before


def scope_of(period: Period, party_id: int | None = None) -> repo.Scope:
    start, end = period.bounds(TZ)
    return repo.Scope(
        workspace_id=WS,
        party_id=party_id,
        start=start,
        end=end,
        edges=quarter_edges(period, TZ),
    )


def figures(period: Period, sums: list[RatingSum]) -> tuple[object, ...]:
    """What the report shows of the sums."""
    by_quarter = repo.answers_by_quarter(sums)
    return (
        by_quarter,
        question_figures(sums),
        quarter_figures(period, sums, by_quarter),
    )


async def test_the_report_read_through_the_tallies_equals_every_row_summed(
    store: Store,
) -> None:
    await seed(store)
    periods = [
        Period(start=date(2026, 1, 1), end=date(2026, 12, 31)),  # the edge splits a survey
        Period(start=date(2026, 10, 1), end=date(2026, 12, 31)),  # cuts it; one whole
        Period(start=date(2026, 7, 1), end=date(2026, 9, 30)),  # the part before the edge
        Period(start=date(2026, 10, 11), end=date(2026, 10, 12)),  # cuts the whole one
        Period(start=date(2025, 1, 1), end=date(2025, 12, 31)),  # nothing
    ]
    async with store.read() as conn:
        for period in periods:
            for party_id in (None, 1, 2):
                scope = scope_of(period, party_id)
                read = await repo.rating_sums(conn, scope=scope)
                summed = await repo.rating_sums(conn, scope=scope, tallied=False)
                assert figures(period, read) == figures(period, summed), (period, party_id)
                assert await repo.asked_and_answered(
                    conn, scope=scope
                ) == await repo.asked_and_answered(conn, scope=scope, tallied=False), period
        year = scope_of(periods[0])
        sums = await repo.rating_sums(conn, scope=year)
        assert repo.answers_by_quarter(sums) == {2: 1, 3: 5}
        # Quality: U3 4 (Q3); U1 1, U2 5 (Q4, cut from their survey's rows); U7 4, U8 5, U9 2
        # (Q4, its tally), Chinese questions matched across both surveys.
        assert [(q.text, q.ratings) for q in question_figures(sums)] == [
            ("Quality", 6),
            ("总体", 6),
        ]
        assert await repo.asked_and_answered(conn, scope=year) == (5, 5)


async def test_the_migration_makes_the_tallies_kept_from_the_rows_already_there(
    store: Store,
) -> None:
    await seed(store)
    before = await kept(store)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = store.url
    await asyncio.to_thread(command.downgrade, config, "0022")  # the tallies dropped
    async with store.read() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert "survey_tallies" not in names and "survey_rating_totals" not in names
    await store.upgrade()
    assert await kept(store) == before
