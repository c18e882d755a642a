"""The satisfaction report's tallies (`survey_tallies`, `survey_rating_totals`), kept in the
transaction that changes what they count: a survey made, people asked or forgotten, an answer
recorded or replaced (`bot/store/surveys.py`). Each change is made under the survey's row
lock where two could race (`record_answer` takes it), so an increment never loses another.

`rebuild` makes them again from the rows, as the migration first made them: for rows written
straight to the tables (the benchmark's fill) and to check that the kept ones agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.schema_surveys import (
    survey_invitations,
    survey_rating_totals,
    survey_ratings,
    survey_responses,
    survey_tallies,
    surveys,
)

_T = survey_tallies.c


def _earliest(column: sa.Column[datetime], at: datetime) -> sa.ColumnElement[datetime]:
    return sa.case((column.is_(None), at), (column > at, at), else_=column)


def _latest(column: sa.Column[datetime], at: datetime) -> sa.ColumnElement[datetime]:
    return sa.case((column.is_(None), at), (column < at, at), else_=column)


async def started(conn: AsyncConnection, *, survey_id: int) -> None:
    """A new survey's empty tally."""
    await conn.execute(sa.insert(survey_tallies).values(survey_id=survey_id))


async def asked(
    conn: AsyncConnection, *, survey_id: int, user_ids: Collection[str], now: datetime
) -> None:
    """People asked at `now` (none of them asked by this survey before); any of them who had
    answered already counts as answered."""
    if not user_ids:
        return
    already = await conn.execute(
        sa.select(sa.func.count()).where(
            survey_responses.c.survey_id == survey_id,
            survey_responses.c.respondent_id.in_(list(user_ids)),
            survey_responses.c.replaced_at.is_(None),
        )
    )
    await conn.execute(
        sa.update(survey_tallies)
        .where(_T.survey_id == survey_id)
        .values(
            invited=_T.invited + len(user_ids),
            answered=_T.answered + int(already.scalar_one()),
            asked_first=_earliest(_T.asked_first, now),
            asked_last=_latest(_T.asked_last, now),
        )
    )


async def forgotten(conn: AsyncConnection, *, survey_id: int) -> None:
    """Everyone the survey asked is forgotten."""
    await conn.execute(
        sa.update(survey_tallies)
        .where(_T.survey_id == survey_id)
        .values(invited=0, answered=0, asked_first=None, asked_last=None)
    )


async def answered(
    conn: AsyncConnection,
    *,
    survey_id: int,
    respondent_id: str,
    ratings: Mapping[int, int],
    replaced: Mapping[int, int] | None,
    now: datetime,
) -> None:
    """An answer recorded at `now` with `ratings`, replacing one with `replaced` (None: the
    person's first current answer). Called under the survey's row lock."""
    was_asked = await conn.execute(
        sa.select(sa.literal(1)).where(
            survey_invitations.c.survey_id == survey_id,
            survey_invitations.c.user_id == respondent_id,
        )
    )
    newly = replaced is None and was_asked.first() is not None
    await conn.execute(
        sa.update(survey_tallies)
        .where(_T.survey_id == survey_id)
        .values(
            answered=_T.answered + (1 if newly else 0),
            answer_first=_earliest(_T.answer_first, now),
            answer_last=_latest(_T.answer_last, now),
        )
    )
    change: dict[int, tuple[int, int]] = {}
    for question, rating in (replaced or {}).items():
        total, n = change.get(question, (0, 0))
        change[question] = (total - rating, n - 1)
    for question, rating in ratings.items():
        total, n = change.get(question, (0, 0))
        change[question] = (total + rating, n + 1)
    totals = survey_rating_totals.c
    for question, (total, n) in sorted(change.items()):
        if total == 0 and n == 0:
            continue
        moved = await conn.execute(
            sa.update(survey_rating_totals)
            .where(totals.survey_id == survey_id, totals.question == question)
            .values(total=totals.total + total, answers=totals.answers + n)
        )
        if moved.rowcount == 0:
            await conn.execute(
                sa.insert(survey_rating_totals).values(
                    survey_id=survey_id, question=question, total=total, answers=n
                )
            )


async def rebuild(conn: AsyncConnection) -> None:
    """Every tally made again from the rows."""
    await conn.execute(sa.delete(survey_rating_totals))
    await conn.execute(sa.delete(survey_tallies))
    inv, res = survey_invitations, survey_responses
    # Set-based, each table read once (a subquery per survey would read one per survey).
    current = res.alias("current")
    asked = (
        sa.select(
            inv.c.survey_id,
            sa.func.count().label("invited"),
            sa.func.count(current.c.id).label("answered"),
            sa.func.min(inv.c.asked_at).label("first"),
            sa.func.max(inv.c.asked_at).label("last"),
        )
        .select_from(
            inv.outerjoin(
                current,
                sa.and_(
                    current.c.survey_id == inv.c.survey_id,
                    current.c.respondent_id == inv.c.user_id,
                    current.c.replaced_at.is_(None),
                ),
            )
        )
        .group_by(inv.c.survey_id)
        .subquery("asked")
    )
    answers = (
        sa.select(
            res.c.survey_id,
            sa.func.min(res.c.at).label("first"),
            sa.func.max(res.c.at).label("last"),
        )
        .group_by(res.c.survey_id)
        .subquery("answers")
    )
    await conn.execute(
        sa.insert(survey_tallies).from_select(
            ["survey_id", "invited", "answered", "asked_first", "asked_last"]
            + ["answer_first", "answer_last"],
            sa.select(
                surveys.c.id,
                sa.func.coalesce(asked.c.invited, 0),
                sa.func.coalesce(asked.c.answered, 0),
                asked.c.first,
                asked.c.last,
                answers.c.first,
                answers.c.last,
            ).select_from(
                surveys.outerjoin(asked, asked.c.survey_id == surveys.c.id).outerjoin(
                    answers, answers.c.survey_id == surveys.c.id
                )
            ),
        )
    )
    await conn.execute(
        sa.insert(survey_rating_totals).from_select(
            ["survey_id", "question", "total", "answers"],
            sa.select(
                res.c.survey_id,
                survey_ratings.c.question,
                sa.func.sum(survey_ratings.c.rating),
                sa.func.count(),
            )
            .select_from(res.join(survey_ratings, survey_ratings.c.response_id == res.c.id))
            .where(res.c.replaced_at.is_(None))
            .group_by(res.c.survey_id, survey_ratings.c.question),
        )
    )
