"""The reports' queries: sums and counts made by the database, never every row loaded.

Each query filters by workspace, an optional party and a period of UTC instants
`[start, end)`; the quarters of a period are told apart by a CASE over their edges
(`bot/domain/reports.py: quarter_edges`), which reads alike on both engines and in the
company's zone. The closed complaints' count and median working days to close are read from
the days kept in each row when it closed (`close_days`, migration 0024), by the database from
an index alone; only complaints closed before that have their days counted from their two
instants by the calendar (Python's).

The surveys' figures are read from their tallies (`bot/store/survey_tallies.py`) for every
survey whose answers (or invitations) all lie in one quarter of the period, which is nearly
every survey of a long period, and from the rows only for the few that straddle an edge: a
row per survey rather than a row per rating, however many answers there are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.complaints import ComplaintStatus
from bot.domain.reports import RatingSum
from bot.domain.surveys import SurveyKind
from bot.store.schema import complaints, praise
from bot.store.schema_surveys import (
    survey_invitations,
    survey_rating_totals,
    survey_ratings,
    survey_responses,
    survey_tallies,
    surveys,
)


@dataclass(frozen=True)
class Scope:
    workspace_id: str
    party_id: int | None
    start: datetime
    end: datetime
    edges: Sequence[datetime]  # where the period's later quarters begin


def _quarter(column: Any, edges: Sequence[datetime]) -> Any:
    if not edges:
        return sa.literal(0)
    return sa.case(*((column < edge, i) for i, edge in enumerate(edges)), else_=len(edges))


def _surveys_where(scope: Scope) -> list[Any]:
    """The surveys that can hold answers or invitations of the period: opened before it ends,
    and not closed (nor run out) before it begins, since a survey takes answers only while it
    is open (`bot/domain/surveys.py: check_open`). Surveys are few; this spares reading the
    answers of every other one."""
    where = [
        surveys.c.workspace_id == scope.workspace_id,
        surveys.c.opened_at < scope.end,
        sa.or_(surveys.c.closed_at.is_(None), surveys.c.closed_at >= scope.start),
        sa.or_(surveys.c.closes_at.is_(None), surveys.c.closes_at >= scope.start),
    ]
    if scope.party_id is not None:
        where.append(surveys.c.party_id == scope.party_id)
    return where


def _answers_where(scope: Scope) -> list[Any]:
    where = [
        *_surveys_where(scope),
        survey_responses.c.replaced_at.is_(None),
        survey_responses.c.at >= scope.start,
        survey_responses.c.at < scope.end,
    ]
    return where


def _in_one_quarter(first: Any, last: Any, scope: Scope) -> Any:
    """Every instant from `first` to `last` lies in the period and in one quarter of it."""
    return sa.and_(
        first >= scope.start,
        last < scope.end,
        _quarter(first, scope.edges) == _quarter(last, scope.edges),
    )


def _answered_in_one_quarter(scope: Scope) -> Any:
    return _in_one_quarter(survey_tallies.c.answer_first, survey_tallies.c.answer_last, scope)


def _asked_in_period(scope: Scope) -> Any:
    return sa.and_(
        survey_tallies.c.asked_first >= scope.start, survey_tallies.c.asked_last < scope.end
    )


async def _read_from_rows(
    conn: AsyncConnection, *, scope: Scope, tallied: Any, first: Any
) -> list[int]:
    """The surveys of the period to read from their rows: those whose tally has something
    (`first` is set) but does not answer for the period (`tallied` is false), and any without
    a tally. A short list (the surveys an edge cuts), picked first so that each engine reads
    only their rows, whatever its statistics say."""
    found = await conn.execute(
        sa.select(surveys.c.id)
        .select_from(surveys.outerjoin(survey_tallies, survey_tallies.c.survey_id == surveys.c.id))
        .where(
            *_surveys_where(scope),
            sa.or_(
                survey_tallies.c.survey_id.is_(None),
                sa.and_(first.is_not(None), sa.not_(tallied)),
            ),
        )
    )
    return [int(i) for i in found.scalars()]


async def rating_sums(
    conn: AsyncConnection, *, scope: Scope, tallied: bool = True
) -> list[RatingSum]:
    """Each survey's questions' sums and counts of current ratings, per quarter. The surveys
    read from their tallies are summed together by questionnaire (their kind and questions),
    question and quarter, each sum named after the first survey in it: a row per questionnaire
    rather than per survey, however many surveys. A survey's answers in a quarter are still
    its sum's count of any question, as every answer rates each of its survey's questions
    (`check_ratings`), so `answers_by_quarter` counts them alike. `tallied=False` sums every
    rating's row, survey by survey, instead (what the tallies must agree with)."""
    totals = survey_rating_totals.c
    quarter = _quarter(survey_tallies.c.answer_first, scope.edges).label("quarter")
    kept = (
        sa.select(
            sa.func.min(totals.survey_id).label("survey_id"),
            totals.question,
            quarter,
            sa.func.sum(totals.total).label("total"),
            sa.func.sum(totals.answers).label("n"),
        )
        .select_from(
            survey_rating_totals.join(
                survey_tallies, survey_tallies.c.survey_id == totals.survey_id
            ).join(surveys, surveys.c.id == totals.survey_id)
        )
        .where(*_surveys_where(scope), _answered_in_one_quarter(scope), totals.answers > 0)
        .group_by(surveys.c.kind, surveys.c.questions, totals.question, quarter)
    )
    rows = [
        *((await conn.execute(kept)).all() if tallied else []),
        *await _rating_sums_from_rows(conn, scope=scope, every_survey=not tallied),
    ]
    if not rows:
        return []
    asked = await conn.execute(
        sa.select(surveys.c.id, surveys.c.kind, surveys.c.questions).where(
            surveys.c.id.in_({r.survey_id for r in rows})
        )
    )
    questionnaires = {i: (kind, tuple(json.loads(q))) for i, kind, q in asked}
    return [
        RatingSum(
            survey_id=int(r.survey_id),
            questions=questionnaires[r.survey_id][1],
            case=questionnaires[r.survey_id][0] == SurveyKind.CASE.value,
            question=int(r.question),
            quarter=int(r.quarter),
            total=int(r.total),
            count=int(r.n),
        )
        for r in sorted(rows, key=lambda r: (r.survey_id, r.question, r.quarter))
    ]


