"""Satisfaction surveys (Q-n): the surveys, each case's sampling decision, who was asked when,
and the answers with their ratings.

A person's answer replaces their earlier one (the earlier row gets `replaced_at`, both kept);
`record_answer` takes the survey's row lock first on PostgreSQL, so two answers racing for
one person end one after the other, and the partial unique index
`uq_survey_responses_current` keeps at most one current answer whatever happens.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.surveys import Answer, CaseKind, Survey, SurveyKind, SurveyStatus
from bot.store import parties as parties_repo
from bot.store import survey_tallies
from bot.store.disputes_timeline import current_replies
from bot.store.prepared import Prepared
from bot.store.schema import complaint_events, complaints, disputes, timeline
from bot.store.schema_surveys import (
    survey_cases,
    survey_invitations,
    survey_ratings,
    survey_responses,
    surveys,
)

_CASE_TABLES = {CaseKind.COMPLAINT: (complaints, "C"), CaseKind.DISPUTE: (disputes, "D")}


async def insert(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    number: int,
    kind: SurveyKind,
    party_id: int,
    title: str | None,
    questions: Sequence[str],
    channel_id: str,
    now: datetime,
    thread_ts: str | None = None,
    case_kind: CaseKind | None = None,
    case_id: int | None = None,
    schedule_id: int | None = None,
    sent_by: str | None = None,
    closes_at: datetime | None = None,
    remind_at: datetime | None = None,
) -> int:
    """A new open survey; its id. A second case survey for the same case and party breaks
    `uq_surveys_case_kind` (check `for_case` first inside the same transaction)."""
    result = await conn.execute(
        sa.insert(surveys)
        .values(
            workspace_id=workspace_id,
            number=number,
            kind=kind.value,
            party_id=party_id,
            title=title,
            questions=json.dumps(list(questions), ensure_ascii=False),
            case_kind=case_kind.value if case_kind is not None else None,
            case_id=case_id,
            schedule_id=schedule_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            sent_by=sent_by,
            status=SurveyStatus.OPEN.value,
            opened_at=now,
            closes_at=closes_at,
            remind_at=remind_at,
        )
        .returning(surveys.c.id)
    )
    survey_id = int(result.scalar_one())
    await survey_tallies.started(conn, survey_id=survey_id)
    return survey_id


async def set_post(conn: AsyncConnection, *, survey_id: int, ts: str) -> None:
    """Remember the survey's own message (its buttons), once posted."""
    await conn.execute(sa.update(surveys).where(surveys.c.id == survey_id).values(post_ts=ts))


async def close(conn: AsyncConnection, *, survey_id: int, now: datetime, by: str | None) -> bool:
    """Close an open survey; False if it was already closed (whoever closed it first wins)."""
    result = await conn.execute(
        sa.update(surveys)
        .where(surveys.c.id == survey_id, surveys.c.status == SurveyStatus.OPEN.value)
        .values(status=SurveyStatus.CLOSED.value, closed_at=now, closed_by=by)
    )
    return result.rowcount == 1


async def claim_reminder(conn: AsyncConnection, *, survey_id: int) -> bool:
    """Take the survey's one reminder; False if it was taken already."""
    result = await conn.execute(
        sa.update(surveys)
        .where(surveys.c.id == survey_id, surveys.c.reminded.is_(False))
        .values(reminded=True)
    )
    return result.rowcount == 1


async def _load(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Survey]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    known = await parties_repo.by_ids(conn, ids=[r.party_id for r in rows])
    refs: dict[tuple[str, int], str] = {}
    for kind, (table, letter) in _CASE_TABLES.items():
        ids = [r.case_id for r in rows if r.case_kind == kind.value and r.case_id is not None]
        if ids:
            found = await conn.execute(
                sa.select(table.c.id, table.c.number).where(table.c.id.in_(ids))
            )
            refs.update({(kind.value, i): f"{letter}-{n}" for i, n in found})
    return [
        Survey(
            id=r.id,
            workspace_id=r.workspace_id,
            number=r.number,
            kind=SurveyKind(r.kind),
            party=known[r.party_id],
            title=r.title,
            questions=tuple(json.loads(r.questions)),
            channel_id=r.channel_id,
            status=SurveyStatus(r.status),
            opened_at=r.opened_at,
            case_kind=CaseKind(r.case_kind) if r.case_kind is not None else None,
            case_id=r.case_id,
            case_ref=refs.get((r.case_kind, r.case_id)) if r.case_kind is not None else None,
            schedule_id=r.schedule_id,
            thread_ts=r.thread_ts,
            post_ts=r.post_ts,
            sent_by=r.sent_by,
            closes_at=r.closes_at,
            remind_at=r.remind_at,
            reminded=bool(r.reminded),
            closed_at=r.closed_at,
            closed_by=r.closed_by,
        )
        for r in rows
    ]


