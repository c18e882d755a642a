"""The reports' queries: sums and counts made by the database, never every row loaded.

Each query filters by workspace, an optional party and a period of UTC instants
`[start, end)`; the quarters of a period are told apart by a CASE over their edges
(`bot/domain/reports.py: quarter_edges`), which reads alike on both engines and in the
company's zone. The one pass over rows is the closed complaints' two instants, for the
median of working days (the calendar is Python's).
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
from bot.store.schema_surveys import survey_invitations, survey_ratings, survey_responses, surveys


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


async def rating_sums(conn: AsyncConnection, *, scope: Scope) -> list[RatingSum]:
    """Each survey's questions' sums and counts of current ratings, per quarter: one row per
    survey, question and quarter, however many answers."""
    quarter = _quarter(survey_responses.c.at, scope.edges).label("quarter")
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
        .where(*_answers_where(scope))
        .group_by(survey_responses.c.survey_id, survey_ratings.c.question, quarter)
    )
    rows = (await conn.execute(grouped)).all()
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
        for r in rows
    ]


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


async def asked_and_answered(conn: AsyncConnection, *, scope: Scope) -> tuple[int, int]:
    """People asked in the period (one per survey asked) and how many of them answered."""
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
    overdue now (either clock ran out and is still running, as `Complaint.overdue` says)."""
    opened = sa.and_(complaints.c.opened_at >= scope.start, complaints.c.opened_at < scope.end)
    closed = sa.and_(complaints.c.closed_at >= scope.start, complaints.c.closed_at < scope.end)
    overdue = sa.and_(
        opened,
        complaints.c.status != ComplaintStatus.CLOSED.value,
        sa.or_(
            sa.and_(complaints.c.first_answer_at.is_(None), complaints.c.answer_due_at < now),
            sa.and_(
                complaints.c.status == ComplaintStatus.OPEN.value,
                complaints.c.resolve_due_at < now,
            ),
        ),
    )

    def counted(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = (
        await conn.execute(
            sa.select(counted(opened), counted(closed), counted(overdue)).where(
                *_complaints_where(scope), sa.or_(opened, closed)
            )
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def closed_spans(conn: AsyncConnection, *, scope: Scope) -> list[tuple[datetime, datetime]]:
    """(opened_at, closed_at) of each complaint closed in the period: two columns, one pass."""
    rows = await conn.execute(
        sa.select(complaints.c.opened_at, complaints.c.closed_at).where(
            *_complaints_where(scope),
            complaints.c.closed_at >= scope.start,
            complaints.c.closed_at < scope.end,
        )
    )
    return [(o, c) for o, c in rows]


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
