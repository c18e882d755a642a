"""The reports' queries: sums and counts made by the database, never every row loaded.

Each query filters by workspace, an optional party and a period of UTC instants
`[start, end)`; the quarters of a period are told apart by a CASE over their edges
(`bot/domain/reports.py: quarter_edges`), which reads alike on both engines and in the
company's zone. The closed complaints' count and median working days to close are read from
the days kept in each row when it closed (`close_days`, migration 0024), by the database from
an index alone as a count per number of days; only complaints closed before that have their
days counted from their two instants by the calendar (Python's).

The surveys' figures are read from their tallies (`bot/store/survey_tallies.py`) for every
survey whose answers (or invitations) all lie in one quarter of the period, which is nearly
every survey of a long period: a row per survey rather than a row per rating, however many
answers there are. Of the few that an edge cuts, only the ratings of the smaller parts are
read from the rows, the largest part's sums being the tallies' less theirs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.complaints import ComplaintStatus
from bot.domain.reports import RatingSum
from bot.domain.surveys import SurveyKind
from bot.store.schema import complaints
from bot.store.schema_praise import praise
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


@dataclass(frozen=True)
class Apart:
    """The surveys of a period to read from their rows, their tallies not answering for it:
    for their answers, each with whether it has a tally at all; and for their invitations."""

    answers: dict[int, bool]
    asked: list[int]


async def surveys_apart(conn: AsyncConnection, *, scope: Scope) -> Apart:
    """Those whose tally has answers (or invitations) but not all in one quarter of the period
    (or not all in the period), and any without a tally: a short list (the surveys an edge
    cuts), picked first, in one read for both, so that each engine reads only their rows,
    whatever its statistics say."""
    kept = survey_tallies.c.survey_id.is_not(None)
    answers = sa.and_(
        survey_tallies.c.answer_first.is_not(None), sa.not_(_answered_in_one_quarter(scope))
    )
    asked = sa.and_(survey_tallies.c.asked_first.is_not(None), sa.not_(_asked_in_period(scope)))
    found = await conn.execute(
        sa.select(surveys.c.id, kept.label("kept"), answers.label("answers"), asked.label("asked"))
        .select_from(surveys.outerjoin(survey_tallies, survey_tallies.c.survey_id == surveys.c.id))
        .where(*_surveys_where(scope), sa.or_(sa.not_(kept), answers, asked))
    )
    rows = found.all()
    return Apart(
        answers={int(r.id): bool(r.kept) for r in rows if not r.kept or r.answers},
        asked=[int(r.id) for r in rows if not r.kept or r.asked],
    )


async def rating_sums(
    conn: AsyncConnection, *, scope: Scope, tallied: bool = True, apart: Apart | None = None
) -> list[RatingSum]:
    """Each survey's questions' sums and counts of current ratings, per quarter. The surveys
    read from their tallies are summed together by questionnaire (their kind and questions),
    question and quarter, each sum named after the first survey in it: a row per questionnaire
    rather than per survey, however many surveys. A survey's answers in a quarter are still
    its sum's count of any question, as every answer rates each of its survey's questions
    (`check_ratings`), so `answers_by_quarter` counts them alike. `tallied=False` sums every
    rating's row, survey by survey, instead (what the tallies must agree with). `apart`: the
    surveys to read from their rows, if picked already (`surveys_apart`)."""
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
        # The short keys first: the sort compares the questions' text only between equals.
        .group_by(totals.question, quarter, surveys.c.kind, surveys.c.questions)
    )
    rows = [
        *((await conn.execute(kept)).all() if tallied else []),
        *await _rating_sums_from_rows(conn, scope=scope, every_survey=not tallied, apart=apart),
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
    conn: AsyncConnection, *, scope: Scope, every_survey: bool = False, apart: Apart | None = None
) -> list[Any]:
    """The sums made from the ratings' rows, of the surveys whose tallies do not answer for
    them (or of every survey: the figures the tallies must agree with). Of those an edge cuts,
    only the ratings of the parts but the largest are read (`_rating_sums_cut`)."""
    if every_survey:
        return await _rating_sums_of(conn, scope=scope, ids=None)
    found = (apart or await surveys_apart(conn, scope=scope)).answers
    cut = [i for i, kept in found.items() if kept]
    untallied = [i for i, kept in found.items() if not kept]
    return [
        *(await _rating_sums_of(conn, scope=scope, ids=untallied) if untallied else []),
        *(await _rating_sums_cut(conn, scope=scope, ids=cut) if cut else []),
    ]


async def _rating_sums_of(
    conn: AsyncConnection, *, scope: Scope, ids: Sequence[int] | None
) -> list[Any]:
    """Each survey's (of `ids`, or every survey's) sums of current ratings in the period by
    question and quarter, from every rating's row."""
    quarter = _quarter(survey_responses.c.at, scope.edges).label("quarter")
    where = _answers_where(scope)
    if ids is not None:
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