async def get(conn: AsyncConnection, *, workspace_id: str, number: int) -> Survey | None:
    found = await _load(
        conn,
        sa.select(surveys).where(
            surveys.c.workspace_id == workspace_id, surveys.c.number == number
        ),
    )
    return found[0] if found else None


async def by_id(conn: AsyncConnection, *, survey_id: int) -> Survey | None:
    found = await _load(conn, sa.select(surveys).where(surveys.c.id == survey_id))
    return found[0] if found else None


async def for_case(conn: AsyncConnection, *, case_kind: CaseKind, case_id: int) -> list[Survey]:
    """The case surveys of one complaint or dispute, one per party asked."""
    return await _load(
        conn,
        sa.select(surveys)
        .where(surveys.c.case_kind == case_kind.value, surveys.c.case_id == case_id)
        .order_by(surveys.c.id),
    )


async def find(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    party_id: int | None = None,
    status: SurveyStatus | None = None,
    kind: SurveyKind | None = None,
    limit: int,
) -> tuple[list[Survey], int]:
    """Newest first, filtered; and how many match in all."""
    where = [surveys.c.workspace_id == workspace_id]
    if party_id is not None:
        where.append(surveys.c.party_id == party_id)
    if status is not None:
        where.append(surveys.c.status == status.value)
    if kind is not None:
        where.append(surveys.c.kind == kind.value)
    page = await _load(
        conn, sa.select(surveys).where(*where).order_by(surveys.c.number.desc()).limit(limit)
    )
    if len(page) < limit:
        return page, len(page)
    total = (
        await conn.execute(sa.select(sa.func.count()).select_from(surveys).where(*where))
    ).scalar_one()
    return page, int(total)


async def closed_since(
    conn: AsyncConnection, *, workspace_id: str, since: datetime, limit: int = 100
) -> list[Survey]:
    """Periodic surveys closed at `since` or later, latest first."""
    return await _load(
        conn,
        sa.select(surveys)
        .where(
            surveys.c.workspace_id == workspace_id,
            surveys.c.kind == SurveyKind.PERIODIC.value,
            surveys.c.status == SurveyStatus.CLOSED.value,
            surveys.c.closed_at >= since,
        )
        .order_by(surveys.c.closed_at.desc(), surveys.c.id)
        .limit(limit),
    )


async def due_to_close(conn: AsyncConnection, *, now: datetime, limit: int = 100) -> list[Survey]:
    """Open surveys whose time has run out."""
    return await _load(
        conn,
        sa.select(surveys)
        .where(
            surveys.c.status == SurveyStatus.OPEN.value,
            surveys.c.closes_at.is_not(None),
            surveys.c.closes_at <= now,
        )
        .order_by(surveys.c.closes_at, surveys.c.id)
        .limit(limit),
    )


async def due_to_remind(conn: AsyncConnection, *, now: datetime, limit: int = 100) -> list[Survey]:
    """Open surveys whose one reminder is due and not yet taken."""
    return await _load(
        conn,
        sa.select(surveys)
        .where(
            surveys.c.status == SurveyStatus.OPEN.value,
            surveys.c.reminded.is_(False),
            surveys.c.remind_at.is_not(None),
            surveys.c.remind_at <= now,
        )
        .order_by(surveys.c.remind_at, surveys.c.id)
        .limit(limit),
    )


# --------------------------------------------------------------------------------------------
# Sampling and the cooldown