async def _rating_sums_from_rows(
    conn: AsyncConnection, *, scope: Scope, every_survey: bool = False
) -> list[Any]:
    """The sums made from the ratings' rows, of the surveys whose tallies do not answer for
    them (or of every survey: the figures the tallies must agree with)."""
    quarter = _quarter(survey_responses.c.at, scope.edges).label("quarter")
    where = _answers_where(scope)
    if not every_survey:
        ids = await _read_from_rows(
            conn,
            scope=scope,
            tallied=_answered_in_one_quarter(scope),
            first=survey_tallies.c.answer_first,
        )
        if not ids:
            return []
        where.append(surveys.c.id.in_(ids))
    grouped = (
        sa.select(
            survey_responses.c.survey_id,
            survey_ratings.c.question,
            quarter,
            sa.func.sum(survey_ratings.c.rating).label("total"),
            sa.func.count().label("n"),
        )
        .select_from(
            survey_responses.join(surveys, surveys.c.id == survey_responses.c.survey_id).join(
                survey_ratings, survey_ratings.c.response_id == survey_responses.c.id
            )
        )
        .where(*where)
        .group_by(survey_responses.c.survey_id, survey_ratings.c.question, quarter)
    )
    return list((await conn.execute(grouped)).all())


def answers_by_quarter(sums: Sequence[RatingSum]) -> dict[int, int]:
    """How many current answers were given in each quarter (by index): every answer rates
    each of its survey's questions (`check_ratings`), so a survey's answers in a quarter are
    its most rated question's count there."""
    most: dict[tuple[int, int], int] = {}
    for s in sums:
        key = (s.survey_id, s.quarter)
        most[key] = max(most.get(key, 0), s.count)
    out: dict[int, int] = {}
    for (_, quarter), n in most.items():
        out[quarter] = out.get(quarter, 0) + n
    return out


async def asked_and_answered(
    conn: AsyncConnection, *, scope: Scope, tallied: bool = True
) -> tuple[int, int]:
    """People asked in the period (one per survey asked) and how many of them answered.
    `tallied=False` counts every invitation's row instead."""
    if not tallied:
        return await _asked_and_answered_from_rows(conn, scope=scope, every_survey=True)
    kept = (
        await conn.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(survey_tallies.c.invited), 0),
                sa.func.coalesce(sa.func.sum(survey_tallies.c.answered), 0),
            )
            .select_from(survey_tallies.join(surveys, surveys.c.id == survey_tallies.c.survey_id))
            .where(*_surveys_where(scope), _asked_in_period(scope))
        )
    ).one()
    invited, answered = await _asked_and_answered_from_rows(conn, scope=scope)
    return int(kept[0]) + invited, int(kept[1]) + answered