class _Sum(NamedTuple):
    survey_id: int
    question: int
    quarter: int
    total: int
    n: int


def _part(column: Any, bounds: Sequence[datetime]) -> Any:
    """Which part of a survey's answers an instant is in: 0 before the period, i + 1 in its
    quarter i, and len(bounds) from its end on (`bounds`: its start, edges and end)."""
    return sa.case(*((column < b, i) for i, b in enumerate(bounds)), else_=len(bounds))


def _outside(column: Any, bounds: Sequence[datetime], part: int) -> Any:
    """An instant not in that part."""
    return sa.or_(
        *([column < bounds[part - 1]] if part > 0 else []),
        *([column >= bounds[part]] if part < len(bounds) else []),
    )


async def _rating_sums_cut(
    conn: AsyncConnection, *, scope: Scope, ids: Sequence[int]
) -> list[_Sum]:
    """The sums by question and quarter of the surveys of `ids`, which an edge (or the
    period's start or end) cuts, the same as summed from all their rows in the period
    (`_rating_sums_of`), reading fewer: each survey's current answers counted by part (before
    the period, each quarter, after it) from the index of answers alone, the ratings read of
    every part but the one with most answers, and that one's sums its tallies' totals less
    the other parts' (the totals are every current rating's, kept with each answer)."""
    responses, ratings, totals = survey_responses.c, survey_ratings.c, survey_rating_totals.c
    bounds = [scope.start, *scope.edges, scope.end]
    part = _part(responses.at, bounds).label("part")
    counted = await conn.execute(
        sa.select(responses.survey_id, part, sa.func.count())
        .where(responses.survey_id.in_(ids), responses.replaced_at.is_(None))
        .group_by(responses.survey_id, part)
    )
    largest: dict[int, tuple[int, int]] = {}  # survey -> (answers, part)
    for survey_id, p, n in counted:
        largest[survey_id] = max(largest.get(survey_id, (0, 0)), (int(n), -int(p)))
    if not largest:
        return []  # no current answer to any of them
    read_apart: dict[int, list[int]] = {}  # the part not read -> its surveys
    for survey_id, (_, p) in largest.items():
        read_apart.setdefault(-p, []).append(survey_id)
    read = await conn.execute(
        sa.select(
            responses.survey_id,
            ratings.question,
            part,
            sa.func.sum(ratings.rating).label("total"),
            sa.func.count().label("n"),
        )
        .select_from(survey_responses.join(survey_ratings, ratings.response_id == responses.id))
        .where(
            responses.survey_id.in_(list(largest)),
            responses.replaced_at.is_(None),
            sa.or_(
                *(
                    sa.and_(responses.survey_id.in_(group), _outside(responses.at, bounds, p))
                    for p, group in sorted(read_apart.items())
                )
            ),
        )
        .group_by(responses.survey_id, ratings.question, part)
    )
    sums: dict[tuple[int, int, int], tuple[int, int]] = {}  # (survey, question, part)
    rest: dict[tuple[int, int], tuple[int, int]] = {}  # (survey, question): the parts read
    for survey_id, question, p, total, n in read:
        sums[(survey_id, question, p)] = (int(total), int(n))
        was = rest.get((survey_id, question), (0, 0))
        rest[(survey_id, question)] = (was[0] + int(total), was[1] + int(n))
    kept = await conn.execute(
        sa.select(totals.survey_id, totals.question, totals.total, totals.answers).where(
            totals.survey_id.in_(list(largest))
        )
    )
    for survey_id, question, total, answers in kept:
        read_total, read_n = rest.get((survey_id, question), (0, 0))
        sums[(survey_id, question, -largest[survey_id][1])] = (
            int(total) - read_total,
            int(answers) - read_n,
        )
    return [
        _Sum(survey_id, question, p - 1, total, n)
        for (survey_id, question, p), (total, n) in sums.items()
        if 0 < p < len(bounds) and n > 0
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


async def asked_and_answered(
    conn: AsyncConnection, *, scope: Scope, tallied: bool = True, apart: Apart | None = None
) -> tuple[int, int]:
    """People asked in the period (one per survey asked) and how many of them answered.
    `tallied=False` counts every invitation's row instead. `apart`: the surveys to read from
    their rows, if picked already (`surveys_apart`)."""
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
    invited, answered = await _asked_and_answered_from_rows(conn, scope=scope, apart=apart)
    return int(kept[0]) + invited, int(kept[1]) + answered


async def _asked_and_answered_from_rows(
    conn: AsyncConnection, *, scope: Scope, every_survey: bool = False, apart: Apart | None = None
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
        ids = (apart or await surveys_apart(conn, scope=scope)).asked
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


async def opened_counts(conn: AsyncConnection, *, scope: Scope, now: datetime) -> tuple[int, int]:
    """Complaints opened in the period, and how many of them are overdue now (either clock ran
    out and is still running, as `Complaint.overdue` says). The opened ones are counted from
    the index (workspace_id, opened_at, party_id) alone; the overdue ones only among those
    not closed, from the partial index of them (migration 0029), `closed` written into the
    statement so that each engine can tell that index holds every complaint it asks for."""
    opened = sa.and_(complaints.c.opened_at >= scope.start, complaints.c.opened_at < scope.end)
    count = await conn.execute(
        sa.select(sa.func.count()).select_from(complaints).where(*_complaints_where(scope), opened)
    )
    overdue = await conn.execute(
        sa.select(sa.func.count())
        .select_from(complaints)
        .where(
            *_complaints_where(scope),
            complaints.c.status != sa.literal(ComplaintStatus.CLOSED.value, literal_execute=True),
            opened,
            sa.or_(
                sa.and_(complaints.c.first_answer_at.is_(None), complaints.c.answer_due_at < now),
                sa.and_(
                    complaints.c.status == ComplaintStatus.OPEN.value,
                    complaints.c.resolve_due_at < now,
                ),
            ),
        )
    )
    return int(count.scalar_one()), int(overdue.scalar_one())


def _closed_where(scope: Scope) -> list[Any]:
    return [
        *_complaints_where(scope),
        complaints.c.closed_at >= scope.start,
        complaints.c.closed_at < scope.end,
    ]


async def close_days_counts(conn: AsyncConnection, *, scope: Scope) -> dict[int | None, int]:
    """How many complaints closed in the period took each number of working days to close, as
    kept when they closed (`close_days`; None: closed before migration 0024, not kept): the
    count closed, the count kept and the median all from one read of the index (workspace_id,
    closed_at, party_id, close_days), a row per number of days rather than per complaint."""
    rows = await conn.execute(
        sa.select(complaints.c.close_days, sa.func.count())
        .where(*_closed_where(scope))
        .group_by(complaints.c.close_days)
    )
    return {(int(d) if d is not None else None): int(n) for d, n in rows}


async def closed_count(conn: AsyncConnection, *, scope: Scope) -> tuple[int, int]:
    """Complaints closed in the period, and how many of them have their working days to close
    kept (`close_days`; not those closed before migration 0024), from the index alone."""
    counts = await close_days_counts(conn, scope=scope)
    return sum(counts.values()), sum(n for d, n in counts.items() if d is not None)


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