_DECIDE = {
    name: dialect_insert(survey_cases).on_conflict_do_nothing(
        index_elements=[
            survey_cases.c.workspace_id,
            survey_cases.c.case_kind,
            survey_cases.c.case_id,
        ]
    )
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


async def decide_case(
    conn: AsyncConnection,
    *,
    workspace_id: str,
    case_kind: CaseKind,
    case_id: int,
    sampled: bool,
    now: datetime,
) -> bool:
    """Whether the case is surveyed: `sampled` if this is the first decision for it, else the
    decision taken before (by this instance or another, before a restart or after)."""
    await conn.execute(
        _DECIDE[conn.dialect.name].values(
            workspace_id=workspace_id,
            case_kind=case_kind.value,
            case_id=case_id,
            sampled=sampled,
            decided_at=now,
        )
    )
    kept = await conn.execute(
        sa.select(survey_cases.c.sampled).where(
            survey_cases.c.workspace_id == workspace_id,
            survey_cases.c.case_kind == case_kind.value,
            survey_cases.c.case_id == case_id,
        )
    )
    return bool(kept.scalar_one())


async def invite(
    conn: AsyncConnection,
    *,
    survey_id: int,
    workspace_id: str,
    user_ids: Iterable[str],
    now: datetime,
) -> None:
    users = list(dict.fromkeys(user_ids))
    rows = [
        {"survey_id": survey_id, "user_id": u, "workspace_id": workspace_id, "asked_at": now}
        for u in users
    ]
    if rows:
        await conn.execute(sa.insert(survey_invitations), rows)
        await survey_tallies.asked(conn, survey_id=survey_id, user_ids=users, now=now)


async def invited(conn: AsyncConnection, *, survey_id: int) -> set[str]:
    found = await conn.execute(
        sa.select(survey_invitations.c.user_id).where(survey_invitations.c.survey_id == survey_id)
    )
    return set(found.scalars())


async def asked_since(
    conn: AsyncConnection, *, workspace_id: str, user_ids: Iterable[str], since: datetime
) -> set[str]:
    """Which of these people were asked a survey at `since` or later (the cooldown)."""
    wanted = list(set(user_ids))
    if not wanted:
        return set()
    found = await conn.execute(
        sa.select(survey_invitations.c.user_id)
        .where(
            survey_invitations.c.workspace_id == workspace_id,
            survey_invitations.c.user_id.in_(wanted),
            survey_invitations.c.asked_at >= since,
        )
        .distinct()
    )
    return set(found.scalars())


# --------------------------------------------------------------------------------------------
# Answers


async def record_answer(
    conn: AsyncConnection,
    *,
    survey_id: int,
    respondent_id: str,
    party_id: int,
    ratings: Mapping[int, int],
    comment: str | None,
    now: datetime,
) -> tuple[int, Answer | None]:
    """Record a person's answer; (its id, the answer it replaced, if any)."""
    # One answer at a time per survey on PostgreSQL (SQLite's BEGIN IMMEDIATE already is).
    await conn.execute(sa.select(surveys.c.id).where(surveys.c.id == survey_id).with_for_update())
    before = await current_answer(conn, survey_id=survey_id, respondent_id=respondent_id)
    if before is not None:
        await conn.execute(
            sa.update(survey_responses)
            .where(survey_responses.c.id == before.id)
            .values(replaced_at=now)
        )
    result = await conn.execute(
        sa.insert(survey_responses)
        .values(
            survey_id=survey_id,
            respondent_id=respondent_id,
            party_id=party_id,
            at=now,
            comment=comment,
        )
        .returning(survey_responses.c.id)
    )
    response_id = int(result.scalar_one())
    if ratings:
        await conn.execute(
            sa.insert(survey_ratings),
            [
                {"response_id": response_id, "question": q, "rating": r}
                for q, r in sorted(ratings.items())
            ],
        )
    await survey_tallies.answered(
        conn,
        survey_id=survey_id,
        respondent_id=respondent_id,
        ratings=ratings,
        replaced=before.ratings if before is not None else None,
        now=now,
    )
    return response_id, before


async def set_comment(conn: AsyncConnection, *, response_id: int, comment: str | None) -> None:
    await conn.execute(
        sa.update(survey_responses)
        .where(survey_responses.c.id == response_id)
        .values(comment=comment)
    )


async def _answers(conn: AsyncConnection, stmt: sa.Select[Any]) -> list[Answer]:
    rows = (await conn.execute(stmt)).all()
    if not rows:
        return []
    ratings: dict[int, dict[int, int]] = {r.id: {} for r in rows}
    found = await conn.execute(
        sa.select(survey_ratings).where(survey_ratings.c.response_id.in_(list(ratings)))
    )
    for response_id, question, rating in found:
        ratings[response_id][question] = rating
    return [
        Answer(
            id=r.id,
            survey_id=r.survey_id,
            respondent_id=r.respondent_id,
            party_id=r.party_id,
            at=r.at,
            ratings=ratings[r.id],
            comment=r.comment,
            replaced_at=r.replaced_at,
        )
        for r in rows
    ]


async def current_answer(
    conn: AsyncConnection, *, survey_id: int, respondent_id: str
) -> Answer | None:
    found = await _answers(
        conn,
        sa.select(survey_responses).where(
            survey_responses.c.survey_id == survey_id,
            survey_responses.c.respondent_id == respondent_id,
            survey_responses.c.replaced_at.is_(None),
        ),
    )
    return found[0] if found else None


async def answers(
    conn: AsyncConnection, *, survey_id: int, current_only: bool = True
) -> list[Answer]:
    """A survey's answers, oldest first: the current ones, or every one ever given."""
    where = [survey_responses.c.survey_id == survey_id]
    if current_only:
        where.append(survey_responses.c.replaced_at.is_(None))
    return await _answers(
        conn, sa.select(survey_responses).where(*where).order_by(survey_responses.c.id)
    )


async def answer_counts(conn: AsyncConnection, *, survey_ids: Iterable[int]) -> dict[int, int]:
    """survey id → its current answers, counted in one query (none: 0)."""
    wanted = list(set(survey_ids))
    if not wanted:
        return {}
    counts = {i: 0 for i in wanted}
    counts.update({int(i): int(n) for i, n in await _ANSWER_COUNTS.rows(conn, {"ids": wanted})})
    return counts


_ANSWER_COUNTS = Prepared(
    sa.select(survey_responses.c.survey_id, sa.func.count())
    .where(
        survey_responses.c.survey_id.in_(sa.bindparam("ids", expanding=True)),
        survey_responses.c.replaced_at.is_(None),
    )
    .group_by(survey_responses.c.survey_id)
)


async def in_batches(conn: AsyncConnection, *, size: int = 500) -> AsyncIterator[list[Survey]]:
    """Every survey of every workspace, oldest first, `size` at a time (for the export)."""
    after = 0
    while True:
        batch = await _load(
            conn, sa.select(surveys).where(surveys.c.id > after).order_by(surveys.c.id).limit(size)
        )
        if not batch:
            return
        yield batch
        after = batch[-1].id


async def answers_in_batches(
    conn: AsyncConnection, *, size: int = 500
) -> AsyncIterator[list[Answer]]:
    """Every answer ever given (replaced ones too), oldest first (for the export)."""
    after = 0
    while True:
        batch = await _answers(
            conn,
            sa.select(survey_responses)
            .where(survey_responses.c.id > after)
            .order_by(survey_responses.c.id)
            .limit(size),
        )
        if not batch:
            return
        yield batch
        after = batch[-1].id


# --------------------------------------------------------------------------------------------
# Case by case: who of an outside party took part in a case's thread, from the record

_COMPLAINT_PART = ("reply", "edited", "confirmed", "not_resolved")


async def complaint_participants(
    conn: AsyncConnection, *, complaint_id: int, party_id: int
) -> list[str]:
    """The people of that party on a complaint's record (replies in its thread, its answers
    to a resolution), first seen first. The complainant is the caller's to add."""
    found = await conn.execute(
        sa.select(complaint_events.c.actor_id)
        .where(
            complaint_events.c.complaint_id == complaint_id,
            complaint_events.c.party_id == party_id,
            complaint_events.c.actor_id.is_not(None),
            complaint_events.c.kind.in_(_COMPLAINT_PART),
        )
        .order_by(complaint_events.c.id)
    )
    return list(dict.fromkeys(str(u) for u in found.scalars()))


async def dispute_participants(
    conn: AsyncConnection, *, dispute_id: int
) -> dict[int, list[tuple[str, str]]]:
    """party id → (person, channel) of each of its people's replies in the dispute's threads,
    each reply on its party as it is now (its latest placement), latest reply last."""
    found = await conn.execute(
        sa.select(timeline.c.party_id, timeline.c.actor_id, timeline.c.channel_id)
        .where(
            timeline.c.dispute_id == dispute_id,
            timeline.c.party_id.is_not(None),
            timeline.c.actor_id.is_not(None),
            timeline.c.channel_id.is_not(None),
            current_replies(),
        )
        .order_by(timeline.c.at, timeline.c.id)
    )
    out: dict[int, list[tuple[str, str]]] = {}
    for party_id, actor_id, channel_id in found:
        out.setdefault(int(party_id), []).append((str(actor_id), str(channel_id)))
    return out


async def uninvite(conn: AsyncConnection, *, survey_id: int) -> None:
    """Forget who a survey asked (it was never posted: nobody was asked after all)."""
    await conn.execute(
        sa.delete(survey_invitations).where(survey_invitations.c.survey_id == survey_id)
    )
    await survey_tallies.forgotten(conn, survey_id=survey_id)