async def _asked_and_answered_from_rows(
    conn: AsyncConnection, *, scope: Scope, every_survey: bool = False
) -> tuple[int, int]:
    """Asked and answered counted from the invitations' rows, of the surveys whose tallies do
    not answer for them (or of every survey)."""
    answered = (
        sa.select(sa.literal(1))
        .where(
            survey_responses.c.survey_id == survey_invitations.c.survey_id,
            survey_responses.c.respondent_id == survey_invitations.c.user_id,
            survey_responses.c.replaced_at.is_(None),
        )
        .exists()
    )
    where = [
        *_surveys_where(scope),
        survey_invitations.c.asked_at >= scope.start,
        survey_invitations.c.asked_at < scope.end,
    ]
    if not every_survey:
        ids = await _read_from_rows(
            conn, scope=scope, tallied=_asked_in_period(scope), first=survey_tallies.c.asked_first
        )
        if not ids:
            return 0, 0
        where.append(surveys.c.id.in_(ids))
    row = (
        await conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((answered, 1), else_=0)), 0),
            )
            .select_from(
                survey_invitations.join(surveys, surveys.c.id == survey_invitations.c.survey_id)
            )
            .where(*where)
        )
    ).one()
    return int(row[0]), int(row[1])


def _complaints_where(scope: Scope) -> list[Any]:
    where = [complaints.c.workspace_id == scope.workspace_id]
    if scope.party_id is not None:
        where.append(complaints.c.party_id == scope.party_id)
    return where


async def complaint_counts(
    conn: AsyncConnection, *, scope: Scope, now: datetime
) -> tuple[int, int, int]:
    """Complaints opened in the period, closed in it, and of those opened in it how many are
    overdue now (either clock ran out and is still running, as `Complaint.overdue` says). The
    opened ones are found by (workspace_id, opened_at), the closed ones counted from the index
    (workspace_id, closed_at, party_id, close_days) alone."""
    opened = sa.and_(complaints.c.opened_at >= scope.start, complaints.c.opened_at < scope.end)
    overdue = sa.and_(
        complaints.c.status != ComplaintStatus.CLOSED.value,
        sa.or_(
            sa.and_(complaints.c.first_answer_at.is_(None), complaints.c.answer_due_at < now),
            sa.and_(
                complaints.c.status == ComplaintStatus.OPEN.value,
                complaints.c.resolve_due_at < now,
            ),
        ),
    )
    row = (
        await conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0),
            ).where(*_complaints_where(scope), opened)
        )
    ).one()
    closed, _ = await closed_count(conn, scope=scope)
    return int(row[0]), closed, int(row[1])


def _closed_where(scope: Scope) -> list[Any]:
    return [
        *_complaints_where(scope),
        complaints.c.closed_at >= scope.start,
        complaints.c.closed_at < scope.end,
    ]


async def closed_count(conn: AsyncConnection, *, scope: Scope) -> tuple[int, int]:
    """Complaints closed in the period, and how many of them have their working days to close
    kept (`close_days`; not those closed before migration 0024), from the index alone."""
    row = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.count(complaints.c.close_days)).where(
                *_closed_where(scope)
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def median_close_days(conn: AsyncConnection, *, scope: Scope, kept: int) -> float | None:
    """The median of the kept working days to close of the `kept` complaints closed in the
    period (every one of them has its days kept): the middle one, or the mean of the middle
    two, read by the database in order of days from the index alone."""
    if kept <= 0:
        return None
    found = await conn.execute(
        sa.select(complaints.c.close_days)
        .where(*_closed_where(scope), complaints.c.close_days.is_not(None))
        .order_by(complaints.c.close_days)
        .limit(2 - kept % 2)
        .offset((kept - 1) // 2)
    )
    middle = [int(d) for d in found.scalars()]
    return sum(middle) / len(middle) if middle else None


async def closed_days(
    conn: AsyncConnection, *, scope: Scope
) -> list[tuple[int | None, datetime, datetime]]:
    """(close_days, opened_at, closed_at) of each complaint closed in the period: what the
    median is made of when some closed before their days were kept (migration 0024)."""
    rows = await conn.execute(
        sa.select(complaints.c.close_days, complaints.c.opened_at, complaints.c.closed_at).where(
            *_closed_where(scope)
        )
    )
    return [(d, o, c) for d, o, c in rows]


async def closed_spans(conn: AsyncConnection, *, scope: Scope) -> list[tuple[datetime, datetime]]:
    """(opened_at, closed_at) of each complaint closed in the period: two columns, one pass
    (the median counted from every row, what the kept days must agree with)."""
    return [(o, c) for _, o, c in await closed_days(conn, scope=scope)]


async def praise_count(conn: AsyncConnection, *, scope: Scope) -> int:
    where = [
        praise.c.workspace_id == scope.workspace_id,
        praise.c.at >= scope.start,
        praise.c.at < scope.end,
    ]
    if scope.party_id is not None:
        where.append(praise.c.party_id == scope.party_id)
    found = await conn.execute(sa.select(sa.func.count()).select_from(praise).where(*where))
    return int(found.scalar_one())
